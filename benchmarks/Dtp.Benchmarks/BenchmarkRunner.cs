using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dtp.Testing;

namespace Dtp.Benchmarks;

/// <summary>
/// Runs one named scenario in this process, or every scenario (<c>all</c>), each in a child process of this executable so that
/// its peak memory is its own, and prints one table of their figures.
/// </summary>
internal static class BenchmarkRunner
{
    /// <summary>The scenarios in the order <c>all</c> runs them (sds-manifest-read reads the file sds-manifest-write wrote).</summary>
    private static readonly Scenario[] Scenarios =
    [
        new("sds-manifest-write", "write a 100,000 x 20 manifest.xlsx (budget 3 s)", SdsManifestBenchmark.WriteAsync),
        new("sds-manifest-read", "read that manifest.xlsx (budget 2 s, 200 MB peak); run after sds-manifest-write", SdsManifestBenchmark.ReadAsync, MemoryBudgetMb: 200),
        new("gen3-submit", "submit 10,000 records: adaptive batches vs 30 per request vs 1 (DTP_BENCH_RECORDS changes the count)", Gen3SubmitBenchmark.SubmitAsync),
        new("gen3-stream", "page 10,000 records through the streaming GraphQL query (DTP_BENCH_RECORDS changes the count)", Gen3SubmitBenchmark.StreamAsync),
        new("commons", "embedded Gen3 commons: start-up, submit 10,000 cases in batches of 500, export JSON and TSV (300 MB peak)", CommonsBenchmark.RunAsync, MemoryBudgetMb: 300),
        new("peregrine", "embedded commons GraphQL: page 10,000 cases (first 1000, order_by_asc id) with 2, 17 and 17 + nested fields", PeregrineBenchmark.RunAsync),
        new("load", "embedded commons under 20 concurrent clients submitting and querying for 60 s (DTP_BENCH_SECONDS): rate, latency, errors, records lost", LoadBenchmark.RunAsync),
        new("pacs-retrieve", "A ~1 GB study from Orthanc over DICOMweb: dtp vs curl (WADO-RS), throughput and ratio (DTP_BENCH_INSTANCES)", PacsRetrieveBenchmark.RunAsync),
        new("irods-download", "iRODS: 200 x 5 MB and 1 x 1 GB by dtp, python-irodsclient and a raw socket copy (DTP_IRODS_BENCH_MB)", IrodsDownloadBenchmark.RunAsync),
        new("download", "Downloader: a 1 GB dataset of 200 x 5 MB from the local store, iRODS and Orthanc (DICOMweb) vs raw single-stream copies and the disk; resume run", DownloadBenchmark.RunAsync),
        new("download-parallel", "Downloader with 16 parallel transfers: 100 and 400 files of 5 MB from the local store and iRODS; throughput and peak memory of each size", DownloadParallelBenchmark.RunAsync),
        new("dimse-get", "C-GET of a generated 500-instance study from Orthanc: dtp vs dcmtk getscu", DimseGetBenchmark.RunAsync),
        new("convert", "convert a generated 2,000 subjects x 5 samples, 100,000-file dataset (budget 4 s, 300 MB peak) and the golden example", ConvertBenchmark.RunAsync, MemoryBudgetMb: 300),
        new("demo", "dtp demo end to end, cold and warm (budget 30 s on 2 cores)", DemoBenchmark.RunAsync),
        new("bad-input", "the CLI on every case of the bad-input corpus: peak memory of the whole run and of the worst case (target < 300 MB)", BadInputBenchmark.RunAsync),
    ];

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        if (args.Length > 0 && args[0] == "all")
        {
            return await RunAllAsync(quick: args.Contains("--quick"), [.. args.Skip(1).Where(a => a != "--quick")], cancel.Token).ConfigureAwait(false);
        }

