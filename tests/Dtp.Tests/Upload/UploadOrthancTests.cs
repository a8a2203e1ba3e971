using System.Security.Cryptography;
using Dtp.Storage;
using Dtp.Storage.Pacs;
using Dtp.Tests.Pacs;
using Dtp.Upload;

namespace Dtp.Tests.Upload;

/// <summary>Upload and delete with the embedded commons and the real Orthanc: STOW-RS upload, deletion through Orthanc's REST API.</summary>
[Collection(OrthancTests.Name)]
public sealed class UploadOrthancTests(OrthancFixture orthanc) : IAsyncLifetime
{
    private UploadKit kit = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => kit = await UploadKit.StartAsync(Ct);

    public ValueTask DisposeAsync() => kit.DisposeAsync();

    [Fact]
    public async Task Upload_PacsAndNonDicomFiles_RefusesListingThemAndWritesNothing()
    {
        await using var store = DataStores.Open("pacs", PacsTestData.WriteConfig(kit.Home, orthanc.Server));

        var ex = await Assert.ThrowsAsync<DtpException>(() => kit.UploadAsync(store, cancellationToken: Ct));

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
        Assert.Contains("README.md", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--skip-non-dicom", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await kit.RecordsAsync("experiment", Ct));
    }

    [Fact]
    public async Task UploadThenDelete_OrthancDicomWeb_StoresEveryInstanceByteIdenticalThenDeletesThroughTheRestApi()
    {
        await using var dicomWeb = DataStores.Open("pacs", PacsTestData.WriteConfig(kit.Home, orthanc.Server));
        await using var rest = DataStores.Open("pacs", PacsTestData.WriteConfig(kit.Home, orthanc.Server, api: "orthanc"));
        var source = UploadKit.Tree(kit.Source, p => p.EndsWith(".dcm", StringComparison.Ordinal));

        var summary = await kit.UploadAsync(dicomWeb, options: new UploaderOptions { SkipNonDicom = true }, cancellationToken: Ct);
        var facts = (await kit.RecordsAsync("manifest", Ct)).Select(r => ManifestFileFacts.TryRead((string?)r["supplemental_json_metadata"], out var f) ? (File: (string)r["filename"]!, Facts: f!) : default).ToList();
        var studies = facts.Select(f => f.Facts.Dicom!.StudyInstanceUid).Distinct().ToList();
        var stored = await StoredAsync(dicomWeb.Store, studies);
        await using var deleter = new Deleter(kit.Auth, rest);
        var deleted = await deleter.DeleteDatasetAsync(summary.DatasetId, UploadKit.Program, UploadKit.Project, cancellationToken: Ct);

        Assert.Equal(["CHANGES", "README.md"], summary.Skipped);
        Assert.Equal(12, summary.FilesVerified);
        Assert.Equal(2, studies.Count);
        Assert.All(facts, f => Assert.Equal(source[f.File], stored[f.Facts.Dicom!.SopInstanceUid]));
        Assert.Equal(studies.Order(StringComparer.Ordinal), deleted.StudiesDeleted);
        Assert.Equal(12, deleted.FilesDeleted);
        Assert.Empty(deleted.StudiesNotDeleted);
        Assert.Empty(await kit.RecordsAsync("manifest", Ct));
        foreach (var study in studies)
        {
            Assert.Empty(await ((PacsDataStore)rest.Store).SearchStudiesAsync(studyInstanceUid: study, cancellationToken: Ct).ToListAsync(Ct));
        }
    }

    [Fact]
    public async Task Delete_StudiesAnotherDatasetReferences_AreKeptUntilTheLastDatasetGoes()
    {
        await using var rest = DataStores.Open("pacs", PacsTestData.WriteConfig(kit.Home, orthanc.Server, api: "orthanc"));
        var options = new UploaderOptions { SkipNonDicom = true };
        var first = await kit.UploadAsync(rest, options: options, cancellationToken: Ct);
        var second = await kit.UploadAsync(rest, options: options, cancellationToken: Ct);
        await using var deleter = new Deleter(kit.Auth, rest);

        var keep = await deleter.DeleteDatasetAsync(first.DatasetId, UploadKit.Program, UploadKit.Project, cancellationToken: Ct);
        var stillThere = await ((PacsDataStore)rest.Store).SearchStudiesAsync(cancellationToken: Ct).ToListAsync(Ct);
        var last = await deleter.DeleteDatasetAsync(second.DatasetId, UploadKit.Program, UploadKit.Project, cancellationToken: Ct);

        Assert.Empty(keep.StudiesDeleted);
        Assert.Equal(2, keep.StudiesKept.Count);
        Assert.All(keep.StudiesKept.Values, other => Assert.Equal($"demo-p1/{second.DatasetId}", other));
        Assert.All(keep.StudiesKept.Keys, study => Assert.Contains(stillThere, s => s.StudyInstanceUid == study));
        Assert.Equal(keep.StudiesKept.Keys, last.StudiesDeleted);
    }

    [Fact]
    public async Task Delete_DicomWebOnly_DeletesTheRecordsAndReportsTheStudiesItCannotDelete()
    {
        await using var dicomWeb = DataStores.Open("pacs", PacsTestData.WriteConfig(kit.Home, orthanc.Server));
        await using var rest = DataStores.Open("pacs", PacsTestData.WriteConfig(kit.Home, orthanc.Server, api: "orthanc"));
        var summary = await kit.UploadAsync(dicomWeb, options: new UploaderOptions { SkipNonDicom = true }, cancellationToken: Ct);
        await using var deleter = new Deleter(kit.Auth, dicomWeb);

        var deleted = await deleter.DeleteDatasetAsync(summary.DatasetId, UploadKit.Program, UploadKit.Project, cancellationToken: Ct);

        Assert.Equal(2, deleted.StudiesNotDeleted.Count);
        Assert.All(deleted.StudiesNotDeleted.Values, reason => Assert.Contains("DICOMweb", reason, StringComparison.Ordinal));
        Assert.Empty(deleted.StudiesDeleted);
        Assert.Empty(await kit.RecordsAsync("experiment", Ct));
        foreach (var study in deleted.StudiesNotDeleted.Keys)
        {
            await rest.Store.DeleteDatasetAsync(study, Ct);
        }
    }

    /// <summary>Reads every instance of the studies back through the store: SHA-256 by SOP Instance UID.</summary>
    private static async Task<Dictionary<string, string>> StoredAsync(IDataStore store, IEnumerable<string> studies)
    {
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var study in studies)
        {
            await foreach (var file in store.ListAsync(study, Ct))
            {
                await using var content = await store.OpenReadAsync(study, file, cancellationToken: Ct);
                stored[file.Locator.Split('/')[1]] = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, Ct));
            }
        }

        return stored;
    }
}
