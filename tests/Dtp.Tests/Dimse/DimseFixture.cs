using Dtp.Dicom;
using Dtp.Dicom.Network;
using Dtp.Testing;
using Dtp.Testing.Orthanc;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Dimse;

/// <summary>
/// One Orthanc with its DICOM port enabled (and dtp's C-MOVE destination registered) for the "Dimse" collection, seeded with a
/// study mixing MR, CT and secondary capture, with one instance in explicit VR big endian and JPEG lossless instances made by dcmtk.
/// </summary>
public sealed class DimseFixture : IAsyncLifetime
{
    public const string MoveAeTitle = "DTPMOVE";
    public const string ClientAeTitle = "DTPCLIENT";

    private OrthancServer? server;
    private Exception? unavailable;

    /// <summary>Gets the running server; skips (or, with CI=true, fails) the test when Orthanc or dcmtk is missing.</summary>
    public OrthancServer Server => Requirements.Run(() => server ?? throw unavailable!);

    /// <summary>Gets the port dtp's C-MOVE destination must listen on (registered in Orthanc as <see cref="MoveAeTitle"/>).</summary>
    public int MovePort { get; } = FreePort.Next();

    /// <summary>Gets the seeded study's UID.</summary>
    public string StudyUid { get; private set; } = string.Empty;

    /// <summary>Gets the uploaded files by SOP Instance UID.</summary>
    public Dictionary<string, DicomFile> Uploaded { get; } = [];

    /// <summary>Gets a folder for the test's files (deleted with the fixture).</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("dtp-dimse-").FullName;

    public DicomClient Client(string? calledAeTitle = null) => new(new DicomClientOptions
    {
        Host = "127.0.0.1",
        Port = Server.DicomPort!.Value,
        CalledAeTitle = calledAeTitle ?? Server.AeTitle,
        CallingAeTitle = ClientAeTitle,
    });

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        try
        {
            var options = new OrthancServerOptions { EnableDicom = true };
            options.DicomModalities["dtp"] = (MoveAeTitle, "127.0.0.1", MovePort);
            options.DicomModalities["client"] = (ClientAeTitle, "127.0.0.1", FreePort.Next());
            server = await OrthancServer.StartAsync(options, ct);
            server.KeepLogAt = Path.Combine(AppContext.BaseDirectory, "orthanc-logs", "orthanc-dimse.log");
            await SeedAsync(ct);
        }
        catch (TestServerUnavailableException ex)
        {
            unavailable = ex;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        Directory.Delete(Folder, recursive: true);
    }

    /// <summary>Returns the Pixel Data of a file as bytes: the value, or the fragments concatenated.</summary>
    public static byte[] PixelBytes(DicomFile file) => file.Dataset.Get(DicomTag.PixelData) switch
    {
        DicomValueElement v => v.Value.ToArray(),
        DicomFragmentsElement f => f.Fragments.SelectMany(x => x.ToArray()).ToArray(),
        _ => [],
    };

    /// <summary>
    /// Writes a generated study of 3 series (MR, CT, secondary capture) of 4 instances as Part 10 files: the first CT instance in
    /// explicit VR big endian, the secondary captures JPEG lossless (dcmtk's dcmcjpeg), the rest explicit VR little endian.
    /// </summary>
    /// <returns>The study's UID and the files' paths.</returns>
    public static async Task<(string StudyUid, List<string> Paths)> WriteMixedStudyAsync(int seed, string folder, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var options = new SyntheticStudyOptions { Seed = seed, SeriesPerStudy = 3, InstancesPerSeries = 4, Modalities = ["MR", "CT", "SC"], Rows = 32, Columns = 32 };
        var files = new List<string>();
        var study = string.Empty;
        var bigEndianDone = false;
        foreach (var file in SyntheticStudies.Generate(options))
        {
            study = file.Dataset.GetString(DicomTag.StudyInstanceUID)!;
            var modality = file.Dataset.GetString(DicomTag.Modality);
            var path = Path.Combine(folder, file.Dataset.GetString(DicomTag.SOPInstanceUID)! + ".dcm");
            if (modality == "CT" && !bigEndianDone)
            {
                bigEndianDone = true;
                await new DicomFile(file.Dataset, DicomTransferSyntax.ExplicitVRBigEndian).SaveAsync(path, cancellationToken: ct);
            }
            else if (modality == "SC")
            {
                var raw = path + ".raw";
                await file.SaveAsync(raw, cancellationToken: ct);
                var (code, _, error) = await Dcmtk.RunAsync("dcmcjpeg", ["+e1", raw, path], ct);
                Assert.True(code == 0, $"dcmcjpeg failed: {error}");
                File.Delete(raw);
            }
            else
            {
                await file.SaveAsync(path, cancellationToken: ct);
            }

            files.Add(path);
        }

        return (study, files);
    }

    private async Task SeedAsync(CancellationToken ct)
    {
        (StudyUid, var files) = await WriteMixedStudyAsync(42, Path.Combine(Folder, "seed"), ct);
        using var http = server!.CreateClient();
        foreach (var path in files)
        {
            var bytes = await File.ReadAllBytesAsync(path, ct);
            using var content = new ByteArrayContent(bytes);
            using var response = await http.PostAsync(new Uri("instances", UriKind.Relative), content, ct);
            response.EnsureSuccessStatusCode();
            var dicom = DicomFile.Read(bytes, path);
            Uploaded[dicom.Dataset.GetString(DicomTag.SOPInstanceUID)!] = dicom;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DimseTests : ICollectionFixture<DimseFixture>
{
    public const string Name = "Dimse";
}
