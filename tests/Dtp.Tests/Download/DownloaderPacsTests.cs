using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dtp.Config;
using Dtp.Dicom;
using Dtp.Download;
using Dtp.Storage;
using Dtp.Storage.Pacs;
using Dtp.Testing;
using Dtp.Testing.Commons;
using Dtp.Tests.Pacs;

namespace Dtp.Tests.Download;

/// <summary>Downloads a PACS dataset (one study per case) from the real Orthanc over DICOMweb, with metadata in the embedded commons.</summary>
[Collection(OrthancTests.Name)]
public sealed class DownloaderPacsTests(OrthancFixture orthanc) : IAsyncLifetime
{
    private const string DatasetId = "dataset-pacs-1";
    private DownloadTestBed bed = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Final => Path.Combine(bed.Destination, DatasetId);

    public async ValueTask InitializeAsync() => bed = await DownloadTestBed.StartAsync();

    public ValueTask DisposeAsync() => bed.DisposeAsync();

    [Fact]
    public async Task DownloadDatasetAsync_OrthancOverDicomWeb_FilesStudyUnderPrimaryByteIdenticalWithTheManifestsNames()
    {
        var (study, source, named) = await PublishAsync(seed: 1201);

        var summary = await DownloadAsync(PacsTestData.WriteConfig(bed.Root, orthanc.Server));

        Assert.True(summary.Complete, string.Join("\n", summary.Files.Select(f => $"{f.Path}: {f.Reason}")));
        var subject = PacsLayout.SubjectFolder(study);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var layout = $"primary/{subject}/{Path.GetRelativePath(source, file).Replace('\\', '/')}";
            var expected = named.GetValueOrDefault(layout, layout);
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(Final, expected))), $"{expected} differs");
        }

        Assert.Equal(Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Count(), summary.Files.Count);
        Assert.Equal(named.Count, summary.Files.Count(f => f.VerifiedWith.Contains("sha256 (manifest)", StringComparison.Ordinal)));
        Assert.Equal(summary.Files.Count - named.Count, summary.ExtraFiles.Count);
        Assert.All(summary.Files, f => Assert.StartsWith($"primary/{subject}/sam-", f.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadDatasetAsync_OrthancResponseCutMidInstance_FailsClearlyThenTheNextRunCompletes()
    {
        var (_, _, named) = await PublishAsync(seed: 1202);
        await using var proxy = FaultProxy.Start(orthanc.Server.BaseAddress);
        var config = PacsTestData.WriteConfig(bed.Root, orthanc.Server, url: new Uri(proxy.BaseAddress, "dicom-web/"));
        var first = await DownloadAsync(config);
        Directory.Delete(Final, recursive: true);
        File.Delete(Path.Combine(bed.Destination, $".{DatasetId}.dtp-state.json"));
        proxy.DefaultFault = Fault.CutResponseAfter(40_000);

        var cut = await DownloadAsync(config, new DownloadOptions { TransferAttempts = 1 });
        var looksComplete = Directory.Exists(Final);
        proxy.DefaultFault = Fault.None;
        var again = await DownloadAsync(config);

        Assert.True(first.Complete);
        Assert.False(cut.Complete);
        Assert.False(looksComplete);
        Assert.Contains(cut.Files, f => f.Reason?.Contains("partial file is kept", StringComparison.Ordinal) == true);
        Assert.True(again.Complete, string.Join("\n", again.Files.Select(f => $"{f.Path}: {f.Reason}")));
        Assert.Equal(cut.Failed, again.Transferred);
        Assert.NotEmpty(named);
    }

    /// <summary>
    /// Generates a study, stores it in Orthanc and submits an experiment, a case <c>sub-&lt;study&gt;</c> and manifest rows for the
    /// first instance of each series, each with its facts and a name of its own; returns the study, its files and those names.
    /// </summary>
    private async Task<(string Study, string Source, Dictionary<string, string> Named)> PublishAsync(int seed)
    {
        var options = new SyntheticStudyOptions { Seed = seed, SeriesPerStudy = 2, InstancesPerSeries = 4, Rows = 256, Columns = 256 };
        var (study, source) = await PacsTestData.WriteStudyAsync(Path.Combine(bed.Root, "pacs-source"), options, Ct);
        using (var store = PacsDataStore.Create(PacsConfig.Load(PacsTestData.WriteConfig(bed.Root, orthanc.Server))))
        {
            await store.UploadFilesAsync([source], cancellationToken: Ct);
        }

        var subject = PacsLayout.SubjectFolder(study);
        var project = DownloadTestBed.Project;
        var records = new JsonArray { SdsRecords.Experiment(DatasetId, project), SdsRecords.Case(subject, DatasetId) };
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var series in Directory.EnumerateDirectories(source).Order(StringComparer.Ordinal))
        {
            var file = Directory.EnumerateFiles(series).Order(StringComparer.Ordinal).First();
            var bytes = await File.ReadAllBytesAsync(file, Ct);
            var dicom = DicomFile.ReadHeader(bytes).Dataset;
            var uids = new DicomInstanceUids(study, dicom.GetString(DicomTag.SeriesInstanceUID)!, dicom.GetString(DicomTag.SOPInstanceUID)!);
            var name = $"primary/{subject}/{Path.GetFileName(series)}/scan-{named.Count + 1}.dcm";
            named[$"primary/{subject}/{Path.GetFileName(series)}/{Path.GetFileName(file)}"] = name;
            records.Add(SdsRecords.Manifest(DatasetId, name, new ManifestFileFacts(bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)), uids), "an MR slice"));
        }

        await bed.SubmitAsync(records);
        return (study, source, named);
    }

    private async Task<DownloadSummary> DownloadAsync(string pacsConfig, DownloadOptions? options = null)
    {
        using var auth = bed.CreateAuth();
        using var store = PacsDataStore.Create(PacsConfig.Load(pacsConfig));
        await using var downloader = new Downloader(store, "pacs", auth);
        return await downloader.DownloadDatasetAsync(DatasetId, bed.Destination, options, cancellationToken: Ct);
    }
}
