using Dtp.Download;
using Dtp.Sds;
using Dtp.Storage;
using Dtp.Tests.Pacs;
using Dtp.Upload;

namespace Dtp.Tests.Upload;

/// <summary>Upload with the <see cref="Uploader"/>, download with the <see cref="Downloader"/>, compare with the source, then delete.</summary>
[Collection(OrthancTests.Name)]
public sealed class UploadDownloadRoundTripTests(OrthancFixture orthanc) : IAsyncLifetime
{
    private UploadKit kit = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => kit = await UploadKit.StartAsync(Ct);

    public ValueTask DisposeAsync() => kit.DisposeAsync();

    [Fact]
    public async Task RoundTrip_LocalStore_DataByteIdenticalMetadataEqualAndDeleteLeavesNothing()
    {
        await using var store = kit.OpenLocal();

        var folder = await RoundTripAsync(store, null);

        await AssertMetadataAsync(folder);
        var isData = (string p) => p.StartsWith("primary/", StringComparison.Ordinal);
        Assert.Equal(UploadKit.Tree(kit.Source, p => isData(p)), UploadKit.Tree(folder, p => isData(p)));
        Assert.False(Directory.Exists(Path.Combine(kit.StoreRoot, Path.GetFileName(folder))));
    }

    [Fact]
    public async Task RoundTrip_OrthancDicomWeb_InstancesByteIdenticalUnderTheirManifestNamesAndDeleteLeavesNothing()
    {
        await using var dicomWeb = DataStores.Open("pacs", PacsTestData.WriteConfig(kit.Home, orthanc.Server));
        await using var rest = DataStores.Open("pacs", PacsTestData.WriteConfig(kit.Home, orthanc.Server, api: "orthanc"));

        var folder = await RoundTripAsync(dicomWeb, rest);

        var isDicom = (string p) => p.EndsWith(".dcm", StringComparison.Ordinal);
        Assert.Equal(UploadKit.Tree(kit.Source, p => isDicom(p)), UploadKit.Tree(folder, p => isDicom(p)));
        Assert.Empty(await ((Dtp.Storage.Pacs.PacsDataStore)rest.Store).SearchStudiesAsync(patientId: "DTP-2026-P001", cancellationToken: Ct).ToListAsync(Ct));
    }

    /// <summary>Uploads the example, downloads it, deletes it (through <paramref name="deleteThrough"/> when given) and checks nothing is left; returns the downloaded folder.</summary>
    private async Task<string> RoundTripAsync(DataStoreConnection store, DataStoreConnection? deleteThrough)
    {
        var upload = await kit.UploadAsync(store, options: new UploaderOptions { SkipNonDicom = store.Kind == "pacs" }, cancellationToken: Ct);
        await using var downloader = new Downloader(store.Store, store.Kind, kit.Auth);
        var download = await downloader.DownloadDatasetAsync(upload.DatasetId, Path.Combine(kit.Home, "download"), new DownloadOptions { Program = UploadKit.Program, Project = UploadKit.Project }, cancellationToken: Ct);
        await using var deleter = new Deleter(kit.Auth, deleteThrough ?? store);
        var deleted = await deleter.DeleteDatasetAsync(upload.DatasetId, UploadKit.Program, UploadKit.Project, cancellationToken: Ct);

        Assert.True(download.Complete);
        Assert.Empty(deleted.StudiesNotDeleted);
        foreach (var node in new[] { "experiment", "case", "sample", "manifest", "dataset_description" })
        {
            Assert.Empty(await kit.RecordsAsync(node, Ct));
        }

        return download.Folder;
    }

    /// <summary>Asserts the downloaded folder validates and holds the source's subjects and samples.</summary>
    private async Task AssertMetadataAsync(string folder)
    {
        var source = await SdsDatasetReader.ReadAsync(kit.Source, cancellationToken: Ct);
        var copy = await SdsDatasetReader.ReadAsync(folder, cancellationToken: Ct);
        Assert.DoesNotContain(SdsValidator.Validate(copy), f => f.Severity == SdsSeverity.Error);
        foreach (var (table, key) in new[] { (SdsFileKind.Subjects, "subject_id"), (SdsFileKind.Samples, "sample_id") })
        {
            Assert.Equal(Rows(source, table, key), Rows(copy, table, key));
        }
    }

    private static List<string> Rows(SdsDataset dataset, SdsFileKind kind, string key) =>
        [.. ((SdsTableFile)dataset.Metadata[kind]).Records.Select(r => string.Join('|', key, r[key]?.Text, r["species"]?.Text, r["sex"]?.Text, r["age"]?.Text, r["subject_id"]?.Text)).Order(StringComparer.Ordinal)];
}
