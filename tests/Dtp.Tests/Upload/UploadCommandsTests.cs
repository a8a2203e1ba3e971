using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Dtp.Cli;
using Dtp.Gen3;

namespace Dtp.Tests.Upload;

/// <summary><c>dtp upload</c> and <c>dtp delete</c>, in-process and as concurrent child processes.</summary>
public sealed class UploadCommandsTests : IAsyncLifetime
{
    private UploadKit kit = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => kit = await UploadKit.StartAsync(Ct);

    public ValueTask DisposeAsync() => kit.DisposeAsync();

    [Fact]
    public async Task Upload_Json_PrintsTheSummaryWithTheDatasetId()
    {
        var (exit, output, error) = await RunAsync(UploadArgs("--json"));

        Assert.Equal(ExitCodes.Ok, exit);
        var summary = JsonNode.Parse(output)!;
        Assert.Equal("demo-p1-dataset-1-version-1", (string?)summary["dataset_id"]);
        Assert.Equal(12, (int?)summary["records"]!["manifest"]);
        Assert.Equal((int?)summary["files"], (int?)summary["verified"]);
        Assert.DoesNotContain("error", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_InvalidDataset_ExitsFourWithTheFindings()
    {
        File.Delete(Path.Combine(kit.Source, "dataset_description.xlsx"));

        var (exit, output, error) = await RunAsync(UploadArgs());

        Assert.Equal(ExitCodes.LocalInput, exit);
        Assert.Empty(output);
        Assert.Contains("dataset_description", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_DryRunThenDelete_ListsThenRemovesTheDataset()
    {
        await RunAsync(UploadArgs());
        string[] delete = ["delete", "demo-p1-dataset-1-version-1", "--program", UploadKit.Program, "--project", UploadKit.Project, "--storage", "local", "--storage-config", kit.LocalConfig, "--json"];

        var (dryExit, dryOutput, _) = await RunAsync([.. delete, "--dry-run"]);
        var (exit, output, _) = await RunAsync(delete);

        Assert.Equal(ExitCodes.Ok, dryExit);
        Assert.True((bool)JsonNode.Parse(dryOutput)!["dry_run"]!);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(2, (int?)JsonNode.Parse(output)!["records"]!["case"]);
        Assert.Empty(await kit.RecordsAsync("experiment", Ct));
        Assert.False(Directory.Exists(Path.Combine(kit.StoreRoot, "demo-p1-dataset-1-version-1")));
    }

    [Fact]
    public async Task Upload_TwoProcessesStartedTogether_GetDistinctIdsAndBothDatasetsAreComplete()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Dtp.Cli.dll");
        var runs = Enumerable.Range(1, 2).Select(i =>
        {
            var home = Directory.CreateDirectory(Path.Combine(kit.Home, $"home{i}")).FullName;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.Environment["HOME"] = home;
            foreach (var arg in (string[])[cli, .. UploadArgs("--json", "-v")])
            {
                start.ArgumentList.Add(arg);
            }

            return start;
        }).Select(Process.Start).ToList();

        var results = await Task.WhenAll(runs.Select(async p =>
        {
            using (p)
            {
                var output = p!.StandardOutput.ReadToEndAsync(Ct);
                var error = p.StandardError.ReadToEndAsync(Ct);
                await p.WaitForExitAsync(Ct);
                return (p.ExitCode, Output: await output, Error: await error);
            }
        }));

        foreach (var r in results)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(r.Error); File.AppendAllText("/tmp/dtp-race.log", r.Error);
            Assert.True(r.ExitCode == ExitCodes.Ok, r.Error);
        }

        var ids = results.Select(r => (string)JsonNode.Parse(r.Output)!["dataset_id"]!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["demo-p1-dataset-1-version-1", "demo-p1-dataset-2-version-1"], ids);
        var datasets = await new Querier(kit.Auth).GetDatasetsAsync(UploadKit.Program, UploadKit.Project, Ct);
        Assert.Equal(ids, datasets.Select(d => d.SubmitterId));
        Assert.All(datasets, d => Assert.Equal((2, 4, 12), (d.Subjects, d.Samples, d.ManifestFiles)));
        var source = UploadKit.Tree(kit.Source);
        Assert.All(ids, id => Assert.Equal(source, UploadKit.Tree(Path.Combine(kit.StoreRoot, id))));
    }

    private string[] UploadArgs(params string[] extra) =>
        ["upload", kit.Source, "--program", UploadKit.Program, "--project", UploadKit.Project, "--storage", "local", "--storage-config", kit.LocalConfig,
            "--credentials", kit.Commons.Server.CredentialsPath, .. extra];

    private async Task<(int Exit, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] all = args.Contains("--credentials") ? args : [.. args, "--credentials", kit.Commons.Server.CredentialsPath];
        var exit = await DtpCli.RunAsync(new GlobalOptions { HomeDirectory = kit.Home }, all, new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }
}
