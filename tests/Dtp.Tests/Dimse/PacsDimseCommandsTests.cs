using System.CommandLine;
using System.Text.Json.Nodes;
using Dtp.Cli;
using Dtp.Testing;

namespace Dtp.Tests.Dimse;

[Collection(DimseTests.Name)]
public sealed class PacsDimseCommandsTests(DimseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Echo_OrthancDicomPort_PrintsPeerAndSucceeds()
    {
        var config = WriteConfig(fixture.Server.AeTitle);

        var (exit, output, error) = await RunAsync(["pacs", "echo", "--storage-config", config], Ct);

        Assert.True(exit == 0, error);
        Assert.Contains($"C-ECHO to {fixture.Server.AeTitle}@127.0.0.1:{fixture.Server.DicomPort}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Echo_ClosedPort_ExitsRemoteNamingPeer()
    {
        var config = WriteConfig("NOBODY", FreePort.Next());

        var (exit, _, error) = await RunAsync(["pacs", "echo", "--storage-config", config], Ct);

        Assert.Equal(3, exit);
        Assert.Contains("NOBODY@127.0.0.1:", error, StringComparison.Ordinal);
    }

    private string WriteConfig(string calledAeTitle, int? port = null)
    {
        var path = Path.Combine(fixture.Folder, $"pacs-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, new JsonObject
        {
            ["pacs_ip"] = "127.0.0.1",
            ["pacs_port"] = port ?? fixture.Server.DicomPort,
            ["pacs_aec"] = calledAeTitle,
            ["pacs_aet"] = DimseFixture.ClientAeTitle,
        }.ToJsonString());
        return path;
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DtpCli.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
