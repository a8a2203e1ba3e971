using Dtp.Storage;
using Dtp.Upload;

namespace Dtp.Tests.Upload;

/// <summary><see cref="Uploader"/> and <see cref="Deleter"/> with the embedded commons over HTTP and the local folder store.</summary>
public sealed class UploaderTests : IAsyncLifetime
{
    private UploadKit kit = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => kit = await UploadKit.StartAsync(Ct);

    public ValueTask DisposeAsync() => kit.DisposeAsync();

    [Fact]
    public async Task UploadDatasetAsync_LocalStore_ClaimsTheFirstIdSubmitsEveryRecordAndStoresTheTree()
    {
        await using var store = kit.OpenLocal();

        var summary = await kit.UploadAsync(store, cancellationToken: Ct);

        Assert.Equal("demo-p1-dataset-1-version-1", summary.DatasetId);
        Assert.Equal(new Dictionary<string, int> { ["experiment"] = 1, ["dataset_description"] = 1, ["case"] = 2, ["sample"] = 4, ["manifest"] = 12 },
            summary.RecordsPerNode.ToDictionary());
        var source = UploadKit.Tree(kit.Source);
        Assert.Equal(source, UploadKit.Tree(Path.Combine(kit.StoreRoot, summary.DatasetId)));
        Assert.Equal(source.Count, summary.FilesVerified);
        Assert.Equal(source.Keys.Order(StringComparer.Ordinal), summary.FilesPushed);
        Assert.Equal(2, (await kit.RecordsAsync("case", Ct)).Count);
    }

