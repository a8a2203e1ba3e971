using System.Globalization;
using Dtp.Testing.Commons;

namespace Dtp.Benchmarks;

/// <summary>
/// The embedded commons under 20 concurrent clients, each submitting batches of 10 cases and querying the latest ones in turn,
/// for 60 s (<c>DTP_BENCH_SECONDS</c>; 10 s under <c>all --quick</c>): requests per second, latency percentiles, errors by kind
/// (only 429/503 back-pressure is allowed) and records lost (acknowledged but not stored at the end; must be 0).
/// </summary>
internal static class LoadBenchmark
{
    private const int Clients = 20;
    private const int BatchSize = 10;

    public static async Task RunAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        var seconds = BenchmarkReport.Size("DTP_BENCH_SECONDS", 60, 10);
        Console.WriteLine($"{Clients} clients for {seconds} s; load average {BenchmarkReport.LoadAverages()} on {Environment.ProcessorCount} cores");
        await using var commons = await TestCommons.StartAsync(cancellationToken);
        await commons.CreateProjectAsync("bench", "load", cancellationToken);

        var result = await CommonsLoad.RunAsync(commons, "bench", "load", Clients, BatchSize, TimeSpan.FromSeconds(seconds), cancellationToken);

        var elapsed = result.Elapsed.TotalSeconds;
        var requests = result.SubmitMilliseconds.Count + result.QueryMilliseconds.Count;
        var lost = result.Lost.Count();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{requests} requests in {elapsed:F1} s = {requests / elapsed:F0}/s; {result.Acknowledged.Count} records acknowledged ({result.Acknowledged.Count / elapsed:F0}/s), {result.Stored.Count} stored, {lost} lost"));
        report.Add($"{Clients} clients submitting + querying for {seconds} s: requests", requests / elapsed, "requests/s");
        report.Add($"{Clients} clients: records acknowledged", result.Acknowledged.Count / elapsed, "records/s");
        foreach (var (operation, latencies) in new[] { ("submit 10 cases", result.SubmitMilliseconds), ("query latest 10", result.QueryMilliseconds) })
        {
            var sorted = latencies.Order().ToArray();
            foreach (var percentile in new[] { 50, 95, 99 })
            {
                report.Add($"{Clients} clients: {operation}, p{percentile} latency", Percentile(sorted, percentile), "ms");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{operation}: {sorted.Length} requests, p50 {Percentile(sorted, 50):F0} ms, p95 {Percentile(sorted, 95):F0} ms, p99 {Percentile(sorted, 99):F0} ms, max {sorted.LastOrDefault():F0} ms"));
        }

        foreach (var kind in result.BackPressure.GroupBy(k => k, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"back-pressure {kind.Key}: {kind.Count()}");
            report.Add($"{Clients} clients: back-pressure answers {kind.Key} (allowed)", kind.Count(), "answers");
        }

        foreach (var kind in result.Failures.GroupBy(f => f.Kind, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"ERROR {kind.Key}: {kind.Count()}, e.g. {kind.First().Detail}");
        }

        report.Add($"{Clients} clients: errors other than back-pressure", result.Failures.Count, "errors", target: 0);
        report.Add($"{Clients} clients: records acknowledged but not stored", lost, "lost records", target: 0);
    }

    /// <summary>The nearest-rank percentile of sorted values (NaN when there are none).</summary>
    private static double Percentile(double[] sorted, int percentile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
