using System.CommandLine;
using System.Text.Json.Nodes;
using Dtp.Cli;
using Dtp.Testing.Commons;

namespace Dtp.Tests.Commons;

public sealed class ServeCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UserAdd_ReadGrant_WritesCredentialsThatReadButCannotWrite()
    {
        await using var commons = await TestCommons.StartAsync(Ct);
        await commons.CreateProjectAsync("demo", "p1", Ct);
        var output = Path.Combine(commons.DataDirectory, "alice.json");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await DtpCli.RunAsync(["--json", "serve", "user", "add", "alice", "--data", commons.DataDirectory, "--read", "demo/p1", "--out", output],
            new InvocationConfiguration { Output = stdout, Error = stderr }, Ct);
        var token = await TestCommons.ExchangeAsync(commons.BaseUrl, await File.ReadAllTextAsync(output, Ct), Ct);
        using var http = commons.CreateClient(token);
        using var read = await http.GetAsync(new Uri("api/v0/submission/demo/p1/export?node_label=case&format=json", UriKind.Relative), Ct);
        using var write = await http.PutAsync(new Uri("api/v0/submission/demo/p1", UriKind.Relative), new StringContent(SdsRecords.Experiment("e1", "p1").ToJsonString(), System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(0, exit);
        Assert.Equal(output, (string?)JsonNode.Parse(stdout.ToString())!["credentials"]);
        Assert.Equal(200, (int)read.StatusCode);
        Assert.Equal(403, (int)write.StatusCode);
    }

    [Fact]
    public async Task UserAdd_ProjectWithoutProgram_ExitsWithLocalInputError()
    {
        var folder = Directory.CreateTempSubdirectory("dtp-serve-").FullName;
        try
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();

            var exit = await DtpCli.RunAsync(["serve", "user", "add", "bob", "--data", folder, "--write", "p1"], new InvocationConfiguration { Output = stdout, Error = stderr }, Ct);

            Assert.Equal(ExitCodes.LocalInput, exit);
            Assert.Contains("PROGRAM/PROJECT", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
