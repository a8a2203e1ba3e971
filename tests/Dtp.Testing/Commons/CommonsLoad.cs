using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Gen3;

namespace Dtp.Testing.Commons;

/// <summary>
/// Drives a commons with concurrent clients, each submitting batches of new <c>case</c> records and querying the latest ones in turn
/// until a duration has passed, then reads every stored case back: the CI load test and the <c>load</c> benchmark both run it.
/// 429 and 503 answers are the commons' documented back-pressure; every other error answer or transport error is a failure.
/// </summary>
public static class CommonsLoad
{
    /// <summary>
    /// Submits an experiment to <paramref name="program"/>/<paramref name="project"/> (which must exist), runs
    /// <paramref name="clients"/> clients for <paramref name="duration"/>, and returns what was acknowledged, stored and refused.
    /// </summary>
    public static async Task<CommonsLoadResult> RunAsync(TestCommons commons, string program, string project, int clients, int batchSize, TimeSpan duration,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commons);
        var experiment = $"load-{project}";
        using (var seed = commons.CreateClient())
        using (var put = await seed.PutAsync(new Uri($"api/v0/submission/{program}/{project}", UriKind.Relative), Json(SdsRecords.Experiment(experiment, project)), cancellationToken))
        {
            put.EnsureSuccessStatusCode();
        }

        var result = new CommonsLoadResult();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            using var http = commons.CreateClient();
            for (var batch = 0; clock.Elapsed < duration; batch++)
            {
                var ids = Enumerable.Range(0, batchSize).Select(i => $"load-c{client:D2}-b{batch:D5}-{i}").ToArray();
                var records = new JsonArray([.. ids.Select(id => (JsonNode)SdsRecords.Case(id, experiment))]);
                if (await SendAsync(result, "PUT", result.SubmitMilliseconds, ct => http.PutAsync(new Uri($"api/v0/submission/{program}/{project}", UriKind.Relative), Json(records), ct), cancellationToken))
                {
                    ids.ToList().ForEach(result.Acknowledged.Add);
                }

                var query = new JsonObject { ["query"] = $"{{ case(first: 10, project_id: \"{program}-{project}\", order_by_desc: \"submitter_id\") {{ submitter_id }} }}" };
                await SendAsync(result, "GraphQL", result.QueryMilliseconds, ct => http.PostAsync(new Uri("api/v0/submission/graphql", UriKind.Relative), Json(query), ct), cancellationToken);
            }
        }, cancellationToken)));
        result.Elapsed = clock.Elapsed;

        var home = Directory.CreateTempSubdirectory("dtp-load-").FullName;
        try
        {
            using var auth = commons.CreateAuth(home);
            var stored = await new Querier(auth).GetNodeRecordsAsync("case", program, project, cancellationToken);
            result.Stored.UnionWith(stored.Select(r => (string)r["submitter_id"]!));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }

        return result;
    }

    /// <summary>Sends one request, records its latency, and classifies the answer; returns whether it succeeded.</summary>
    private static async Task<bool> SendAsync(CommonsLoadResult result, string operation, ConcurrentBag<double> latencies, Func<CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await send(cancellationToken);
            var body = response.IsSuccessStatusCode ? null : await response.Content.ReadAsStringAsync(cancellationToken);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
            {
                result.BackPressure.Add($"{operation} {(int)response.StatusCode}");
            }
            else if (body is not null)
            {
                result.Failures.Add(($"{operation} {(int)response.StatusCode}", body));
            }

            return body is null;
        }
        catch (HttpRequestException e)
        {
            result.Failures.Add(($"{operation} {e.HttpRequestError}", e.Message));
            return false;
        }
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}

/// <summary>What a <see cref="CommonsLoad"/> run saw: acknowledged and stored record ids, back-pressure, failures and latencies.</summary>
public sealed class CommonsLoadResult
{
    /// <summary>Gets the submitter ids of every record whose submission the commons acknowledged.</summary>
    public ConcurrentBag<string> Acknowledged { get; } = [];

    /// <summary>Gets the submitter ids of every case stored in the project at the end.</summary>
    public HashSet<string> Stored { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the documented back-pressure answers (429, 503), as "PUT 429".</summary>
    public ConcurrentBag<string> BackPressure { get; } = [];

    /// <summary>Gets every other failure: its kind ("PUT 500", "GraphQL ConnectionError") and the answer or error message.</summary>
    public ConcurrentBag<(string Kind, string Detail)> Failures { get; } = [];

    /// <summary>Gets the latency of each submission in milliseconds.</summary>
    public ConcurrentBag<double> SubmitMilliseconds { get; } = [];

    /// <summary>Gets the latency of each query in milliseconds.</summary>
    public ConcurrentBag<double> QueryMilliseconds { get; } = [];

    /// <summary>Gets how long the clients ran.</summary>
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>Gets the acknowledged records that are not stored.</summary>
    public IEnumerable<string> Lost => Acknowledged.Where(id => !Stored.Contains(id));
}
