using System.Text.Json.Nodes;
using Dtp.Cli;

namespace Dtp.Tests.Gen3;

/// <summary>The Gen3 metadata commands end to end, in-process, against the embedded commons.</summary>
public sealed class Gen3CliTests : IAsyncLifetime
{
    private Gen3ClientFixture fixture = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => fixture = await Gen3ClientFixture.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task ProgramsAndProjects_Json_ListNames()
    {
        var programs = await RunAsync(["programs", "--json"]);
        var projects = await RunAsync(["projects", "demo"]);
        var unknown = await RunAsync(["projects", "nope"]);

        Assert.Equal(0, programs.Exit);
        Assert.Equal("demo", (string?)JsonNode.Parse(programs.Output)![0]);
        Assert.Equal("p1", projects.Output.Trim());
        Assert.Equal(3, unknown.Exit);
        Assert.Contains("program nope not found", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitThenRecordsAndExport_RoundTripThroughTheCommandLine()
    {
        var file = fixture.PathOf("records.json");
        await File.WriteAllTextAsync(file, new JsonArray([Gen3ClientFixture.Experiment("dataset-1"), .. Gen3ClientFixture.Cases(2, "dataset-1")]).ToJsonString(), Ct);
        var output = fixture.PathOf("case.tsv");

        var submit = await RunAsync(["submit", "demo", "p1", file]);
        var records = await RunAsync(["records", "case", "--program", "demo", "--project", "p1", "--json"]);
        var export = await RunAsync(["export", "node", "demo", "p1", "case", "--format", "tsv", "-o", output]);
        var again = await RunAsync(["export", "node", "demo", "p1", "case", "--format", "tsv", "-o", output]);

        Assert.Equal(0, submit.Exit);
        Assert.StartsWith("3 records in 1 batches: 3 created, 0 updated; success", submit.Output, StringComparison.Ordinal);
        Assert.Equal(2, JsonNode.Parse(records.Output)!.AsArray().Count);
        Assert.Equal(0, export.Exit);
        Assert.Equal(3, (await File.ReadAllLinesAsync(output, Ct)).Length);
        Assert.Equal(4, again.Exit);
    }

    [Fact]
    public async Task Submit_RejectedByTheCommons_PrintsTheErrorTableAndExits3()
    {
        var bad = Gen3ClientFixture.Experiment("dataset-1");
        bad["number_experimental_group"] = "many";
        var file = fixture.PathOf("bad.json");
        await File.WriteAllTextAsync(file, bad.ToJsonString(), Ct);

        var result = await RunAsync(["submit", "demo", "p1", file]);

        Assert.Equal(3, result.Exit);
        Assert.Contains("entity     keys                       message", result.Output, StringComparison.Ordinal);
        Assert.Contains("dataset-1  number_experimental_group", result.Output, StringComparison.Ordinal);
        Assert.Contains("rejected", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Graphql_VariablesNotJson_ExitsWithLocalInputError()
    {
        var result = await RunAsync(["graphql", "query ($n: Int) { case(first: $n) { id } }", "--variables", "{n: 1"]);

        Assert.Equal(4, result.Exit);
        Assert.Contains("--variables is not valid JSON", result.Error, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DtpCli.RunAsync(new GlobalOptions { HomeDirectory = fixture.Home }, [.. args, "--credentials", fixture.Commons.Server.CredentialsPath],
            new System.CommandLine.InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }
}
