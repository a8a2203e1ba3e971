using System.Diagnostics;
using System.Globalization;
using Dtp.Download;
using Dtp.Storage;
using Dtp.Storage.Irods;
using Dtp.Testing.Commons;
using Dtp.Testing.Irods;

namespace Dtp.Benchmarks;

/// <summary>
/// The <see cref="Downloader"/> with 16 parallel transfers over two datasets of 5 MB files, 100 files (0.5 GB) and 400 files
/// (2 GB; 20 and 80 under <c>all --quick</c>), from the local folder store and the iRODS test server: throughput and the peak
/// memory of each download alone, which must not grow with the dataset (the embedded commons and the iRODS test server run in
/// this process and count in it; the GC may let garbage grow the peak, so check with <c>DOTNET_GCHeapHardLimit</c>). The files
/// are generated once into <c>&lt;temp&gt;/dtp-benchmarks/download-parallel</c> and reused.
/// </summary>
internal static class DownloadParallelBenchmark
{
    private const int Parallel = 16;

    public static async Task RunAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        int[] counts = [BenchmarkReport.Size("DTP_BENCH_FILES", 100, 20), 4 * BenchmarkReport.Size("DTP_BENCH_FILES", 100, 20)];
        Console.WriteLine($"load: {File.ReadAllText("/proc/loadavg").Trim()} ({Environment.ProcessorCount} cores)");
        var localRoot = Path.Combine(Path.GetTempPath(), "dtp-benchmarks", "download-parallel");
        var clock = Stopwatch.StartNew();
        var datasets = new List<(string Dataset, int Count)>();
        await using var commons = await TestCommons.StartAsync(cancellationToken);
        await commons.CreateProjectAsync(DownloadBenchmark.Program, DownloadBenchmark.Project, cancellationToken);
        foreach (var count in counts)
        {
            var dataset = string.Create(CultureInfo.InvariantCulture, $"files-{count}");
            var files = await DownloadBenchmark.EnsureFilesAsync(localRoot, dataset, count, cancellationToken);
            await DownloadBenchmark.RegisterAsync(commons, dataset, files, cancellationToken);
            datasets.Add((dataset, count));
        }

        Console.WriteLine($"cache {localRoot}: datasets of {string.Join(" and ", counts)} files of 5 MB ready in {clock.Elapsed.TotalSeconds:F1} s");
        var work = Directory.CreateTempSubdirectory("dtp-bench-download-parallel-").FullName;
        try
        {
            using var auth = commons.CreateAuth(work);
            await MeasureAsync(report, "local", new LocalDataStore(localRoot), "local", datasets, auth, work, cancellationToken);
            await using var server = IrodsTestServer.Start();
            foreach (var (dataset, _) in datasets)
            {
                await DownloadBenchmark.LinkIntoIrodsAsync(server, localRoot, dataset, cancellationToken);
            }

            var options = IrodsDownloadBenchmark.Options(server);
            options.MaxConnections = Parallel;
            await using var client = new IrodsClient(options);
            await MeasureAsync(report, "irods", new IrodsDataStore(client, server.HomeOf("rods")), "irods", datasets, auth, work, cancellationToken);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Downloads each dataset with 16 transfers at once into a fresh folder, with the peak memory reset before each.</summary>
    private static async Task MeasureAsync(BenchmarkReport report, string label, IDataStore store, string kind, List<(string Dataset, int Count)> datasets,
        Gen3.Auth auth, string work, CancellationToken cancellationToken)
    {
        var options = new DownloadOptions { Program = DownloadBenchmark.Program, Project = DownloadBenchmark.Project, MaxParallelTransfers = Parallel };
        await using var downloader = new Downloader(store, kind, auth);
        var peaks = new List<long>();
        foreach (var (dataset, count) in datasets)
        {
            var destination = Path.Combine(work, "dest");
            PeakMemory.Reset();
            var clock = Stopwatch.StartNew();
            var result = await downloader.DownloadDatasetAsync(dataset, destination, options, cancellationToken: cancellationToken);
            var seconds = clock.Elapsed.TotalSeconds;
            var peak = PeakMemory.Megabytes();
            Directory.Delete(destination, recursive: true);
            if (!result.Complete || result.Transferred != count)
            {
                throw new InvalidOperationException($"{label}: {result.Transferred} of {count} files transferred; "
                    + string.Join("; ", result.Files.Where(f => f.Reason is not null).Take(5).Select(f => $"{f.Path}: {f.Reason}")));
            }

            var rate = result.BytesTransferred / 1e6 / seconds;
            peaks.Add(peak);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: {count} files, {result.BytesTransferred / 1e6:F0} MB with {Parallel} transfers in {seconds:F2} s = {rate:F0} MB/s; peak working set {peak} MB"));
            report.Add($"Downloader, {label}, {count} x 5 MB ({result.BytesTransferred / 1e6:F0} MB), {Parallel} parallel", rate, "MB/s", peakMemoryMb: peak);
        }

        Console.WriteLine($"{label}: peak memory {string.Join(" MB, ", peaks)} MB for {string.Join(" and ", datasets.Select(d => d.Count))} files");
    }
}
