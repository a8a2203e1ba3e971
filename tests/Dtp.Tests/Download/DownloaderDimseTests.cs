using System.Text.Json.Nodes;
using Dtp.Dicom;
using Dtp.Download;
using Dtp.Storage;
using Dtp.Storage.Pacs;
using Dtp.Testing.Commons;
using Dtp.Tests.Dimse;

namespace Dtp.Tests.Download;

/// <summary>Downloads a PACS dataset over DICOM networking (C-FIND, C-GET) from Orthanc, with metadata in the embedded commons.</summary>
[Collection(DimseTests.Name)]
public sealed class DownloaderDimseTests(DimseFixture fixture) : IAsyncLifetime
{
    private const string DatasetId = "dataset-dimse-1";
    private DownloadTestBed bed = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => bed = await DownloadTestBed.StartAsync();

    public ValueTask DisposeAsync() => bed.DisposeAsync();

    [Fact]
    public async Task DownloadDatasetAsync_OverDicomNetworking_EveryInstanceArrivesWithItsUidsAndPixelData()
    {
        var subject = PacsLayout.SubjectFolder(fixture.StudyUid);
        await bed.SubmitAsync([SdsRecords.Experiment(DatasetId, DownloadTestBed.Project), SdsRecords.Case(subject, DatasetId)]);
        var config = Path.Combine(bed.Root, "pacs.json");
        File.WriteAllText(config, new JsonObject
        {
            ["pacs_ip"] = "127.0.0.1",
            ["pacs_port"] = fixture.Server.DicomPort,
            ["pacs_aec"] = fixture.Server.AeTitle,
            ["pacs_aet"] = DimseFixture.ClientAeTitle,
        }.ToJsonString());
        using var auth = bed.CreateAuth();
        await using var connection = DataStores.Open("pacs", config, maxConnections: 4);
        await using var downloader = new Downloader(connection.Store, "pacs", auth);

        var summary = await downloader.DownloadDatasetAsync(DatasetId, bed.Destination, cancellationToken: Ct);

        Assert.True(summary.Complete, string.Join("\n", summary.Files.Select(f => $"{f.Path}: {f.Reason}")));
        Assert.Equal(fixture.Uploaded.Count, summary.Files.Count);
        foreach (var file in summary.Files)
        {
            var received = DicomFile.Read(File.ReadAllBytes(Path.Combine(summary.Folder, file.Path)), file.Path);
            var sent = fixture.Uploaded[received.Dataset.GetString(DicomTag.SOPInstanceUID)!];
            var expected = PacsLayout.RelativePath(sent.Dataset.GetString(DicomTag.SeriesInstanceUID)!, sent.Dataset.GetInt32(DicomTag.InstanceNumber), sent.Dataset.GetString(DicomTag.SOPInstanceUID)!);
            Assert.Equal($"primary/{subject}/{expected}", file.Path);
            Assert.Equal(fixture.StudyUid, received.Dataset.GetString(DicomTag.StudyInstanceUID));
            Assert.Equal(DimseFixture.PixelBytes(sent), DimseFixture.PixelBytes(received));
        }
    }
}
