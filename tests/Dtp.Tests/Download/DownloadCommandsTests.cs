using System.CommandLine;
using System.Text.Json.Nodes;
using Dtp.Cli;

namespace Dtp.Tests.Download;

/// <summary><c>dtp download</c> in-process against the embedded commons and a local folder store.</summary>
public sealed class DownloadCommandsTests : IAsyncLifetime
{
    private const string DatasetId = "dataset-cli-1";
    private DownloadTestBed bed = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => bed = await DownloadTestBed.StartAsync();

    public ValueTask DisposeAsync() => bed.DisposeAsync();

    [Fact]
    public async Task Download_LocalStoreWithJson_WritesTheFolderTheSummaryAndPlainProgressLines()
    {
        var config = await PublishAsync();

        var (exit, output, error) = await RunAsync("download", DatasetId, bed.Destination, "--storage", "local", "--storage-config", config,
            "--gen3-config", bed.WriteGen3Config(), "--parallel", "2", "--json");

        Assert.True(exit == ExitCodes.Ok, error);
        var json = JsonNode.Parse(output)!;
        Assert.True((bool)json["complete"]!);
        Assert.Equal(Path.Combine(bed.Destination, DatasetId), (string?)json["folder"]);
        Assert.Equal((int)json["files"]!, (int)json["verified"]!);
        Assert.Empty(json["failed"]!.AsArray());
        Assert.Contains("progress: ", error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(bed.Destination, DatasetId, "subjects.xlsx")));
    }

    [Fact]
    public async Task Download_UnknownDatasetId_ExitsThreeAndCreatesNothing()
    {
        var config = await PublishAsync();

        var (exit, _, error) = await RunAsync("download", "no-such-dataset", bed.Destination, "--storage", "local", "--storage-config", config,
            "--gen3-config", bed.WriteGen3Config());

        Assert.Equal(ExitCodes.Remote, exit);
        Assert.Contains("no-such-dataset", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(bed.Destination));
    }

    [Fact]
    public async Task Download_IdInTwoProjects_ExitsFourListingThem()
    {
        var config = await PublishAsync();
        await bed.Commons.CreateProjectAsync(DownloadTestBed.Program, "other", Ct);
        await bed.SubmitExampleAsync(DatasetId, project: "other");

        var (exit, _, error) = await RunAsync("download", DatasetId, bed.Destination, "--storage", "local", "--storage-config", config,
            "--gen3-config", bed.WriteGen3Config());

        Assert.Equal(ExitCodes.LocalInput, exit);
        Assert.Contains("demo1-12L, demo1-other", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(bed.Destination));
    }

    [Fact]
    public async Task Download_StorageOutsideTheChoices_ExitsTwo()
    {
        var (exit, _, _) = await RunAsync("download", DatasetId, bed.Destination, "--storage", "s3", "--storage-config", "x.json");

        Assert.Equal(ExitCodes.Usage, exit);
    }

    private async Task<string> PublishAsync()
    {
        var root = await bed.StoreLocallyAsync(await bed.SubmitExampleAsync(DatasetId), DatasetId);

        var config = Path.Combine(bed.Root, "local.json");
        await File.WriteAllTextAsync(config, new JsonObject { ["local_root"] = root }.ToJsonString(), Ct);
        return config;
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DtpCli.RunAsync(new GlobalOptions { HomeDirectory = bed.Root }, args, new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }
}
