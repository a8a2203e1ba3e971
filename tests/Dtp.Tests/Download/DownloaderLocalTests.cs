using System.Text.Json.Nodes;
using Dtp.Download;
using Dtp.Sds;
using Dtp.Storage;

namespace Dtp.Tests.Download;

/// <summary>Downloads from the local folder store with metadata in the embedded commons.</summary>
public sealed class DownloaderLocalTests : IAsyncLifetime
{
    private const string DatasetId = "dataset-12L_1-version-1";
    private DownloadTestBed bed = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string StoreRoot => Path.Combine(bed.Root, "store");

    private string Final => Path.Combine(bed.Destination, DatasetId);

    public async ValueTask InitializeAsync() => bed = await DownloadTestBed.StartAsync();

    public ValueTask DisposeAsync() => bed.DisposeAsync();

    [Fact]
    public async Task DownloadDatasetAsync_LocalStore_DeliversEveryFileByteIdenticalAndVerified()
    {
        var source = await PublishAsync();

        var summary = await DownloadAsync();

        Assert.True(summary.Complete, string.Join("\n", summary.Files.Where(f => f.Reason is not null).Select(f => $"{f.Path}: {f.Reason}")));
        Assert.Equal(Final, summary.Folder);
        Assert.Equal($"{DownloadTestBed.Program}-{DownloadTestBed.Project}", summary.ProjectId);
        DownloadTestBed.AssertContains(source, Final, DownloadTestBed.IsData);
        Assert.Equal(Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Count() - 4, summary.Transferred);
        Assert.Equal(["dataset_description.xlsx", "manifest.xlsx", "samples.xlsx", "subjects.xlsx"], summary.MetadataFiles.Order(StringComparer.Ordinal));
        Assert.Empty(summary.MetadataDifferences);
        Assert.Empty(summary.Findings);
        Assert.Equal(18, summary.Files.Count(f => f.VerifiedWith.Contains("sha256 (manifest)", StringComparison.Ordinal)));
        Assert.False(Directory.Exists(Final + Downloader.PartialSuffix));
        Assert.Contains("code_description.xlsx", summary.ExtraFiles);
        Assert.DoesNotContain("dataset_description.xlsx", summary.ExtraFiles);
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(bed.Destination, $".{DatasetId}.dtp-state.json")))!;
        Assert.True((bool)state["complete"]!);
        Assert.Equal(summary.Files.Count, state["files"]!.AsObject().Count);
    }

    [Fact]
    public async Task DownloadDatasetAsync_MetadataFromGen3_HoldsTheSourcesValuesAndTheFolderPassesValidation()
    {
        var source = await PublishAsync();

        await DownloadAsync();

        var dataset = await SdsDatasetReader.ReadAsync(Final, cancellationToken: Ct);
        var original = await SdsDatasetReader.ReadAsync(source, cancellationToken: Ct);
        // Rows come back in Gen3's order, so an error's pointer to an earlier row may name another cell than the source's.
        static HashSet<string> Errors(SdsDataset d) => [.. SdsValidator.Validate(d).Where(f => f.Severity == SdsSeverity.Error)
            .Select(f => System.Text.RegularExpressions.Regex.Replace(f.Message, @" \(first in [A-Z]+[0-9]+\)", ""))];
        Assert.Empty(Errors(dataset).Except(Errors(original)));
        Assert.Equal(original.Version, dataset.Version);
        Assert.Equal(original.DatasetDescription!.Element("title")!.First!.Text, dataset.DatasetDescription!.Element("title")!.First!.Text);
        Assert.Equal(Ids(original.Subjects!, "subject_id"), Ids(dataset.Subjects!, "subject_id"));
        Assert.Equal(Ids(original.Samples!, "sample_id"), Ids(dataset.Samples!, "sample_id"));
        Assert.Equal(Ids(original.Manifests.Single(), "filename"), Ids(Assert.Single(dataset.Manifests), "filename"));
    }

    [Fact]
    public async Task DownloadDatasetAsync_StoreMetadataDiffersFromGen3_KeepsGen3sAndReportsTheDifference()
    {
        await PublishAsync();
        var subjects = Path.Combine(StoreRoot, DatasetId, "subjects.xlsx");
        var changed = Path.Combine(bed.Root, "subjects.csv");
        var table = await SdsMetadataReader.ReadFileAsync(subjects, cancellationToken: Ct) as SdsTableFile;
        var rows = table!.Records.Select(r => string.Join(',', table.Headers.Select(h => r[h.Key]?.Text ?? ""))).ToList();
        var value = table.Headers.Skip(1).Select(h => table.Records[0][h.Key]).First(v => v is not null)!.Text;
        rows[0] = rows[0].Replace(value, "changed-in-store", StringComparison.Ordinal);
        File.WriteAllLines(changed, [string.Join(',', table.Headers.Select(h => h.Text)), .. rows]);
        File.Delete(subjects);
        File.Copy(changed, Path.Combine(StoreRoot, DatasetId, "subjects.csv"));

        var summary = await DownloadAsync();

        Assert.True(summary.Complete);
        var difference = Assert.Single(summary.MetadataDifferences);
        Assert.Contains("subjects.csv (store) vs subjects.xlsx (Gen3)", difference, StringComparison.Ordinal);
        Assert.Contains("changed-in-store", difference, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Final, "subjects.csv")));
        Assert.True(File.Exists(Path.Combine(Final, "subjects.xlsx")));
    }

    [Fact]
    public async Task DownloadDatasetAsync_SecondRun_SkipsEveryVerifiedFile()
    {
        await PublishAsync();
        var first = await DownloadAsync();

        var second = await DownloadAsync();

        Assert.True(second.Complete);
        Assert.Equal(0, second.Transferred);
        Assert.Equal(first.Files.Count, second.Skipped);
        Assert.Equal(first.Bytes, second.Bytes);
    }

    [Fact]
    public async Task DownloadDatasetAsync_FileCorruptedOnDiskAfterDownload_FetchesItAgain()
    {
        var source = await PublishAsync();
        await DownloadAsync();
        var corrupted = Path.Combine(Final, "README.md");
        var bytes = File.ReadAllBytes(corrupted);
        bytes[0] ^= 0xFF;
        File.WriteAllBytes(corrupted, bytes);
        File.Delete(Path.Combine(Final, "primary", "sub-1", "sam-1", "1-002.dcm"));

        var summary = await DownloadAsync();

        Assert.True(summary.Complete);
        Assert.Equal(["README.md", "primary/sub-1/sam-1/1-002.dcm"], summary.Files.Where(f => f.Status == DownloadFileStatus.Transferred).Select(f => f.Path));
        DownloadTestBed.AssertContains(source, Final, DownloadTestBed.IsData);
    }

    [Fact]
    public async Task DownloadDatasetAsync_Overwrite_FetchesEveryFileAgain()
    {
        await PublishAsync();
        var first = await DownloadAsync();

        var again = await DownloadAsync(new DownloadOptions { Overwrite = true });

        Assert.Equal(first.Files.Count, again.Transferred);
        Assert.Equal(0, again.Skipped);
    }

    [Fact]
    public async Task DownloadDatasetAsync_StoreFileDiffersFromManifest_FailsThatFileAndLeavesOnlyAPartialFolder()
    {
        var source = await PublishAsync(facts: (file, facts) => file == "docs/thumbnail_0.jpg" ? facts with { Sha256 = new string('0', 64) } : facts);

        var summary = await DownloadAsync();

        Assert.False(summary.Complete);
        var failed = Assert.Single(summary.Files, f => f.Status == DownloadFileStatus.Failed);
        Assert.Equal("docs/thumbnail_0.jpg", failed.Path);
        Assert.Contains("differs from the manifest's 0000", failed.Reason, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Final));
        Assert.Equal(Final + Downloader.PartialSuffix, summary.Folder);
        Assert.False(File.Exists(Path.Combine(summary.Folder, "docs", "thumbnail_0.jpg")));
        Assert.True(File.Exists(Path.Combine(summary.Folder, "docs", "thumbnail_1.jpg")));
        Assert.Empty(Directory.EnumerateFiles(summary.Folder, "*.part", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(source, "docs", "thumbnail_0.jpg")));
    }

    [Fact]
    public async Task DownloadDatasetAsync_ManifestListsAFileTheStoreLacks_ReportsItMissing()
    {
        await PublishAsync();
        File.Delete(Path.Combine(StoreRoot, DatasetId, "primary", "sub-2", "sam-2", "1-004.dcm"));

        var summary = await DownloadAsync();

        Assert.False(summary.Complete);
        var failed = Assert.Single(summary.Files, f => f.Status == DownloadFileStatus.Failed);
        Assert.Equal("primary/sub-2/sam-2/1-004.dcm", failed.Path);
        Assert.Contains("listed in the Gen3 manifest", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadDatasetAsync_CompleteFolderThenFailedRun_LeavesNoFolderThatLooksComplete()
    {
        await PublishAsync();
        await DownloadAsync();
        File.Delete(Path.Combine(Final, "docs", "thumbnail_1.jpg"));
        File.Delete(Path.Combine(StoreRoot, DatasetId, "docs", "thumbnail_1.jpg"));

        var summary = await DownloadAsync();

        Assert.False(summary.Complete);
        Assert.False(Directory.Exists(Final));
        Assert.True(Directory.Exists(Final + Downloader.PartialSuffix));
    }

    [Fact]
    public async Task DownloadDatasetAsync_UnknownDatasetId_ThrowsRemoteAndCreatesNothing()
    {
        await PublishAsync();

        var ex = await Assert.ThrowsAsync<DtpException>(() => DownloadAsync(datasetId: "no-such-dataset"));

        Assert.Equal(DtpErrorKind.Remote, ex.Kind);
        Assert.Contains("no-such-dataset", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(bed.Destination));
    }

    [Fact]
    public async Task DownloadDatasetAsync_IdInTwoProjects_ThrowsLocalListingThemUnlessOneIsNamed()
    {
        await PublishAsync();
        await bed.Commons.CreateProjectAsync(DownloadTestBed.Program, "other", Ct);
        await bed.SubmitExampleAsync(DatasetId, project: "other");

        var ex = await Assert.ThrowsAsync<DtpException>(() => DownloadAsync());
        var named = await DownloadAsync(new DownloadOptions { Program = DownloadTestBed.Program, Project = DownloadTestBed.Project });

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
        Assert.Contains("demo1-12L, demo1-other", ex.Message, StringComparison.Ordinal);
        Assert.True(named.Complete);
        Assert.Equal("demo1-12L", named.ProjectId);
    }

    [Fact]
    public async Task DownloadDatasetAsync_CancelledAfterTheFirstFile_LeavesAPartialFolderThatTheNextRunCompletes()
    {
        var source = await PublishAsync();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new SyncProgress(p =>
        {
            if (p.FilesDone >= 1)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DownloadAsync(new DownloadOptions { MaxParallelTransfers = 1 }, progress, cancellationToken: cancel.Token));
        var partialFiles = Directory.EnumerateFiles(Final + Downloader.PartialSuffix, "*", SearchOption.AllDirectories).Count();
        var summary = await DownloadAsync();

        Assert.False(Directory.Exists(Final + Downloader.PartialSuffix));
        Assert.InRange(partialFiles, 1, summary.Files.Count - 1);
        Assert.True(summary.Skipped >= 1);
        DownloadTestBed.AssertContains(source, Final, DownloadTestBed.IsData);
    }

    [Fact]
    public async Task DownloadDatasetAsync_Progress_ReportsEveryFileAndAllBytes()
    {
        await PublishAsync();
        var reports = new List<DownloadProgress>();
        var progress = new SyncProgress(p =>
        {
            lock (reports)
            {
                reports.Add(p);
            }
        });

        var summary = await DownloadAsync(progress: progress);

        var last = reports.MaxBy(r => r.FilesDone)!;
        Assert.Equal(summary.Files.Count, last.FilesDone);
        Assert.Equal(summary.Files.Count, last.FilesTotal);
        Assert.Equal(summary.Bytes, reports.Max(r => r.BytesDone));
        Assert.Equal(summary.Bytes, last.BytesTotal);
    }

    private static List<string> Ids(SdsTableFile file, string key) =>
        [.. file.Records.Select(r => r[key]?.Text ?? "").Order(StringComparer.Ordinal)];

    private async Task<string> PublishAsync(Func<string, ManifestFileFacts, ManifestFileFacts?>? facts = null)
    {
        var source = await bed.SubmitExampleAsync(DatasetId, facts: facts);
        await bed.StoreLocallyAsync(source, DatasetId);
        return source;
    }

    private async Task<DownloadSummary> DownloadAsync(DownloadOptions? options = null, IProgress<DownloadProgress>? progress = null,
        string datasetId = DatasetId, CancellationToken? cancellationToken = null)
    {
        using var auth = bed.CreateAuth();
        await using var downloader = new Downloader(new LocalDataStore(StoreRoot), "local", auth);
        return await downloader.DownloadDatasetAsync(datasetId, bed.Destination, options, progress, cancellationToken ?? Ct);
    }

    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool, after the call returned).</summary>
    private sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
