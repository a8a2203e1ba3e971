using System.Diagnostics;
using System.Globalization;
using Dtp.Sds;

namespace Dtp.Benchmarks;

/// <summary>
/// Writes and reads a 100,000-row x 20-column manifest.xlsx through the public SDS API (issue 7 budget: read in 2 s with at
/// most 200 MB peak, write in 3 s). Run <c>sds-manifest-write</c> first; <c>sds-manifest-read</c> then reads that file in a
/// fresh process, so the printed peak working set is the reader's.
/// </summary>
internal static class SdsManifestBenchmark
{
    private const int Rows = 100_000;

    private static readonly string FilePath = Path.Combine(Path.GetTempPath(), "dtp-benchmarks", "manifest.xlsx");

    // The 11 columns of the 3.0.2 manifest template plus 9 extra ones: 20 columns.
    private static readonly string[] Extra = [.. Enumerable.Range(1, 9).Select(i => $"extra {i}")];

    public static async Task WriteAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var records = Generate().ToList();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await SdsMetadataWriter.WriteTableAsync(FilePath, SdsFileKind.Manifest, SdsVersion.V302, records, overwrite: true, cancellationToken).ConfigureAwait(false);
        watch.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var size = new FileInfo(FilePath).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load average {BenchmarkReport.LoadAverages()}; write {Rows:N0} rows x 20 columns: {watch.Elapsed.TotalSeconds:F2} s ({Rows / watch.Elapsed.TotalSeconds:N0} rows/s, CPU {cpu.TotalSeconds:F2} s), {size / 1e6:F1} MB -> {FilePath}; budget 3 s: {(watch.Elapsed.TotalSeconds <= 3 ? "met" : "MISSED")}"));
        report.Add($"write manifest.xlsx, {Rows:N0} rows x 20 columns", watch.Elapsed.TotalSeconds, "s", target: 3);
    }

    public static async Task ReadAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        if (!File.Exists(FilePath))
        {
            Console.WriteLine($"{FilePath} is missing: run the sds-manifest-write scenario first.");
            return;
        }

        Console.WriteLine($"load average {BenchmarkReport.LoadAverages()}");
        WeakReference? last = null;
        for (var run = 1; run <= 3; run++)
        {
            // Each run starts once the last run's manifest is collected, so the peak working set is that of one read. The task
            // of the last read holds its manifest until the thread that completed it has left its call stack, so wait for that.
            for (var wait = 0; wait < 100 && (wait == 0 || last?.IsAlive == true); wait++)
            {
                await Task.Delay(wait * 10, cancellationToken).ConfigureAwait(false);
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            last = await ReadOnceAsync(report, run, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One timed read; returns a weak reference to the manifest read.</summary>
    private static async Task<WeakReference> ReadOnceAsync(BenchmarkReport report, int run, CancellationToken cancellationToken)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var manifest = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(FilePath, cancellationToken: cancellationToken).ConfigureAwait(false);
        var nonEmpty = CountValues(manifest);
        watch.Stop();
        using var process = Process.GetCurrentProcess();
        cpu = process.TotalProcessorTime - cpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"read run {run}: {manifest.Records.Count:N0} records, {manifest.Headers.Count} columns, {nonEmpty:N0} values in {watch.Elapsed.TotalSeconds:F2} s ({manifest.Records.Count / watch.Elapsed.TotalSeconds:N0} rows/s, CPU {cpu.TotalSeconds:F2} s), peak working set so far {process.PeakWorkingSet64 / (1024 * 1024)} MB, collections so far gen0 {GC.CollectionCount(0)} gen1 {GC.CollectionCount(1)} gen2 {GC.CollectionCount(2)}, GC pause {GC.GetTotalPauseDuration().TotalSeconds:F2} s; budget 2 s: {(watch.Elapsed.TotalSeconds <= 2 ? "met" : "MISSED")}"));
        report.Add($"read manifest.xlsx, {Rows:N0} rows (run {run})", watch.Elapsed.TotalSeconds, "s", target: 2);
        return new WeakReference(manifest);
    }

    private static int CountValues(SdsTableFile manifest) => manifest.Records.Sum(r => manifest.Headers.Count(h => r[h.Key] is not null));

    /// <summary>Manifest-like rows: paths, timestamps, descriptions, file types, entity ids, numbers and a few empty columns.</summary>
    private static IEnumerable<IReadOnlyDictionary<string, string?>> Generate()
    {
        var start = new DateTimeOffset(2025, 2, 24, 10, 43, 7, TimeSpan.FromHours(-8));
        for (var i = 0; i < Rows; i++)
        {
            var subject = i / 1000;
            var sample = i / 100;
            var row = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["filename"] = string.Create(CultureInfo.InvariantCulture, $"primary/sub-{subject}/sam-{sample}/image_{i:D6}.tif"),
                ["timestamp"] = SdsMetadataWriter.FormatTimestamp(start.AddSeconds(i * 1.5)),
                ["description"] = string.Create(CultureInfo.InvariantCulture, $"Confocal section {i % 100} of sample {sample}"),
                ["file type"] = ".tif",
                ["entity"] = string.Create(CultureInfo.InvariantCulture, $"sam-{sample}"),
                ["data modality"] = "microscopy",
                ["also in dataset"] = null,
                ["also in dataset path"] = null,
                ["data dictionary path"] = null,
                ["entity is transitive"] = null,
                ["Additional Metadata"] = i % 7 == 0 ? "re-imaged" : "ok",
            };
            for (var e = 0; e < Extra.Length; e++)
            {
                row[Extra[e]] = e < 5 ? (((i * 31) + e) % 100_000).ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"v{(i + e) % 50}");
            }

            yield return row;
        }
    }
}
