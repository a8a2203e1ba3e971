using System.CommandLine;
using Dtp.Cli;
using Dtp.Testing.Irods;
using Dtp.Tests.Irods;

namespace Dtp.Tests.BadInput;

/// <summary>A server that answers with object names escaping the destination (<c>..</c>, absolute paths) gets a clear error; nothing lands outside the destination.</summary>
public sealed class EscapingNamesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("../../escaped.txt")]
    [InlineData("..")]
    public async Task IrodsGet_ObjectNameEscapingTheDestination_FailsAndWritesNothingOutside(string name)
    {
        await using var server = IrodsTestKit.StartServer();
        IrodsTestKit.WriteTree(server, "/tempZone/home/rods/ds");
        server.AddPhantomDataObject("/tempZone/home/rods/ds/primary", name);
        var work = Directory.CreateTempSubdirectory("dtp-escape-").FullName;
        var destination = Path.Combine(work, "nested", "dest");
        var config = IrodsTestKit.WriteConfig(server, "rods", Path.Combine(work, "irods.json"));
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await DtpCli.RunAsync(["irods", "get", "/tempZone/home/rods/ds", destination, "--storage-config", config], new InvocationConfiguration { Output = output, Error = error }, Ct);

        Assert.True(exit is ExitCodes.Remote or ExitCodes.LocalInput, $"exit {exit}: {error}");
        Assert.Contains(name, error.ToString(), StringComparison.Ordinal);
        Assert.Equal([config], Directory.EnumerateFiles(work, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(destination + "/", StringComparison.Ordinal)));
        Directory.Delete(work, recursive: true);
    }
}