    [Fact]
    public async Task UploadDatasetAsync_ManifestRows_CarryEachFilesSizeAndSha256()
    {
        await using var store = kit.OpenLocal();

        await kit.UploadAsync(store, cancellationToken: Ct);

        var rows = await kit.RecordsAsync("manifest", Ct);
        Assert.Equal(12, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.True(ManifestFileFacts.TryRead((string?)row["supplemental_json_metadata"], out var facts), row.ToJsonString());
            var path = Path.Combine(kit.Source, (string)row["filename"]!);
            Assert.Equal(new FileInfo(path).Length, facts!.Size);
            Assert.Equal(UploadKit.Sha256(path), facts.Sha256);
            Assert.Null(facts.Dicom);
        });
    }

    [Fact]
    public async Task UploadDatasetAsync_SecondUpload_GetsTheNextNumber()
    {
        await using var store = kit.OpenLocal();

        var first = await kit.UploadAsync(store, cancellationToken: Ct);
        var second = await kit.UploadAsync(store, cancellationToken: Ct);

        Assert.Equal("demo-p1-dataset-1-version-1", first.DatasetId);
        Assert.Equal("demo-p1-dataset-2-version-1", second.DatasetId);
        Assert.Equal(4, (await kit.RecordsAsync("case", Ct)).Count);
    }

    [Fact]
    public async Task UploadDatasetAsync_GivenId_UsesIt()
    {
        await using var store = kit.OpenLocal();

        var summary = await kit.UploadAsync(store, "demo-p1-dataset-7-version-1", cancellationToken: Ct);

        Assert.Equal("demo-p1-dataset-7-version-1", summary.DatasetId);
        Assert.Equal("demo-p1-dataset-7-version-1", (string?)Assert.Single(await kit.RecordsAsync("experiment", Ct))["submitter_id"]);
    }

    [Fact]
    public async Task UploadDatasetAsync_InvalidDataset_ThrowsTheFindingsAndWritesNothing()
    {
        File.Delete(Path.Combine(kit.Source, "subjects.xlsx"));
        await using var store = kit.OpenLocal();

        var ex = await Assert.ThrowsAsync<DtpException>(() => kit.UploadAsync(store, cancellationToken: Ct));

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
        Assert.Contains("subjects", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await kit.RecordsAsync("experiment", Ct));
        Assert.False(Directory.Exists(kit.StoreRoot) && Directory.EnumerateFileSystemEntries(kit.StoreRoot).Any());
    }

    [Fact]
    public async Task UploadDatasetAsync_StoreFails_ReportsTheRecordsWritten()
    {
        await File.WriteAllTextAsync(kit.LocalConfig, """{"local_root": "store"}""", Ct);
        Directory.CreateDirectory(kit.StoreRoot);
        await File.WriteAllTextAsync(Path.Combine(kit.StoreRoot, "demo-p1-dataset-1-version-1"), "a file where the dataset folder belongs", Ct);
        await using var store = kit.OpenLocal();

        var ex = await Assert.ThrowsAsync<UploadException>(() => kit.UploadAsync(store, cancellationToken: Ct));

        Assert.Equal("demo-p1-dataset-1-version-1", ex.Written.DatasetId);
        Assert.Equal(12, ex.Written.RecordsPerNode["manifest"]);
        Assert.Equal(2, ex.Written.RecordsPerNode["case"]);
        Assert.Empty(ex.Written.FilesPushed);
    }

    [Fact]
    public async Task DeleteDatasetAsync_AfterUpload_LeavesNoRecordAndNoFile()
    {
        await using var store = kit.OpenLocal();
        var summary = await kit.UploadAsync(store, cancellationToken: Ct);
        await using var deleter = new Deleter(kit.Auth, store);

        var deleted = await deleter.DeleteDatasetAsync(summary.DatasetId, UploadKit.Program, UploadKit.Project, cancellationToken: Ct);

        Assert.Equal(summary.RecordsPerNode.ToDictionary(), deleted.RecordsPerNode.ToDictionary());
        Assert.Equal(summary.FilesPushed.Count, deleted.FilesDeleted);
        foreach (var node in new[] { "experiment", "dataset_description", "case", "sample", "manifest" })
        {
            Assert.Empty(await kit.RecordsAsync(node, Ct));
        }

        Assert.False(Directory.Exists(Path.Combine(kit.StoreRoot, summary.DatasetId)));
    }

    [Fact]
    public async Task DeleteDatasetAsync_DryRun_ListsWhatWouldGoAndDeletesNothing()
    {
        await using var store = kit.OpenLocal();
        var summary = await kit.UploadAsync(store, cancellationToken: Ct);
        await using var deleter = new Deleter(kit.Auth, store);

        var plan = await deleter.DeleteDatasetAsync(summary.DatasetId, UploadKit.Program, UploadKit.Project, dryRun: true, Ct);

        Assert.True(plan.DryRun);
        Assert.Equal(summary.RecordsPerNode.ToDictionary(), plan.RecordsPerNode.ToDictionary());
        Assert.Equal(summary.FilesPushed.Count, plan.FilesDeleted);
        Assert.Equal(12, (await kit.RecordsAsync("manifest", Ct)).Count);
        Assert.Equal(summary.FilesPushed.Count, UploadKit.Tree(Path.Combine(kit.StoreRoot, summary.DatasetId)).Count);
    }

    [Fact]
    public async Task DeleteDatasetAsync_OtherDatasetOfTheProject_IsLeftAlone()
    {
        await using var store = kit.OpenLocal();
        var first = await kit.UploadAsync(store, cancellationToken: Ct);
        var second = await kit.UploadAsync(store, cancellationToken: Ct);
        await using var deleter = new Deleter(kit.Auth, store);

        await deleter.DeleteDatasetAsync(first.DatasetId, UploadKit.Program, UploadKit.Project, cancellationToken: Ct);

        Assert.Equal(second.DatasetId, (string?)Assert.Single(await kit.RecordsAsync("experiment", Ct))["submitter_id"]);
        Assert.Equal(12, (await kit.RecordsAsync("manifest", Ct)).Count);
        Assert.True(Directory.Exists(Path.Combine(kit.StoreRoot, second.DatasetId)));
    }

    [Fact]
    public async Task DeleteDatasetAsync_UnknownDataset_ThrowsRemote()
    {
        await using var store = kit.OpenLocal();
        await using var deleter = new Deleter(kit.Auth, store);

        var ex = await Assert.ThrowsAsync<DtpException>(() => deleter.DeleteDatasetAsync("demo-p1-dataset-9-version-1", UploadKit.Program, UploadKit.Project, cancellationToken: Ct));

        Assert.Equal(DtpErrorKind.Remote, ex.Kind);
        Assert.Contains("demo-p1-dataset-9-version-1", ex.Message, StringComparison.Ordinal);
    }
}
