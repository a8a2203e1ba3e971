using System.Text.Json.Nodes;
using Dtp.Dicom;
using Dtp.Download;
using Dtp.Storage;
using Dtp.Tests.Dimse;
using Dtp.Tests.Pacs;
using Dtp.Upload;

namespace Dtp.Tests.Upload;

/// <summary>Upload over DICOM networking (C-STORE) to the real Orthanc, downloaded with the Downloader (C-FIND, C-GET); deletion through Orthanc's REST API.</summary>
[Collection(DimseTests.Name)]
public sealed class UploadDimseTests(DimseFixture fixture) : IAsyncLifetime
{
    private UploadKit kit = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => kit = await UploadKit.StartAsync(Ct);

    public ValueTask DisposeAsync() => kit.DisposeAsync();

    [Fact]
    public async Task UploadDownloadDelete_DicomNetworking_InstancesComeBackWithEqualUidsAndPixelsThenDeleteLeavesNothing()
    {
        var config = Path.Combine(kit.Home, "pacs-dimse.json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["pacs_ip"] = "127.0.0.1", ["pacs_port"] = fixture.Server.DicomPort, ["pacs_aec"] = fixture.Server.AeTitle, ["pacs_aet"] = DimseFixture.ClientAeTitle,
        }.ToJsonString(), Ct);
        await using var dimse = DataStores.Open("pacs", config);
        await using var rest = DataStores.Open("pacs", PacsTestData.WriteConfig(kit.Home, fixture.Server, api: "orthanc"));
        var sent = Directory.EnumerateFiles(kit.Source, "*.dcm", SearchOption.AllDirectories).Select(p => DicomFile.Read(File.ReadAllBytes(p), p))
            .ToDictionary(f => f.Dataset.GetString(DicomTag.SOPInstanceUID)!);

        var summary = await kit.UploadAsync(dimse, options: new UploaderOptions { SkipNonDicom = true }, cancellationToken: Ct);
        var studies = sent.Values.Select(f => f.Dataset.GetString(DicomTag.StudyInstanceUID)!).Distinct().ToList();
        await using var downloader = new Downloader(dimse.Store, dimse.Kind, kit.Auth);
        var download = await downloader.DownloadDatasetAsync(summary.DatasetId, Path.Combine(kit.Home, "download"),
            new DownloadOptions { Program = UploadKit.Program, Project = UploadKit.Project }, cancellationToken: Ct);
        var received = Directory.EnumerateFiles(download.Folder, "*.dcm", SearchOption.AllDirectories)
            .Select(p => DicomFile.Read(File.ReadAllBytes(p), p)).ToList();

        await using var dimseDeleter = new Deleter(kit.Auth, dimse);
        var plan = await dimseDeleter.DeleteDatasetAsync(summary.DatasetId, UploadKit.Program, UploadKit.Project, dryRun: true, Ct);
        await using var deleter = new Deleter(kit.Auth, rest);
        var deleted = await deleter.DeleteDatasetAsync(summary.DatasetId, UploadKit.Program, UploadKit.Project, cancellationToken: Ct);

        Assert.True(download.Complete);
        Assert.Equal(12, summary.FilesVerified);
        Assert.Equal(sent.Keys.Order(StringComparer.Ordinal), received.Select(f => f.Dataset.GetString(DicomTag.SOPInstanceUID)!).Order(StringComparer.Ordinal));
        Assert.All(received, r =>
        {
            var s = sent[r.Dataset.GetString(DicomTag.SOPInstanceUID)!];
            Assert.Equal(s.Dataset.GetString(DicomTag.SeriesInstanceUID), r.Dataset.GetString(DicomTag.SeriesInstanceUID));
            Assert.Equal(DimseFixture.PixelBytes(s), DimseFixture.PixelBytes(r));
        });
        Assert.Equal(studies.Order(StringComparer.Ordinal), plan.StudiesDeleted);
        Assert.Equal(studies.Order(StringComparer.Ordinal), deleted.StudiesDeleted);
        Assert.Empty(await kit.RecordsAsync("manifest", Ct));
        foreach (var study in studies)
        {
            await Assert.ThrowsAnyAsync<DtpException>(async () => await rest.Store.ListAsync(study, Ct).ToListAsync(Ct));
        }
    }
}
