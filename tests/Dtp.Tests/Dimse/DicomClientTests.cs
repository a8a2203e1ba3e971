using Dtp.Dicom;
using Dtp.Dicom.Network;
using Dtp.Testing.Orthanc;

namespace Dtp.Tests.Dimse;

[Collection(DimseTests.Name)]
public sealed class DicomClientTests(DimseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EchoAsync_Orthanc_Succeeds()
    {
        var client = fixture.Client();

        var echo = client.EchoAsync(Ct);

        await echo;
        Assert.True(echo.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task EchoAsync_ClosedPort_ThrowsNamingHostPortAndAeTitles()
    {
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = Dtp.Testing.FreePort.Next(), CalledAeTitle = "NOBODY", CallingAeTitle = "DTPCLIENT" });

        var error = await Assert.ThrowsAsync<DicomNetworkException>(() => client.EchoAsync(Ct));

        Assert.Contains("NOBODY@127.0.0.1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("DTPCLIENT", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task StoreAsync_GeneratedMixedStudy_FoundByFindWithEqualUidsAndPixelData()
    {
        var (study, paths) = await DimseFixture.WriteMixedStudyAsync(13, Path.Combine(fixture.Folder, "store-" + Guid.NewGuid().ToString("N")), Ct);
        var files = paths.Select(p => DicomFile.Read(File.ReadAllBytes(p), p)).ToList();
        var client = fixture.Client();

        var warnings = await client.StoreAsync(files, Ct);

        Assert.Equal(0, warnings);
        var found = await client.FindAsync(DicomQueryLevel.Image, new DicomDataset()
            .SetString(DicomTag.StudyInstanceUID, DicomVR.UI, study).SetString(DicomTag.SeriesInstanceUID, DicomVR.UI)
            .SetString(DicomTag.SOPInstanceUID, DicomVR.UI).SetString(DicomTag.SOPClassUID, DicomVR.UI), Ct).ToListAsync(Ct);
        Assert.Equal(
            files.Select(f => Key(f.Dataset)).Order(StringComparer.Ordinal),
            found.Select(Key).Order(StringComparer.Ordinal));
        using var http = fixture.Server.CreateClient();
        foreach (var file in files)
        {
            using var lookup = new StringContent(file.Dataset.GetString(DicomTag.SOPInstanceUID)!);
            using var response = await http.PostAsync(new Uri("tools/lookup", UriKind.Relative), lookup, Ct);
            var id = (string)System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsArray().Single()!["ID"]!;
            var stored = DicomFile.Read(await http.GetByteArrayAsync(new Uri($"instances/{id}/file", UriKind.Relative), Ct), id);
            if (file.TransferSyntax.Uid == DicomUid.ExplicitVRBigEndian)
            {
                Assert.Contains(stored.TransferSyntax.Uid, DicomNetworkUids.Uncompressed); // Orthanc prefers little endian; StoreAsync proposes both
            }
            else
            {
                Assert.Equal(file.TransferSyntax.Uid, stored.TransferSyntax.Uid);
            }

            Assert.Equal(DimseFixture.PixelBytes(file), DimseFixture.PixelBytes(stored));
        }

        static string Key(DicomDataset d) => $"{d.GetString(DicomTag.SeriesInstanceUID)}|{d.GetString(DicomTag.SOPInstanceUID)}|{d.GetString(DicomTag.SOPClassUID)}";
    }

    [Fact]
    public async Task FindAsync_StudySeriesImage_MatchesSeededStudy()
    {
        var client = fixture.Client();
        var study = new DicomDataset().SetString(DicomTag.StudyInstanceUID, DicomVR.UI, fixture.StudyUid).SetString(DicomTag.PatientID, DicomVR.LO);

        var studies = await client.FindAsync(DicomQueryLevel.Study, study, Ct).ToListAsync(Ct);
        var series = await client.FindAsync(DicomQueryLevel.Series, new DicomDataset()
            .SetString(DicomTag.StudyInstanceUID, DicomVR.UI, fixture.StudyUid).SetString(DicomTag.SeriesInstanceUID, DicomVR.UI).SetString(DicomTag.Modality, DicomVR.CS), Ct).ToListAsync(Ct);
        var images = await client.FindAsync(DicomQueryLevel.Image, new DicomDataset()
            .SetString(DicomTag.StudyInstanceUID, DicomVR.UI, fixture.StudyUid).SetString(DicomTag.SeriesInstanceUID, DicomVR.UI)
            .SetString(DicomTag.SOPInstanceUID, DicomVR.UI).SetString(DicomTag.SOPClassUID, DicomVR.UI), Ct).ToListAsync(Ct);

        Assert.Equal(fixture.StudyUid, Assert.Single(studies).GetString(DicomTag.StudyInstanceUID));
        Assert.Equal(["CT", "MR", "SC"], series.Select(s => s.GetString(DicomTag.Modality)).Order());
        Assert.Equal(fixture.Uploaded.Keys.Order(), images.Select(i => i.GetString(DicomTag.SOPInstanceUID)!).Order());
    }

    [Fact]
    public async Task FindAsync_ImageLevel_EqualsFindscu()
    {
        var client = fixture.Client();
        var output = Directory.CreateTempSubdirectory("dtp-findscu-").FullName;

        var ours = await client.FindAsync(DicomQueryLevel.Image, new DicomDataset()
            .SetString(DicomTag.StudyInstanceUID, DicomVR.UI, fixture.StudyUid).SetString(DicomTag.SeriesInstanceUID, DicomVR.UI)
            .SetString(DicomTag.SOPInstanceUID, DicomVR.UI).SetString(DicomTag.InstanceNumber, DicomVR.IS), Ct).ToListAsync(Ct);
        var (code, _, error) = await Dcmtk.RunAsync("findscu", [
            "-S", "-X", "-od", output, "-aet", DimseFixture.ClientAeTitle, "-aec", fixture.Server.AeTitle,
            "-k", "QueryRetrieveLevel=IMAGE", "-k", $"StudyInstanceUID={fixture.StudyUid}", "-k", "SeriesInstanceUID", "-k", "SOPInstanceUID", "-k", "InstanceNumber",
            "127.0.0.1", fixture.Server.DicomPort!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)], Ct);
        var theirs = Directory.GetFiles(output).Select(f => DicomFile.Read(File.ReadAllBytes(f), f).Dataset).ToList();
        Directory.Delete(output, recursive: true);

        Assert.True(code == 0, error);
        Assert.Equal(
            theirs.Select(Key).Order(),
            ours.Select(Key).Order());
        Assert.Equal(fixture.Uploaded.Count, ours.Count);

        static string Key(DicomDataset d) => $"{d.GetString(DicomTag.SeriesInstanceUID)}|{d.GetString(DicomTag.SOPInstanceUID)}|{d.GetString(DicomTag.InstanceNumber)}";
    }
}
