using System.Diagnostics;
using System.Globalization;
using Dtp.Config;
using Dtp.Dicom;
using Dtp.Storage.Pacs;
using Dtp.Testing.Orthanc;

namespace Dtp.Benchmarks;

/// <summary>
/// Retrieves a generated study of about 1 GB (2,000 instances of 512 KB in 10 series) from a private Orthanc over DICOMweb,
/// with dtp and with curl fetching the same WADO-RS series responses with the same parallelism; prints both throughputs and the ratio.
/// Set DTP_BENCH_INSTANCES to change the size (instances, 200 per series).
/// </summary>
internal static class PacsRetrieveBenchmark
{
    private const int Parallel = 4;

    public static async Task RunAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        var instances = BenchmarkReport.Size("DTP_BENCH_INSTANCES", 2000, 200);
        var work = Directory.CreateTempSubdirectory("dtp-bench-pacs-").FullName;
        try
        {
            await using var server = await OrthancServer.StartAsync(cancellationToken: cancellationToken);
            var configPath = Path.Combine(work, "pacs.json");
            await File.WriteAllTextAsync(configPath, $$"""{"pacs_url": "{{server.DicomWebRoot}}", "pacs_username": "{{server.UserName}}", "pacs_password": "{{server.Password}}"}""", cancellationToken);
            using var store = PacsDataStore.Create(PacsConfig.Load(configPath));

            var options = new SyntheticStudyOptions
            {
                Seed = 9000, SeriesPerStudy = Math.Max(1, instances / 200), InstancesPerSeries = Math.Min(instances, 200), Rows = 512, Columns = 512, Modalities = ["MR", "CT"],
            };
            var source = Path.Combine(work, "source");
            var clock = Stopwatch.StartNew();
            string? study = null;
            var index = 0;
            foreach (var file in SyntheticStudies.Generate(options))
            {
                study = file.Dataset.GetString(DicomTag.StudyInstanceUID);
                await file.SaveAsync(Path.Combine(source, string.Create(CultureInfo.InvariantCulture, $"{index++:D5}.dcm")), cancellationToken: cancellationToken);
            }

            var uploaded = await store.UploadFilesAsync([source], cancellationToken: cancellationToken);
            Console.WriteLine($"setup: {uploaded.FilesTransferred} instances, {uploaded.BytesTransferred / 1e6:F0} MB generated and stored (STOW-RS) in {clock.Elapsed.TotalSeconds:F1} s");
            Directory.Delete(source, recursive: true);

            var series = (await store.SearchStudiesAsync(studyInstanceUid: study, cancellationToken: cancellationToken).ToListAsync(cancellationToken)).Single();
            clock.Restart();
            var result = await store.DownloadStudyAsync(study!, Path.Combine(work, "dtp"), new PacsDownloadOptions { MaxParallelSeries = Parallel }, cancellationToken: cancellationToken);
            var dtpSeconds = clock.Elapsed.TotalSeconds;
            var dtpRate = result.BytesTransferred / 1e6 / dtpSeconds;
            Console.WriteLine($"dtp:  {result.FilesTransferred} files, {result.BytesTransferred / 1e6:F0} MB in {dtpSeconds:F2} s = {dtpRate:F0} MB/s");

            var curlBytes = await CurlAsync(server, study!, Path.Combine(work, "curl"), cancellationToken);
            var curlSeconds = clock.Elapsed.TotalSeconds - dtpSeconds;
            var curlRate = curlBytes / 1e6 / curlSeconds;
            Console.WriteLine($"curl: {series.SeriesCount} WADO-RS series responses, {curlBytes / 1e6:F0} MB in {curlSeconds:F2} s = {curlRate:F0} MB/s (parallel {Parallel})");
            Console.WriteLine($"ratio dtp/curl: {dtpRate / curlRate:F2} (target >= 0.8)");
            report.Add($"DICOMweb study retrieve, {result.FilesTransferred} instances ({result.BytesTransferred / 1e6:F0} MB), {Parallel} series at once", dtpRate, "MB/s", "curl WADO-RS", curlRate, target: 0.8 * curlRate);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<long> CurlAsync(OrthancServer server, string study, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        using var http = server.CreateClient();
        var seriesJson = await http.GetStringAsync(new Uri($"dicom-web/studies/{study}/series", UriKind.Relative), cancellationToken);
        var seriesUids = System.Text.Json.JsonDocument.Parse(seriesJson).RootElement.EnumerateArray()
            .Select(s => s.GetProperty("0020000E").GetProperty("Value")[0].GetString()!).ToList();
        var fetches = seriesUids.Select((uid, i) => ($"studies/{study}/series/{uid}", Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"series-{i}.multipart"))));
        await ExternalTool.RunAsync("curl", ["--parallel", "--parallel-max", Parallel.ToString(CultureInfo.InvariantCulture), .. ExternalTool.CurlWadoArguments(server, fetches)], cancellationToken);
        return Directory.EnumerateFiles(folder).Sum(f => new FileInfo(f).Length);
    }
}
