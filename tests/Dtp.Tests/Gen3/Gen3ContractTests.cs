using System.Net;
using System.Text.Json.Nodes;
using Dtp.Gen3;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Gen3;

/// <summary>Our requests against the original's (<c>dtp/http_calls_of_original.jsonl</c>) and peregrine's recorded answers (<c>gen3/golden_exchanges.json</c>).</summary>
public sealed class Gen3ContractTests
{
    private const string Endpoint = "http://mock.test";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OriginalCalls_QuerierExporterSubmitter_SendTheOriginalsMethodsPathsAndQueries()
    {
        var original = (await File.ReadAllLinesAsync(Requirements.Reference("dtp/http_calls_of_original.jsonl"), Ct))
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(c => !((string)c["path"]!).StartsWith("/user/", StringComparison.Ordinal)) // Auth's own calls, tested with Auth
            .ToList();
        var handler = new StubHttpHandler((request, body) => Answer(request, body));
        using var auth = new Auth(endpoint: Endpoint, accessToken: TestJwt.Create(Endpoint + "/user", DateTimeOffset.UtcNow.AddHours(1)), options: new Gen3AuthOptions { Handler = handler, UseTokenCache = false });
        var querier = new Querier(auth);
        var exporter = new Exporter(auth);
        using var submitter = new Gen3Submitter(Endpoint, auth, new Gen3SubmitterOptions { Dictionary = Dtp.Gen3.Dictionary.Gen3Dictionary.Sds });
        var home = Directory.CreateTempSubdirectory("dtp-contract-").FullName;
        var file = Path.Combine(home, "experiment.json");
        await File.WriteAllTextAsync(file, """{"type": "experiment", "submitter_id": "dataset-12L_1-version-1", "projects": {"code": "12L"}}""", Ct);

        try
        {
            await querier.GetProgramsAsync(Ct);
            await querier.GetProjectsAsync("demo1", Ct);
            await querier.GetNodeRecordsAsync("experiment", "demo1", "12L", Ct);
            await querier.GraphqlQueryAsync("{ experiment (submitter_id: \"dataset-12L_1-version-1\") { submitter_id } }", cancellationToken: Ct);
            await querier.GraphqlQueryAsync("query Q($s: [String]) { experiment (submitter_id: $s) { submitter_id } }", new JsonObject { ["s"] = new JsonArray("x") }, Ct);
            await Assert.ThrowsAsync<Gen3GraphQLException>(() => querier.GraphqlQueryAsync("{ bad }", cancellationToken: Ct));
            await exporter.ExportNodeAsync("demo1", "12L", "experiment", Gen3ExportFormat.Json, Path.Combine(home, "node.json"), cancellationToken: Ct);
            await exporter.ExportNodeAsync("demo1", "12L", "experiment", Gen3ExportFormat.Json, cancellationToken: Ct);
            await exporter.ExportNodeAsync("demo1", "12L", "experiment", Gen3ExportFormat.Tsv, Path.Combine(home, "node.tsv"), cancellationToken: Ct);
            await exporter.ExportRecordAsync("demo1", "12L", "11111111-1111-1111-1111-111111111111", Gen3ExportFormat.Json, Path.Combine(home, "record.json"), cancellationToken: Ct);
            await exporter.ExportRecordAsync("demo1", "12L", "11111111-1111-1111-1111-111111111111", Gen3ExportFormat.Json, cancellationToken: Ct);
            await submitter.SubmitRecordAsync("demo1", "12L", file, cancellationToken: Ct);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }

        var ours = handler.Requests;
        Assert.Equal(original.Select(c => $"{c["method"]} {c["path"]}"), ours.Select(r => $"{r.Method} {r.Uri.PathAndQuery}"));
        Assert.All(ours, r => Assert.StartsWith("bearer ", r.Authorization, StringComparison.Ordinal));
        for (var i = 0; i < original.Count; i++)
        {
            if ((string?)original[i]["method"] == "POST")
            {
                Assert.True(JsonNode.DeepEquals(original[i]["body"], JsonNode.Parse(ours[i].Body!)), $"GraphQL body {i} differs: {ours[i].Body}");
            }
        }

        // The documented fix: the submitter sends the file's records, not its path.
        Assert.Equal("work/experiment.json", (string?)original[^1]["body"]);
        Assert.Equal("dataset-12L_1-version-1", (string?)JsonNode.Parse(ours[^1].Body!)![0]!["submitter_id"]);
    }

    private static HttpResponseMessage Answer(HttpRequestMessage request, string? body)
    {
        var path = request.RequestUri!.AbsolutePath;
        var query = request.RequestUri.Query;
        return (request.Method.Method, path) switch
        {
            ("GET", "/api/v0/submission/") => StubHttpHandler.Json(HttpStatusCode.OK, """{"links": ["/v0/submission/demo1"]}"""),
            ("GET", "/api/v0/submission/demo1") => StubHttpHandler.Json(HttpStatusCode.OK, """{"links": ["/v0/submission/demo1/12L"]}"""),
            ("GET", _) when query.Contains("format=tsv", StringComparison.Ordinal) => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("type\tid\nexperiment\t1\n") },
            ("GET", _) when query.Contains("ids=", StringComparison.Ordinal) => StubHttpHandler.Json(HttpStatusCode.OK, """[{"id": "11111111-1111-1111-1111-111111111111", "type": "experiment"}]"""),
            ("GET", _) => StubHttpHandler.Json(HttpStatusCode.OK, """{ "data": [{"id": "1", "type": "experiment"}]}"""),
            ("POST", _) when body!.Contains("bad", StringComparison.Ordinal) =>
                StubHttpHandler.Json(HttpStatusCode.BadRequest, """{"data": null, "errors": ["Cannot query field \"bad\" on type \"Root\"."]}"""),
            ("POST", _) => StubHttpHandler.Json(HttpStatusCode.OK, """{"data": {"experiment": []}}"""),
            _ => StubHttpHandler.Json(HttpStatusCode.OK, """{"success": true, "code": 200, "message": "Transaction successful.", "transaction_id": 1, "created_entity_count": 1, "updated_entity_count": 0, "entities": [], "transactional_errors": []}"""),
        };
    }
}
