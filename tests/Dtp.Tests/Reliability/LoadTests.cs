using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Gen3;
using Dtp.Tests.Gen3;

namespace Dtp.Tests.Reliability;

/// <summary>The embedded commons under 20 concurrent clients that submit and query for a few seconds: no error but back-pressure, no lost record.</summary>
public sealed class LoadTests
{
    private const int Clients = 20;
    private const int BatchSize = 10;

    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(6);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Commons_TwentyClientsSubmittingAndQuerying_LoseNoRecordAndFailOnlyWithBackPressure()
    {
        await using var fixture = await Gen3ClientFixture.StartAsync(Ct);
        await fixture.SeedAsync("load", 0, Ct);
        var acknowledged = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<string>();
        var backPressure = 0;
        var queries = 0;
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            using var http = fixture.Commons.CreateClient();
            for (var batch = 0; clock.Elapsed < Duration; batch++)
            {
                var ids = Enumerable.Range(0, BatchSize).Select(i => $"load-c{client:D2}-b{batch:D4}-{i}").ToArray();
                var records = new JsonArray([.. ids.Select(id => (JsonNode)Gen3ClientFixture.Case(id, "load"))]);
                using (var put = await http.PutAsync(new Uri("api/v0/submission/demo/p1", UriKind.Relative), Json(records), Ct))
                {
                    if (put.IsSuccessStatusCode)
                    {
                        ids.ToList().ForEach(acknowledged.Add);
                    }
                    else if (put.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref backPressure);
                    }
                    else
                    {
                        failures.Add($"PUT {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync(Ct)}");
                    }
                }

                var query = new JsonObject { ["query"] = "{ case(first: 10, project_id: \"demo-p1\", order_by_desc: \"submitter_id\") { submitter_id } }" };
                using var answer = await http.PostAsync(new Uri("api/v0/submission/graphql", UriKind.Relative), Json(query), Ct);
                Interlocked.Increment(ref queries);
                if (!answer.IsSuccessStatusCode && answer.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
                {
                    failures.Add($"GraphQL {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync(Ct)}");
                }
            }
        }, Ct)));
        var stored = (await new Querier(fixture.Auth).GetNodeRecordsAsync("case", "demo", "p1", Ct)).Select(r => (string)r["submitter_id"]!).ToHashSet(StringComparer.Ordinal);
        TestContext.Current.SendDiagnosticMessage($"{acknowledged.Count} records acknowledged, {queries} queries, {backPressure} back-pressure answers in {clock.Elapsed.TotalSeconds:F1} s");

        Assert.Empty(failures);
        Assert.True(acknowledged.Count >= Clients * BatchSize, $"only {acknowledged.Count} records were acknowledged");
        Assert.DoesNotContain(acknowledged, id => !stored.Contains(id));
        Assert.Equal(acknowledged.Count, stored.Count);
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}
