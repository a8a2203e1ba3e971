using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Dtp.Cli;
using Dtp.Dicom;
using Dtp.Dicom.Network;
using Dtp.Storage.Pacs;
using Dtp.Testing;
using Dtp.Testing.Orthanc;

namespace Dtp.Tests.Dimse;

[Collection(DimseTests.Name)]
public sealed class PacsDimseCommandsTests(DimseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Echo_OrthancDicomPort_PrintsPeerAndSucceeds()
    {
        var config = WriteConfig(fixture.Server.AeTitle);

        var (exit, output, error) = await RunAsync(["pacs", "echo", "--storage-config", config], Ct);

        Assert.True(exit == 0, error);
        Assert.Contains($"C-ECHO to {fixture.Server.AeTitle}@127.0.0.1:{fixture.Server.DicomPort}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Echo_ClosedPort_ExitsRemoteNamingPeer()
    {
        var config = WriteConfig("NOBODY", FreePort.Next());

        var (exit, _, error) = await RunAsync(["pacs", "echo", "--storage-config", config], Ct);

        Assert.Equal(3, exit);
        Assert.Contains("NOBODY@127.0.0.1:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Studies_OriginalKeys_ListsTheSeededStudyFoundByCFind()
    {
        var config = WriteConfig(fixture.Server.AeTitle);

        var (exit, output, error) = await RunAsync(["--json", "pacs", "studies", "--storage-config", config], Ct);

        Assert.True(exit == 0, error);
        var study = Assert.Single(JsonNode.Parse(output)!.AsArray(), s => (string?)s!["study_instance_uid"] == fixture.StudyUid)!;
        Assert.Equal(["CT", "MR", "SC"], study["modalities"]!.AsArray().Select(m => (string)m!).Order());
        Assert.Equal((3, fixture.Uploaded.Count), ((int)study["series"]!, (int)study["instances"]!));
    }

    [Fact]
    public async Task Get_OriginalKeys_DownloadsTheStudyInThePacsLayoutAndASecondRunSkipsEveryFile()
    {
        var config = WriteConfig(fixture.Server.AeTitle);
        var destination = Path.Combine(fixture.Folder, "get-" + Guid.NewGuid().ToString("N"));

        var first = await RunAsync(["pacs", "get", fixture.StudyUid, destination, "--storage-config", config], Ct);
        var second = await RunAsync(["pacs", "get", fixture.StudyUid, destination, "--storage-config", config], Ct);

        Assert.True(first.Exit == 0, first.Error);
        Assert.Contains($"{fixture.Uploaded.Count} files downloaded", first.Output, StringComparison.Ordinal);
        Assert.True(second.Exit == 0, second.Error);
        Assert.Contains($"0 files downloaded (0 bytes), {fixture.Uploaded.Count} already complete", second.Output, StringComparison.Ordinal);
        AssertFiledAsUploaded(destination);
    }

    [Fact]
    public async Task Put_GeneratedStudy_StoredAndFoundByCFind()
    {
        var config = WriteConfig(fixture.Server.AeTitle);
        var (study, paths) = await DimseFixture.WriteMixedStudyAsync(11, Path.Combine(fixture.Folder, "put-" + Guid.NewGuid().ToString("N")), Ct);

        var (exit, output, error) = await RunAsync(["pacs", "put", Path.GetDirectoryName(paths[0])!, "--storage-config", config, "--batch-size", "5"], Ct);

        Assert.True(exit == 0, error);
        Assert.Contains($"{paths.Count} files uploaded", output, StringComparison.Ordinal);
        var found = await fixture.Client().FindAsync(DicomQueryLevel.Image, new DicomDataset()
            .SetString(DicomTag.StudyInstanceUID, DicomVR.UI, study).SetString(DicomTag.SOPInstanceUID, DicomVR.UI), Ct).ToListAsync(Ct);
        Assert.Equal(paths.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal), found.Select(f => f.GetString(DicomTag.SOPInstanceUID)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Listen_StorescuAndEchoscu_FilesInThePacsLayoutAndCancelExits130()
    {
        var config = WriteConfig(fixture.Server.AeTitle);
        var destination = Path.Combine(fixture.Folder, "listen-" + Guid.NewGuid().ToString("N"));
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var sources = Path.Combine(fixture.Folder, "listen-sources-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(sources);
        foreach (var (uid, file) in fixture.Uploaded.Where(u => u.Value.TransferSyntax.Uid == DicomUid.ExplicitVRLittleEndian))
        {
            await file.SaveAsync(Path.Combine(sources, uid + ".dcm"), cancellationToken: Ct);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var log = new StringWriter();
        using var error = TextWriter.Synchronized(log);
        var listening = DtpCli.RunAsync(["pacs", "listen", destination, "--port", port, "--storage-config", config], new InvocationConfiguration { Output = TextWriter.Null, Error = error }, stop.Token);
        for (var wait = 0; wait < 600 && !Log().Contains("listening as", StringComparison.Ordinal) && !listening.IsCompleted; wait++)
        {
            await Task.Delay(50, Ct);
        }

        var echo = await Dcmtk.RunAsync("echoscu", ["-aet", "DCMTK", "-aec", DimseFixture.ClientAeTitle, "127.0.0.1", port], Ct);
        var store = await Dcmtk.RunAsync("storescu", ["-xe", "-aet", "DCMTK", "-aec", DimseFixture.ClientAeTitle, "127.0.0.1", port, .. Directory.GetFiles(sources)], Ct);
        await stop.CancelAsync();
        var exit = await listening;

        Assert.True(echo.ExitCode == 0, echo.Error + Log());
        Assert.True(store.ExitCode == 0, store.Error + Log());
        Assert.Equal(130, exit);
        var sent = Directory.GetFiles(sources).Length;
        Assert.True(sent >= 6, $"only {sent} explicit little endian instances in the seed");
        Assert.Contains($"{sent} files received", Log(), StringComparison.Ordinal);
        AssertFiledAsUploaded(destination, sent);

        // the synchronized writer locks on itself while writing
        string Log()
        {
            lock (error)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>Asserts that a folder holds seeded instances at their PACS layout paths, with the uploaded pixel data.</summary>
    private void AssertFiledAsUploaded(string destination, int? count = null)
    {
        var files = Directory.GetFiles(destination, "*", SearchOption.AllDirectories);
        Assert.Equal(count ?? fixture.Uploaded.Count, files.Length);
        foreach (var path in files)
        {
            var received = DicomFile.Read(File.ReadAllBytes(path), path);
            var sent = fixture.Uploaded[received.Dataset.GetString(DicomTag.SOPInstanceUID)!];
            var expected = Path.Combine(destination, PacsLayout.SubjectFolder(fixture.StudyUid), PacsLayout.RelativePath(
                sent.Dataset.GetString(DicomTag.SeriesInstanceUID)!, sent.Dataset.GetInt32(DicomTag.InstanceNumber), received.Dataset.GetString(DicomTag.SOPInstanceUID)!));
            Assert.Equal(expected, path);
            Assert.Equal(DimseFixture.PixelBytes(sent), DimseFixture.PixelBytes(received));
        }
    }

    private string WriteConfig(string calledAeTitle, int? port = null)
    {
        var path = Path.Combine(fixture.Folder, $"pacs-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, new JsonObject
        {
            ["pacs_ip"] = "127.0.0.1",
            ["pacs_port"] = port ?? fixture.Server.DicomPort,
            ["pacs_aec"] = calledAeTitle,
            ["pacs_aet"] = DimseFixture.ClientAeTitle,
        }.ToJsonString());
        return path;
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DtpCli.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
