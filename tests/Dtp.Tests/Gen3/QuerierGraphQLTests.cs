using System.Net;
using System.Text.Json.Nodes;
using Dtp.Gen3;
using Dtp.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dtp.Tests.Gen3;

/// <summary>
/// <see cref="Querier"/>'s GraphQL side against peregrine's recorded answers (<c>gen3/golden_exchanges.json</c>), replayed by a
/// stub handler until the embedded commons serves GraphQL.
/// </summary>
public sealed class QuerierGraphQLTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GraphqlQueryAsync_RecordedPagedQueryWithVariables_SendsThemAndReturnsData()
    {
        var exchange = await GoldenAsync("gql_paged_with_count");
        var (querier, handler) = Replaying(exchange);
        var sent = exchange["request_body"]!;

        var data = await querier.GraphqlQueryAsync((string)sent["query"]!, sent["variables"]!.AsObject(), Ct);

        Assert.True(JsonNode.DeepEquals(exchange["response_json"]!["data"], data));
        var request = Assert.Single(handler.Requests);
        Assert.Equal("/api/v0/submission/graphql", request.Uri.AbsolutePath);
        Assert.True(JsonNode.DeepEquals(sent, JsonNode.Parse(request.Body!)));
    }

    [Theory]
    [InlineData("gql_syntax_error", "Syntax Error GraphQL (1:33)")]
    [InlineData("gql_unknown_field", "Cannot query field \"nosuchfield\"")]
    public async Task GraphqlQueryAsync_RecordedErrors_ThrowWithTheServersErrorList(string name, string start)
    {
        var exchange = await GoldenAsync(name);
        var (querier, _) = Replaying(exchange);

        var ex = await Assert.ThrowsAsync<Gen3GraphQLException>(() => querier.GraphqlQueryAsync((string)exchange["request_body"]!["query"]!, cancellationToken: Ct));

        Assert.StartsWith(start, Assert.Single(ex.Errors), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal(DtpErrorKind.Remote, ex.Kind);
    }

    [Fact]
    public async Task GraphqlQueryAsync_RecordedNoAuth_ThrowsApiError401()
    {
        var (querier, _) = Replaying(await GoldenAsync("gql_no_auth"));

        var ex = await Assert.ThrowsAsync<Gen3ApiException>(() => querier.GraphqlQueryAsync("{ case(first: 0) { submitter_id } }", cancellationToken: Ct));

        Assert.IsNotType<Gen3GraphQLException>(ex);
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Equal("Authentication Error: no authorization header provided", ex.ServerMessage);
    }

    [Fact]
    public async Task StreamNodeRecordsAsync_FivePagedByTwo_AsksThreePagesOrderedByIdWithVariables()
    {
        var all = Enumerable.Range(1, 5).Select(i => new JsonObject { ["id"] = $"id-{i}", ["submitter_id"] = $"s-{i}" }).ToList();
        var handler = new StubHttpHandler((_, body) =>
        {
            var variables = JsonNode.Parse(body!)!["variables"]!;
            var page = all.Skip((int)variables["offset"]!).Take((int)variables["first"]!).Select(r => (JsonNode)r.DeepClone());
            return StubHttpHandler.Json(HttpStatusCode.OK, new JsonObject { ["data"] = new JsonObject { ["case"] = new JsonArray([.. page]) } }.ToJsonString());
        });
        var querier = new Querier(new HttpClient(handler) { BaseAddress = new Uri("http://gen3.test") }, NullLogger<Querier>.Instance);

        var records = await querier.StreamNodeRecordsAsync("case", "demo", "p1", pageSize: 2, cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(all.Select(r => (string?)r["submitter_id"]), records.Select(r => (string?)r["submitter_id"]));
        Assert.Equal([0, 2, 4], handler.Requests.Select(r => (int)JsonNode.Parse(r.Body!)!["variables"]!["offset"]!));
        var sent = JsonNode.Parse(handler.Requests[0].Body!)!;
        Assert.Contains("order_by_asc: \"id\"", (string)sent["query"]!, StringComparison.Ordinal);
        Assert.Equal("demo-p1", (string?)sent["variables"]!["pid"]![0]);
    }

    [Fact]
    public async Task StreamNodeRecordsAsync_FieldWithInjectedArguments_IsRefusedBeforeAnyRequest()
    {
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Json(HttpStatusCode.OK, "{}"));
        var querier = new Querier(new HttpClient(handler) { BaseAddress = new Uri("http://gen3.test") }, NullLogger<Querier>.Instance);

        await Assert.ThrowsAsync<ArgumentException>(async () => await querier.StreamNodeRecordsAsync("case", "demo", "p1", ["id } other(first: 0) { id"], cancellationToken: Ct).ToListAsync(Ct));

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task GetDatasetsAsync_SumsSamplesOfSubjectsAndTakesTheTitle()
    {
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Json(HttpStatusCode.OK, """
            {"data": {"experiment": [{"id": "e1", "submitter_id": "dataset-1", "_cases_count": 2, "_manifests_count": 7,
              "dataset_descriptions": [{"title": ["Breast MRI"]}], "cases": [{"_samples_count": 3}, {"_samples_count": 1}]},
             {"id": "e2", "submitter_id": "dataset-2", "_cases_count": 0, "_manifests_count": 0, "dataset_descriptions": [], "cases": []}]}}
            """));
        var querier = new Querier(new HttpClient(handler) { BaseAddress = new Uri("http://gen3.test") }, NullLogger<Querier>.Instance);

        var datasets = await querier.GetDatasetsAsync("demo", "p1", Ct);

        Assert.Equal([new Gen3Dataset("e1", "dataset-1", "Breast MRI", 2, 4, 7), new Gen3Dataset("e2", "dataset-2", null, 0, 0, 0)], datasets);
        Assert.Equal("demo-p1", (string?)JsonNode.Parse(Assert.Single(handler.Requests).Body!)!["variables"]!["pid"]![0]);
    }

    private static (Querier Querier, StubHttpHandler Handler) Replaying(JsonObject exchange)
    {
        var status = (HttpStatusCode)(int)exchange["status"]!;
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Json(status, exchange["response_json"]!.ToJsonString()));
        return (new Querier(new HttpClient(handler) { BaseAddress = new Uri("http://gen3.test") }, NullLogger<Querier>.Instance), handler);
    }

    private static async Task<JsonObject> GoldenAsync(string name)
    {
        var all = JsonNode.Parse(await File.ReadAllTextAsync(Requirements.Reference("gen3/golden_exchanges.json"), Ct))!;
        return all["exchanges"]!.AsArray().Single(e => (string?)e!["name"] == name)!.AsObject();
    }
}