        var chosen = args.Length > 0 ? Scenarios.SingleOrDefault(s => s.Name == args[0]) : null;
        var reportIndex = Array.IndexOf(args, "--report-json");
        if (chosen is null || (reportIndex > 0 && reportIndex == args.Length - 1))
        {
            Console.Error.WriteLine("usage: dotnet run -c Release --project benchmarks/Dtp.Benchmarks -- <scenario> [--report-json <file>]");
            Console.Error.WriteLine("       dotnet run -c Release --project benchmarks/Dtp.Benchmarks -- all [--quick] [<scenario> ...]");
            foreach (var scenario in Scenarios)
            {
                Console.Error.WriteLine($"  {scenario.Name,-20} {scenario.Description}");
            }

            return 2;
        }

        var outcome = await RunScenarioAsync(chosen, cancel.Token).ConfigureAwait(false);
        if (reportIndex > 0)
        {
            await File.WriteAllTextAsync(args[reportIndex + 1], JsonSerializer.Serialize(outcome, JsonOptions), cancel.Token).ConfigureAwait(false);
        }
        else
        {
            Console.WriteLine();
            Console.Write(Table([outcome]));
        }

        return outcome.Failed is null ? 0 : 1;
    }

    /// <summary>Runs a scenario in this process; a missing server or tool makes it skipped, any other error failed.</summary>
    private static async Task<ScenarioOutcome> RunScenarioAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        var report = new BenchmarkReport();
        string? skipped = null;
        string? failed = null;
        try
        {
            await scenario.Run(report, cancellationToken).ConfigureAwait(false);
        }
        catch (TestServerUnavailableException e)
        {
            skipped = e.Message;
        }
        catch (Win32Exception e) when (e.NativeErrorCode == 2)
        {
            skipped = $"a tool is not installed: {e.Message}";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine(e);
            failed = e.Message.Split('\n')[0];
        }

        var peak = PeakMemory.Megabytes();
        Console.WriteLine(skipped is null ? $"peak working set: {peak} MB" : $"skipped: {skipped}");
        return new ScenarioOutcome(scenario.Name, [.. report.Results], peak, scenario.MemoryBudgetMb, skipped, failed);
    }

    /// <summary>Runs every scenario (or those named) in its own child process, then prints one table of all their figures.</summary>
    private static async Task<int> RunAllAsync(bool quick, string[] only, CancellationToken cancellationToken)
    {
        var unknown = only.Where(name => Scenarios.All(s => s.Name != name)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"unknown scenario(s): {string.Join(", ", unknown)}");
            return 2;
        }

        var work = Directory.CreateTempSubdirectory("dtp-bench-all-").FullName;
        var outcomes = new List<ScenarioOutcome>();
        var clock = Stopwatch.StartNew();
        var loadBefore = BenchmarkReport.LoadAverages();
        try
        {
            foreach (var scenario in Scenarios.Where(s => only.Length == 0 || only.Contains(s.Name)))
            {
                Console.WriteLine($"=== {scenario.Name}: {scenario.Description}");
                // Each scenario's own size variables (unless set by the caller), and the common switch for the others.
                var environment = quick
                    ? new[] { ("DTP_BENCH_RECORDS", "1000"), ("DTP_BENCH_INSTANCES", "200"), ("DTP_IRODS_BENCH_MB", "100"), ("DTP_BENCH_SECONDS", "10"), (BenchmarkReport.QuickVariable, "1") }
                        .ToDictionary(v => v.Item1, v => Environment.GetEnvironmentVariable(v.Item1) ?? v.Item2, StringComparer.Ordinal)
                    : [];
                outcomes.Add(await RunChildAsync(scenario.Name, environment, Path.Combine(work, scenario.Name + ".json"), cancellationToken).ConfigureAwait(false)
                    with { MemoryBudgetMb = scenario.MemoryBudgetMb });
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dtp benchmarks{(quick ? " (--quick sizes)" : "")}: {outcomes.Count} scenarios in {clock.Elapsed.TotalMinutes:F1} min on {Environment.ProcessorCount} cores; load average {loadBefore} before, {BenchmarkReport.LoadAverages()} after"));
        Console.Write(Table(outcomes));
        return outcomes.Any(o => o.Failed is not null) ? 1 : 0;
    }

    /// <summary>Runs a scenario in a child process of this executable with extra environment variables and returns what it reported.</summary>
    internal static async Task<ScenarioOutcome> RunChildAsync(string scenario, Dictionary<string, string> environment, string reportPath, CancellationToken cancellationToken)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BenchmarkRunner).Assembly.Location);
        }

        foreach (var argument in new[] { scenario, "--report-json", reportPath })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (variable, value) in environment)
        {
            start.Environment[variable] = value;
        }

        using var child = Process.Start(start)!;
        try
        {
            await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw;
        }

        return File.Exists(reportPath)
            ? JsonSerializer.Deserialize<ScenarioOutcome>(await File.ReadAllTextAsync(reportPath, cancellationToken).ConfigureAwait(false), JsonOptions)!
            : new ScenarioOutcome(scenario, [], 0, null, null, $"the child process exited {child.ExitCode} without a report");
    }

    /// <summary>Lays out the outcomes as a text table: one row per figure, one per skipped or failed scenario, and a memory row per memory budget.</summary>
    private static string Table(IEnumerable<ScenarioOutcome> outcomes)
    {
        string[] header = ["scenario", "operation", "dtp", "baseline", "ratio", "peak MB", "budget/target"];
        var rows = new List<string[]>();
        foreach (var outcome in outcomes)
        {
            if (outcome.Skipped is not null || outcome.Failed is not null)
            {
                rows.Add([outcome.Scenario, outcome.Skipped is not null ? $"skipped: {outcome.Skipped}" : $"FAILED: {outcome.Failed}", "", "", "", "", ""]);
                if (outcome.Failed is null || outcome.Results.Count == 0)
                {
                    continue;
                }
            }

            foreach (var result in outcome.Results)
            {
                rows.Add([
                    outcome.Scenario,
                    result.Operation,
                    BenchmarkResult.Format(result.Value, result.Unit),
                    result.Baseline is null ? "" : result.BaselineValue is { } b ? $"{result.Baseline} {BenchmarkResult.Format(b, result.Unit)}" : $"{result.Baseline} n/a",
                    result.Ratio is { } ratio ? string.Create(CultureInfo.InvariantCulture, $"{ratio:0.00}x") : "",
                    (result.PeakMemoryMb ?? outcome.PeakMemoryMb).ToString(CultureInfo.InvariantCulture),
                    result.TargetText,
                ]);
            }

            if (outcome.MemoryBudgetMb is { } budget && outcome.Skipped is null)
            {
                var memory = new BenchmarkResult("peak memory of the scenario process", outcome.PeakMemoryMb, "MB") { Target = budget };
                rows.Add([outcome.Scenario, memory.Operation, BenchmarkResult.Format(memory.Value, "MB"), "", "", outcome.PeakMemoryMb.ToString(CultureInfo.InvariantCulture), memory.TargetText]);
            }
        }

        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(widths.Select(w => new string('-', w)).ToArray()).Prepend(header))
        {
            text.AppendLine(string.Join(" | ", row.Select((cell, i) => i is 2 or 4 or 5 ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd());
        }

        return text.ToString();
    }

    private sealed record Scenario(string Name, string Description, Func<BenchmarkReport, CancellationToken, Task> Run, int? MemoryBudgetMb = null);

    /// <summary>What a scenario's child process hands back: its figures, its peak working set and whether it was skipped or failed.</summary>
    internal sealed record ScenarioOutcome(string Scenario, List<BenchmarkResult> Results, long PeakMemoryMb, int? MemoryBudgetMb, string? Skipped, string? Failed);
}
