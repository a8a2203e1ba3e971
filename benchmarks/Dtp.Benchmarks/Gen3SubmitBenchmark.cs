using System.Diagnostics;
using System.Text.Json.Nodes;
using Dtp.Gen3;
using Dtp.Testing.Commons;

namespace Dtp.Benchmarks;

/// <summary>
/// Gen3 submission and paging against the embedded commons: 10,000 case records with adaptive batches, with gen3sdk's
/// fixed 30, and one per request; then paging them back through the streaming GraphQL query.
/// </summary>
internal static class Gen3SubmitBenchmark
{
    private static int RecordCount => BenchmarkReport.Size("DTP_BENCH_RECORDS", 10_000, 1_000);

    public static async Task SubmitAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        await using var commons = await TestCommons.StartAsync(cancellationToken).ConfigureAwait(false);
        var rates = new List<(string Mode, double Rate)>();
        foreach (var (mode, initial, max) in new[] { ("adaptive (200, up to 1000)", 200, 1000), ("fixed 30 (gen3sdk)", 30, 30), ("one per request", 1, 1) })
        {
            var project = $"bench{rates.Count}";
            await commons.CreateProjectAsync("bench", project, cancellationToken).ConfigureAwait(false);
            using var submitter = Submitter(commons, initial, max);
            await Seed(submitter, project, cancellationToken).ConfigureAwait(false);
            var records = Cases(RecordCount, project);
            var clock = Stopwatch.StartNew();
            var result = await submitter.SubmitRecordsAsync("bench", project, records, cancellationToken: cancellationToken).ConfigureAwait(false);
            clock.Stop();
            if (!result.Success)
            {
                throw new InvalidOperationException($"{mode}: {(result.Errors.Count > 0 ? result.Errors[0].Message : "rejected")}");
            }

            var rate = records.Count / clock.Elapsed.TotalSeconds;
            rates.Add((mode, rate));
            Console.WriteLine(FormattableString.Invariant($"{mode,-28} {records.Count} records in {result.Batches.Count,5} requests: {clock.Elapsed.TotalSeconds,7:F2} s, {rate,8:F0} records/s"));
        }

        Console.WriteLine(FormattableString.Invariant($"adaptive / fixed 30: {rates[0].Rate / rates[1].Rate:F2}x; adaptive / one per request: {rates[0].Rate / rates[2].Rate:F2}x"));
        report.Add($"submit {RecordCount:N0} cases, adaptive batches", rates[0].Rate, "records/s", rates[1].Mode, rates[1].Rate);
        report.Add($"submit {RecordCount:N0} cases, adaptive vs one per request", rates[0].Rate, "records/s", rates[2].Mode, rates[2].Rate);
    }

    public static async Task StreamAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        await using var commons = await TestCommons.StartAsync(cancellationToken).ConfigureAwait(false);
        await commons.CreateProjectAsync("bench", "stream", cancellationToken).ConfigureAwait(false);
        using var submitter = Submitter(commons, 200, 1000);
        await Seed(submitter, "stream", cancellationToken).ConfigureAwait(false);
        await submitter.SubmitRecordsAsync("bench", "stream", Cases(RecordCount, "stream"), cancellationToken: cancellationToken).ConfigureAwait(false);
        using var auth = new Auth(refreshFile: commons.Server.CredentialsPath, options: new Gen3AuthOptions { UseTokenCache = false });
        var querier = new Querier(auth);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var count = 0;
        await foreach (var _ in querier.StreamNodeRecordsAsync("case", "bench", "stream", ["id", "submitter_id", "age", "sex"], pageSize: 500, cancellationToken).ConfigureAwait(false))
        {
            count++;
        }

        clock.Stop();
        Console.WriteLine(FormattableString.Invariant($"streamed {count} records in {clock.Elapsed.TotalSeconds:F2} s ({count / clock.Elapsed.TotalSeconds:F0} records/s); managed heap grew {(GC.GetTotalMemory(false) - before) / (1024 * 1024)} MB"));
        report.Add($"stream {count:N0} cases through GraphQL pages of 500", count / clock.Elapsed.TotalSeconds, "records/s");
    }

    private static Gen3Submitter Submitter(TestCommons commons, int initial, int max) => new(commons.BaseUrl, commons.Server.CredentialsPath, new Gen3SubmitterOptions
    {
        InitialBatchSize = initial,
        MaxBatchSize = max,
        AuthOptions = new Gen3AuthOptions { UseTokenCache = false },
    });

    private static async Task Seed(Gen3Submitter submitter, string project, CancellationToken cancellationToken) =>
        await submitter.SubmitRecordsAsync("bench", project, [SdsRecords.Experiment(project + "-dataset", project)], cancellationToken: cancellationToken).ConfigureAwait(false);

    private static List<JsonObject> Cases(int count, string project) =>
        [.. Enumerable.Range(1, count).Select(i => SdsRecords.Case(FormattableString.Invariant($"{project}-sub-{i:D6}"), project + "-dataset"))];
}
