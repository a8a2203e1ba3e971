using System.Text.Json.Nodes;
using Dtp.Gen3;

namespace Dtp.Tests.Gen3;

/// <summary>The Querier's GraphQL side over real HTTP against the embedded commons' peregrine.</summary>
public sealed class QuerierPeregrineTests : IAsyncLifetime
{
    private Gen3ClientFixture fixture = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => fixture = await Gen3ClientFixture.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task GraphqlQueryAsync_WithVariables_ReturnsTheSubmittedRecords()
    {
        await fixture.SeedAsync("dataset-1", cases: 3, Ct);
        var querier = new Querier(fixture.Auth);

        var data = await querier.GraphqlQueryAsync(
            "query ($s: [String]) { experiment(submitter_id: $s) { submitter_id experimental_description cases(first: 0, order_by_asc: \"submitter_id\") { submitter_id age } } }",
            new JsonObject { ["s"] = new JsonArray("dataset-1") }, Ct);

        var experiment = Assert.Single(data["experiment"]!.AsArray())!;
        Assert.Equal("made by a test", (string?)experiment["experimental_description"]);
        Assert.Equal(["dataset-1-sub-00001", "dataset-1-sub-00002", "dataset-1-sub-00003"], experiment["cases"]!.AsArray().Select(c => (string?)c!["submitter_id"]));
        Assert.All(experiment["cases"]!.AsArray(), c => Assert.Equal("30 years", (string?)c!["age"]));
    }

    [Fact]
    public async Task GraphqlQueryAsync_WithASyntaxError_ThrowsWithPeregrinesErrorStrings()
    {
        var querier = new Querier(fixture.Auth);

        var ex = await Assert.ThrowsAsync<Gen3GraphQLException>(() => querier.GraphqlQueryAsync("{ experiment { submitter_id ", cancellationToken: Ct));

        Assert.Contains(ex.Errors, e => e.StartsWith("Syntax Error GraphQL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StreamNodeRecordsAsync_PagesEveryRecordInIdOrder_AsTheExportHasThem()
    {
        await fixture.SeedAsync("dataset-2", cases: 25, Ct);
        var querier = new Querier(fixture.Auth);

        var streamed = await querier.StreamNodeRecordsAsync("case", Gen3ClientFixture.Program, Gen3ClientFixture.Project,
            ["id", "submitter_id", "experiments { submitter_id }"], pageSize: 10, Ct).ToListAsync(Ct);
        var exported = await querier.GetNodeRecordsAsync("case", Gen3ClientFixture.Program, Gen3ClientFixture.Project, Ct);

        Assert.Equal(25, streamed.Count);
        Assert.Equal(streamed.Select(r => (string?)r["id"]).Order(StringComparer.Ordinal), streamed.Select(r => (string?)r["id"]));
        Assert.Equal(exported.Select(r => (string?)r["id"]).Order(StringComparer.Ordinal), streamed.Select(r => (string?)r["id"]));
        Assert.All(streamed, r => Assert.Equal("dataset-2", (string?)r["experiments"]![0]!["submitter_id"]));
    }

    [Fact]
    public async Task GetDatasetsAsync_CountsSubjectsOfEachExperiment()
    {
        await fixture.SeedAsync("dataset-3", cases: 4, Ct);
        await fixture.SeedAsync("dataset-4", cases: 1, Ct);
        var querier = new Querier(fixture.Auth);

        var datasets = await querier.GetDatasetsAsync(Gen3ClientFixture.Program, Gen3ClientFixture.Project, Ct);

        Assert.Equal([("dataset-3", 4), ("dataset-4", 1)], datasets.Select(d => (d.SubmitterId, d.Subjects)));
        Assert.All(datasets, d => Assert.Equal((0, 0), (d.Samples, d.ManifestFiles)));
    }
}
