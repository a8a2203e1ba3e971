using System.Diagnostics;
using System.Globalization;
using Dtp.Conversion;
using Dtp.Sds;

namespace Dtp.Benchmarks;

/// <summary>
/// Converts a generated SDS 2.0.0 dataset of 2,000 subjects x 5 samples with 100,000 manifest rows (xlsx) in default mode
/// (issue 8 budget: 4 s, 300 MB peak), then the tiny golden example in compatibility mode when the reference pack is present.
/// </summary>
internal static class ConvertBenchmark
{
    private const int Subjects = 2_000;
    private const int SamplesPerSubject = 5;
    private const int ManifestRows = 100_000;

    private static readonly string Root = Path.Combine(Path.GetTempPath(), "dtp-benchmarks", "convert");

    public static async Task RunAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        var source = Path.Combine(Root, "sds");
        if (!File.Exists(Path.Combine(source, "manifest.xlsx")))
        {
            // Generated once and kept; each run below measures its own peak memory.
            await GenerateAsync(source, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"generated {source}");
        }

        Console.WriteLine($"load average {SdsManifestBenchmark.LoadAverage()}");
        for (var run = 1; run <= 3; run++)
        {
            PeakMemory.Reset();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var result = await new Gen3Convertor("12L", "dataset-12L_1-version-1").ExecuteAsync(source, Path.Combine(Root, "out"), cancellationToken).ConfigureAwait(false);
            watch.Stop();
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"default mode run {run}: {string.Join(", ", result.RecordsPerNode.Select(p => $"{p.Key} {p.Value:N0}"))}; {result.Findings.Count:N0} findings; {watch.Elapsed.TotalSeconds:F2} s (CPU {cpu.TotalSeconds:F2} s, load average {SdsManifestBenchmark.LoadAverage()}); budget 4 s: {(watch.Elapsed.TotalSeconds <= 4 ? "met" : "MISSED")}"));
            report.Add($"convert {Subjects:N0} subjects x {SamplesPerSubject} samples, {ManifestRows:N0} files (run {run})", watch.Elapsed.TotalSeconds, "s", target: 4, peakMemoryMb: PeakMemory.Megabytes());
        }

        var golden = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/reference/dtp/inputs/example_sds_dataset_2.0.0"));
        if (Directory.Exists(golden))
        {
            for (var run = 1; run <= 3; run++)
            {
                var watch = Stopwatch.StartNew();
                await new Gen3Convertor("12L", "dataset-12L_1-version-1") { Compatibility = CompatVariant.E5f555c }
                    .ExecuteAsync(golden, Path.Combine(Root, "golden"), cancellationToken).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"golden example (compat e5f555c) run {run}: {watch.Elapsed.TotalSeconds:F3} s in-process (original: 0.11 s)"));
                report.Add($"convert the golden example, compat e5f555c (run {run})", watch.Elapsed.TotalSeconds, "s", "original (Python)", 0.11);
            }
        }
    }

    private static async Task GenerateAsync(string source, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(source);
        await SdsMetadataWriter.WriteElementsAsync(Path.Combine(source, "dataset_description.xlsx"), SdsFileKind.DatasetDescription, SdsVersion.V200,
            new Dictionary<string, IReadOnlyList<string>>
            {
                ["dataset_type"] = ["experimental"],
                ["title"] = ["Benchmark"],
                ["number_of_subjects"] = [Subjects.ToString(CultureInfo.InvariantCulture)],
                ["number_of_samples"] = [(Subjects * SamplesPerSubject).ToString(CultureInfo.InvariantCulture)],
            }, overwrite: true, cancellationToken).ConfigureAwait(false);
        await SdsMetadataWriter.WriteTableAsync(Path.Combine(source, "subjects.xlsx"), SdsFileKind.Subjects, SdsVersion.V200,
            Enumerable.Range(1, Subjects).Select(i => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?>
            {
                ["subject_id"] = $"sub-{i}", ["subject_experimental_group"] = "control", ["age"] = "30y", ["sex"] = "Female", ["species"] = "human",
                ["strain"] = "none", ["age_category"] = "adult",
            }), overwrite: true, cancellationToken).ConfigureAwait(false);
        await SdsMetadataWriter.WriteTableAsync(Path.Combine(source, "samples.xlsx"), SdsFileKind.Samples, SdsVersion.V200,
            Enumerable.Range(0, Subjects * SamplesPerSubject).Select(i => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?>
            {
                ["sample_id"] = $"sam-{(i % SamplesPerSubject) + 1}", ["subject_id"] = $"sub-{(i / SamplesPerSubject) + 1}", ["sample_type"] = "tissue",
            }), overwrite: true, cancellationToken).ConfigureAwait(false);
        await SdsMetadataWriter.WriteTableAsync(Path.Combine(source, "manifest.xlsx"), SdsFileKind.Manifest, SdsVersion.V200,
            Enumerable.Range(0, ManifestRows).Select(i => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?>
            {
                ["filename"] = $"primary/sub-{(i % Subjects) + 1}/file-{i}.dcm", ["timestamp"] = "2023-09-19 23:09:24", ["description"] = $"File {i}", ["file_type"] = "dcm",
            }), overwrite: true, cancellationToken).ConfigureAwait(false);
    }
}
