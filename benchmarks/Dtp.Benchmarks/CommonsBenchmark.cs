using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Commons;
using Dtp.Testing.Commons;

namespace Dtp.Benchmarks;

/// <summary>
/// The embedded commons: start-up, 10,000 SDS <c>case</c> records submitted in batches of 500, then exported as JSON and TSV.
/// For scale: real sheepdog 2025.12 takes 36-38 s for the submission (about 270 records/s) and 0.6 s per export.
/// Targets: at least 5,000 records/s, each export at most 0.3 s, peak memory under 300 MB.
/// </summary>
internal static class CommonsBenchmark
{
    private const int Records = 10_000;
    private const int BatchSize = 500;

    public static async Task RunAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("dtp-bench-commons-").FullName;
        try
        {
            var watch = Stopwatch.StartNew();
            var first = await CommonsServer.StartAsync(new CommonsOptions { DataDirectory = folder, Port = 0 }, cancellationToken: cancellationToken);
            var coldStart = watch.Elapsed;
            await first.DisposeAsync();
            watch.Restart();
            await using var server = await CommonsServer.StartAsync(new CommonsOptions { DataDirectory = folder, Port = 0 }, cancellationToken: cancellationToken);
            var warmStart = watch.Elapsed;
            Console.WriteLine($"machine load average: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores (wall times stretch under load; CPU times do not)");
            Console.WriteLine($"start-up: first start {coldStart.TotalSeconds:F3} s (creates database and key), restart {warmStart.TotalSeconds:F3} s");
            report.Add("commons first start", coldStart.TotalSeconds, "s");
            report.Add("commons restart", warmStart.TotalSeconds, "s");

            var token = await TestCommons.ExchangeAsync(server.BaseUrl, await File.ReadAllTextAsync(server.CredentialsPath, cancellationToken), cancellationToken);
            using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/"), Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.Authorization = new("bearer", token);
            await SendAsync(http, HttpMethod.Post, "api/v0/submission/", new JsonObject { ["type"] = "program", ["name"] = "bench", ["dbgap_accession_number"] = "bench" }, cancellationToken);
            await SendAsync(http, HttpMethod.Put, "api/v0/submission/bench", new JsonObject { ["type"] = "project", ["code"] = "p1", ["dbgap_accession_number"] = "bench-p1", ["name"] = "p1" }, cancellationToken);
            await SendAsync(http, HttpMethod.Put, "api/v0/submission/bench/p1", SdsRecords.Experiment("dataset-1", "p1"), cancellationToken);

            var process = System.Diagnostics.Process.GetCurrentProcess();
            var bodies = Enumerable.Range(0, Records / BatchSize)
                .Select(b => new JsonArray([.. Enumerable.Range(b * BatchSize, BatchSize).Select(i => (JsonNode)SdsRecords.Case($"case-{i:D5}", "dataset-1"))]).ToJsonString())
                .ToList();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            watch.Restart();
            foreach (var body in bodies)
            {
                await SendTextAsync(http, HttpMethod.Put, "api/v0/submission/bench/p1", body, cancellationToken);
            }

            var submit = watch.Elapsed;
            process.Refresh();
            var submitCpu = process.TotalProcessorTime - cpuBefore;
            Console.WriteLine($"submit: {Records} case records in batches of {BatchSize}: {submit.TotalSeconds:F2} s, {Records / submit.TotalSeconds:F0} records/s (sheepdog ~270/s; target >= 5000/s); ratio to sheepdog {Records / submit.TotalSeconds / 270:F1}x; CPU {submitCpu.TotalSeconds:F2} s (client and server in one process)");
            report.Add($"commons submit {Records:N0} cases, batches of {BatchSize}", Records / submit.TotalSeconds, "records/s", "sheepdog", 270, target: 5000);

            foreach (var (format, run) in new[] { ("json", "first"), ("tsv", "first"), ("json", "warm"), ("tsv", "warm") })
            {
                process.Refresh();
                cpuBefore = process.TotalProcessorTime;
                watch.Restart();
                using var response = await http.GetAsync(new Uri($"api/v0/submission/bench/p1/export?node_label=case&format={format}", UriKind.Relative), cancellationToken);
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                var seconds = watch.Elapsed.TotalSeconds;
                process.Refresh();
                var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
                var rows = format == "json"
                    ? CountJsonRecords(bytes)
                    : bytes.AsSpan().Count((byte)'\n') - 1;
                if (rows != Records)
                {
                    throw new InvalidOperationException($"{format} export returned {rows} records, expected {Records}");
                }

                Console.WriteLine($"export {format} ({run}): {rows} records, {bytes.Length / 1024.0 / 1024.0:F1} MB in {seconds:F3} s, CPU {cpu:F3} s (sheepdog ~0.6 s; target <= 0.3 s)");
                report.Add($"commons export {Records:N0} cases as {format} ({run})", seconds, "s", "sheepdog", 0.6, target: 0.3);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int CountJsonRecords(byte[] bytes)
    {
        using var document = System.Text.Json.JsonDocument.Parse(bytes);
        return document.RootElement.GetProperty("data").GetArrayLength();
    }

    private static Task SendAsync(HttpClient http, HttpMethod method, string path, JsonNode body, CancellationToken cancellationToken) =>
        SendTextAsync(http, method, path, body.ToJsonString(), cancellationToken);

    private static async Task SendTextAsync(HttpClient http, HttpMethod method, string path, string body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
