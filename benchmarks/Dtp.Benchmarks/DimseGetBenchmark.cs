using System.Diagnostics;
using System.Globalization;
using Dtp.Dicom;
using Dtp.Dicom.Network;
using Dtp.Storage;
using Dtp.Storage.Pacs;
using Dtp.Testing.Orthanc;

namespace Dtp.Benchmarks;

/// <summary>
/// C-GET of a generated 500-instance study from Orthanc's DICOM port: dtp's DIMSE client versus dcmtk's getscu; then the study read
/// through the DICOM data store as a downloader does (list, then every instance opened 8 at a time: one C-GET per instance on up to
/// 4 associations at once), against the study-level C-GET.
/// </summary>
internal static class DimseGetBenchmark
{
    private const int Instances = 500;

    public static async Task RunAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        var orthanc = new OrthancServerOptions { EnableDicom = true };
        orthanc.DicomModalities["bench"] = ("DTPBENCH", "127.0.0.1", 104);
        await using var server = await OrthancServer.StartAsync(orthanc, cancellationToken).ConfigureAwait(false);
        var options = new SyntheticStudyOptions { Seed = 500, SeriesPerStudy = 5, InstancesPerSeries = Instances / 5, Modalities = ["MR", "CT"], Rows = 256, Columns = 256 };
        string? study = null;
        long bytes = 0;
        var upload = Stopwatch.StartNew();
        using (var http = server.CreateClient())
        {
            await Parallel.ForEachAsync(SyntheticStudies.Generate(options), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (file, ct) =>
            {
                study ??= file.Dataset.GetString(DicomTag.StudyInstanceUID);
                var data = file.ToArray();
                Interlocked.Add(ref bytes, data.Length);
                using var content = new ByteArrayContent(data);
                using var response = await http.PostAsync(new Uri("instances", UriKind.Relative), content, ct).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
            }).ConfigureAwait(false);
        }

        Console.WriteLine($"seeded {Instances} instances ({bytes / 1e6:0.0} MB) through Orthanc REST in {upload.Elapsed.TotalSeconds:0.00} s");
        var root = Directory.CreateTempSubdirectory("dtp-bench-dimse-").FullName;
        try
        {
            var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.DicomPort!.Value, CalledAeTitle = server.AeTitle, CallingAeTitle = "DTPBENCH" });
            var writer = new DimseFileWriter(Path.Combine(root, "dtp"));
            var dtp = Stopwatch.StartNew();
            var result = await client.GetAsync(DicomQueryLevel.Study, new DicomDataset().SetString(DicomTag.StudyInstanceUID, DicomVR.UI, study!),
                [DicomUid.MRImageStorage, DicomUid.CTImageStorage], (i, ct) => writer.WriteAsync(i, ct), cancellationToken).ConfigureAwait(false);
            dtp.Stop();

            var getscuFolder = Directory.CreateDirectory(Path.Combine(root, "getscu")).FullName;
            var dcmtk = Stopwatch.StartNew();
            var (code, _, error) = await Dcmtk.RunAsync("getscu", [
                "-S", "-aet", "DTPBENCH", "-aec", server.AeTitle, "-od", getscuFolder, "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}",
                "127.0.0.1", server.DicomPort.Value.ToString(CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
            dcmtk.Stop();
            if (code != 0)
            {
                throw new InvalidOperationException($"getscu failed: {error}");
            }

            var theirs = Directory.GetFiles(getscuFolder).Length;
            Console.WriteLine($"dtp C-GET:    {result.Completed} instances, {writer.Written} files in {dtp.Elapsed.TotalSeconds:0.00} s ({bytes / 1e6 / dtp.Elapsed.TotalSeconds:0.0} MB/s)");
            Console.WriteLine($"dcmtk getscu: {theirs} files in {dcmtk.Elapsed.TotalSeconds:0.00} s ({bytes / 1e6 / dcmtk.Elapsed.TotalSeconds:0.0} MB/s)");
            Console.WriteLine($"ratio dtp/getscu time: {dtp.Elapsed.TotalSeconds / dcmtk.Elapsed.TotalSeconds:0.00}");
            report.Add($"DIMSE C-GET of a {Instances}-instance study ({bytes / 1e6:0} MB)", dtp.Elapsed.TotalSeconds, "s", "dcmtk getscu", dcmtk.Elapsed.TotalSeconds);

            var config = Path.Combine(root, "pacs.json");
            await File.WriteAllTextAsync(config, $$"""{"pacs_ip": "127.0.0.1", "pacs_port": {{server.DicomPort.Value}}, "pacs_aec": "{{server.AeTitle}}", "pacs_aet": "DTPBENCH"}""", cancellationToken).ConfigureAwait(false);
            var store = Stopwatch.StartNew();
            long read = 0;
            var files = 0;
            var connection = DataStores.Open("pacs", config, maxConnections: 4);
            await using (connection.ConfigureAwait(false))
            {
                var listed = await connection.Store.ListAsync(study!, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
                files = listed.Count;
                await Parallel.ForEachAsync(listed, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (file, ct) =>
                {
                    var stream = await connection.Store.OpenReadAsync(study!, file, 0, ct).ConfigureAwait(false);
                    await using (stream.ConfigureAwait(false))
                    {
                        Interlocked.Add(ref read, stream.Length);
                    }
                }).ConfigureAwait(false);
            }

            store.Stop();
            Console.WriteLine($"data store reads (8 parallel, 4 associations): {files} instances ({read / 1e6:0.0} MB) listed and read in {store.Elapsed.TotalSeconds:0.00} s");
            Console.WriteLine($"ratio data-store/study C-GET time: {store.Elapsed.TotalSeconds / dtp.Elapsed.TotalSeconds:0.00}");
            report.Add($"DICOM data store: list and read {files} instances, 8 at a time", store.Elapsed.TotalSeconds, "s", "dtp study-level C-GET", dtp.Elapsed.TotalSeconds);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
