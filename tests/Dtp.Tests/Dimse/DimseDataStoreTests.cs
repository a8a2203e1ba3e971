using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Dtp.Dicom;
using Dtp.Dicom.Network;
using Dtp.Storage;
using Dtp.Storage.Pacs;

namespace Dtp.Tests.Dimse;

[Collection(DimseTests.Name)]
public sealed class DimseDataStoreTests(DimseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_OriginalPacsKeys_ListsTheStudyInThePacsLayout()
    {
        await using var connection = DataStores.Open("pacs", WriteConfig());

        var files = await connection.Store.ListAsync(PacsLayout.SubjectFolder(fixture.StudyUid), Ct).ToListAsync(Ct);

        Assert.IsType<DimseDataStore>(connection.Store);
        Assert.Equal(ExpectedPaths(fixture.Uploaded.Values).Order(StringComparer.Ordinal), files.Select(f => f.RelativePath).Order(StringComparer.Ordinal));
        Assert.All(files, f => Assert.Null(f.Size));
    }

    [Theory]
    [InlineData("get")]
    [InlineData("move")]
    public async Task OpenReadAsync_EveryInstanceInParallel_UidsSyntaxAndPixelsEqualUploaded(string retrieve)
    {
        await using var connection = DataStores.Open("pacs", WriteConfig(retrieve), maxConnections: 4);
        var files = await connection.Store.ListAsync(fixture.StudyUid, Ct).ToListAsync(Ct);
        var read = new ConcurrentDictionary<string, DicomFile>();

        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (file, ct) =>
        {
            await using var stream = await connection.Store.OpenReadAsync(fixture.StudyUid, file, 0, ct);
            using var bytes = new MemoryStream();
            await stream.CopyToAsync(bytes, ct);
            read[file.RelativePath] = DicomFile.Read(bytes.ToArray(), file.RelativePath);
        });

        Assert.Equal(fixture.Uploaded.Count, read.Count);
        foreach (var (path, received) in read)
        {
            var sent = fixture.Uploaded[received.Dataset.GetString(DicomTag.SOPInstanceUID)!];
            Assert.Equal(ExpectedPaths([sent]).Single(), path);
            Assert.Equal(sent.TransferSyntax.Uid, received.TransferSyntax.Uid);
            Assert.Equal(DimseFixture.PixelBytes(sent), DimseFixture.PixelBytes(received));
        }
    }

    [Fact]
    public async Task OpenReadAsync_SameInstanceAgainWithOffset_ReturnsTheTail()
    {
        await using var connection = DataStores.Open("pacs", WriteConfig());
        var file = (await connection.Store.ListAsync(fixture.StudyUid, Ct).ToListAsync(Ct))[0];
        var whole = await ReadAllAsync(await connection.Store.OpenReadAsync(fixture.StudyUid, file, 0, Ct));

        var tail = await ReadAllAsync(await connection.Store.OpenReadAsync(fixture.StudyUid, file, 200, Ct));

        Assert.True(whole.Length > 200);
        Assert.Equal(whole[200..], tail);
    }

    [Fact]
    public async Task ListAsync_UnknownStudy_ThrowsRemoteNamingStudyAndPeer()
    {
        await using var connection = DataStores.Open("pacs", WriteConfig());

        var error = await Assert.ThrowsAsync<DtpException>(() => connection.Store.ListAsync("1.2.3.999", Ct).ToListAsync(Ct).AsTask());

        Assert.Equal(DtpErrorKind.Remote, error.Kind);
        Assert.Contains("1.2.3.999", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{fixture.Server.AeTitle}@127.0.0.1:{fixture.Server.DicomPort}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteDatasetAsync_Study_ThrowsRemoteSayingDicomNetworkingCannotDelete()
    {
        await using var connection = DataStores.Open("pacs", WriteConfig());

        var error = await Assert.ThrowsAsync<DtpException>(() => connection.Store.DeleteDatasetAsync(fixture.StudyUid, Ct));

        Assert.Equal(DtpErrorKind.Remote, error.Kind);
        Assert.Contains(fixture.StudyUid, error.Message, StringComparison.Ordinal);
        Assert.Contains("no delete", error.Message, StringComparison.Ordinal);
        Assert.Single(await fixture.Client().FindAsync(DicomQueryLevel.Study, new DicomDataset().SetString(DicomTag.StudyInstanceUID, DicomVR.UI, fixture.StudyUid), Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task UploadAsync_GeneratedMixedStudy_ListedAndReadBackWithEqualUidsAndPixels()
    {
        var (study, paths) = await DimseFixture.WriteMixedStudyAsync(7, Path.Combine(fixture.Folder, "upload-" + Guid.NewGuid().ToString("N")), Ct);
        var sent = paths.Select(p => DicomFile.Read(File.ReadAllBytes(p), p)).ToDictionary(f => f.Dataset.GetString(DicomTag.SOPInstanceUID)!);
        await using var connection = DataStores.Open("pacs", WriteConfig());
        var uploaded = new List<StoredFile>();

        foreach (var path in paths)
        {
            await using var content = File.OpenRead(path);
            uploaded.Add(await connection.Store.UploadAsync(study, "anywhere/" + Path.GetFileName(path), content, Ct));
        }

        var listed = await connection.Store.ListAsync(study, Ct).ToListAsync(Ct);
        Assert.Equal(ExpectedPaths(sent.Values).Order(StringComparer.Ordinal), uploaded.Select(f => f.RelativePath).Order(StringComparer.Ordinal));
        Assert.Equal(ExpectedPaths(sent.Values).Order(StringComparer.Ordinal), listed.Select(f => f.RelativePath).Order(StringComparer.Ordinal));
        foreach (var file in listed)
        {
            var received = DicomFile.Read(await ReadAllAsync(await connection.Store.OpenReadAsync(study, file, 0, Ct)), file.RelativePath);
            var original = sent[received.Dataset.GetString(DicomTag.SOPInstanceUID)!];
            Assert.Equal(original.Dataset.GetString(DicomTag.SeriesInstanceUID), received.Dataset.GetString(DicomTag.SeriesInstanceUID));
            Assert.Equal(original.Dataset.GetString(DicomTag.SOPClassUID), received.Dataset.GetString(DicomTag.SOPClassUID));
            Assert.Equal(DimseFixture.PixelBytes(original), DimseFixture.PixelBytes(received));
        }
    }

    [Fact]
    public async Task UploadAsync_FileOfAnotherStudy_ThrowsLocalNamingBothStudies()
    {
        await using var connection = DataStores.Open("pacs", WriteConfig());
        var file = fixture.Uploaded.Values.First();
        using var content = new MemoryStream(file.ToArray());

        var error = await Assert.ThrowsAsync<DtpException>(() => connection.Store.UploadAsync("1.2.3.4", "x.dcm", content, Ct));

        Assert.Equal(DtpErrorKind.Local, error.Kind);
        Assert.Contains(fixture.StudyUid, error.Message, StringComparison.Ordinal);
        Assert.Contains("1.2.3.4", error.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<string> ExpectedPaths(IEnumerable<DicomFile> files) => files.Select(f => PacsLayout.RelativePath(
        f.Dataset.GetString(DicomTag.SeriesInstanceUID)!, f.Dataset.GetInt32(DicomTag.InstanceNumber), f.Dataset.GetString(DicomTag.SOPInstanceUID)!));

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var bytes = new MemoryStream();
            await stream.CopyToAsync(bytes, Ct);
            return bytes.ToArray();
        }
    }

    /// <summary>Writes a pacs.json with the original's keys; C-MOVE uses the AE title and port Orthanc knows as dtp's destination.</summary>
    private string WriteConfig(string retrieve = "get")
    {
        var path = Path.Combine(fixture.Folder, $"pacs-{Guid.NewGuid():N}.json");
        var json = new JsonObject
        {
            ["pacs_ip"] = "127.0.0.1",
            ["pacs_port"] = fixture.Server.DicomPort,
            ["pacs_aec"] = fixture.Server.AeTitle,
            ["pacs_aet"] = retrieve == "move" ? DimseFixture.MoveAeTitle : DimseFixture.ClientAeTitle,
            ["pacs_retrieve"] = retrieve,
        };
        if (retrieve == "move")
        {
            json["pacs_listen_port"] = fixture.MovePort;
        }

        File.WriteAllText(path, json.ToJsonString());
        return path;
    }
}
