using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Commons;
using Dtp.Testing.Commons;

namespace Dtp.Tests.Commons;

public sealed class PeregrineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Query_RootListsAndCounts_ReturnSubmittedRecords()
    {
        await using var commons = await StartWithRecordsAsync();
        using var http = commons.CreateClient();

        var (status, body) = await QueryAsync(http, "{ _case_count(project_id: \"demo-p1\") case(project_id: \"demo-p1\", first: 0, order_by_desc: \"submitter_id\") { submitter_id project_id } }");

        Assert.Equal(200, status);
        Assert.Equal(3, (int)body["data"]!["_case_count"]!);
        Assert.Equal(["c3", "c2", "c1"], SubmitterIds(body["data"]!["case"]));
        Assert.All(body["data"]!["case"]!.AsArray(), c => Assert.Equal("demo-p1", (string?)c!["project_id"]));
    }

    [Fact]
    public async Task Query_WithoutFirst_ReturnsAtMostTen()
    {
        await using var commons = await StartWithRecordsAsync(cases: 12);
        using var http = commons.CreateClient();

        var (_, body) = await QueryAsync(http, "{ case(project_id: \"demo-p1\") { id } all: case(project_id: \"demo-p1\", first: 0) { id } }");

        Assert.Equal(10, body["data"]!["case"]!.AsArray().Count);
        Assert.Equal(12, body["data"]!["all"]!.AsArray().Count);
    }

    [Fact]
    public async Task Query_NestedThreeLevels_HonoursFirstOffsetOrderAndFilters()
    {
        await using var commons = await StartWithRecordsAsync();
        using var http = commons.CreateClient();

        var (status, body) = await QueryAsync(http, """
            { experiment(submitter_id: "e1") { submitter_id _cases_count
                cases(first: 2, offset: 1, order_by_desc: "submitter_id") { submitter_id
                  samples(first: 0, order_by_desc: "sample_id") { submitter_id cases { submitter_id } } }
                female: cases(sex: ["Female"], first: 0) { submitter_id } } }
            """);

        Assert.Equal(200, status);
        var experiment = body["data"]!["experiment"]![0]!;
        Assert.Equal(3, (int)experiment["_cases_count"]!);
        var cases = experiment["cases"]!.AsArray();
        Assert.Equal(["c2", "c1"], SubmitterIds(cases));
        Assert.Equal(["c2-s2", "c2-s1"], SubmitterIds(cases[0]!["samples"]));
        Assert.Equal(["c2"], SubmitterIds(cases[0]!["samples"]![0]!["cases"]));
        Assert.Equal(["c1", "c2", "c3"], SubmitterIds(experiment["female"]));
    }

    [Fact]
    public async Task Query_ReadOnlyUserOfOneProject_SeesNothingOfTheOther()
    {
        await using var commons = await StartWithRecordsAsync();
        var path = await CommonsUsers.AddAsync(commons.DataDirectory, "reader", ["demo/p1"], [], admin: false, cancellationToken: Ct);
        using var http = commons.CreateClient(await TestCommons.ExchangeAsync(commons.BaseUrl, await File.ReadAllTextAsync(path, Ct), Ct));

        var (status, body) = await QueryAsync(http, """
            { _case_count _experiment_count case(first: 0) { project_id } experiment(first: 0) { project_id _cases_count cases(first: 0) { project_id } }
              project(first: 0) { project_id } program(first: 0) { name projects(first: 0) { project_id } _projects_count }
              node(first: 0) { project_id } files: node(category: "data_file", first: 0) { id } other: case(project_id: "demo-p2") { id } }
            """);

        Assert.Equal(200, status);
        var data = body["data"]!;
        Assert.Equal(3, (int)data["_case_count"]!);
        Assert.Equal(1, (int)data["_experiment_count"]!);
        Assert.Empty(data["other"]!.AsArray());
        Assert.Empty(data["files"]!.AsArray());
        Assert.Equal(1, (int)data["program"]![0]!["_projects_count"]!);
        var projectIds = data.ToJsonString();
        Assert.DoesNotContain("demo-p2", projectIds, StringComparison.Ordinal);
        Assert.Contains("demo-p1", projectIds, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_WithPathToTwoLevelsUp_KeepsOnlyConnectedRecords()
    {
        await using var commons = await StartWithRecordsAsync();
        using var http = commons.CreateClient();

        var (status, body) = await QueryAsync(http, "{ sample(with_path_to: {type: \"experiment\", submitter_id: \"e2\"}, first: 0) { submitter_id } _sample_count(with_path_to: [{type: \"case\", subject_id: \"c2\"}]) }");

        Assert.Equal(200, status);
        Assert.Equal(["x1-s1"], SubmitterIds(body["data"]!["sample"]));
        Assert.Equal(2, (int)body["data"]!["_sample_count"]!);
    }

    [Fact]
    public async Task Query_VariablesAsJsonString_AreParsed()
    {
        await using var commons = await StartWithRecordsAsync();
        using var http = commons.CreateClient();

        var (status, body) = await PostAsync(http, new JsonObject { ["query"] = "query ($n: Int) { case(first: $n, order_by_asc: \"submitter_id\") { submitter_id } }", ["variables"] = "{\"n\": 1}" });

        Assert.Equal(200, status);
        Assert.Equal(["c1"], SubmitterIds(body["data"]!["case"]));
    }

    [Theory]
    [InlineData("{ case { nosuchfield } }", "Cannot query field \"nosuchfield\" on type \"case\".")]
    [InlineData("{ case(order_by_asc: \"nosuch\") { id } }", "Cannot order or filter by \"nosuch\".")]
    public async Task Query_Invalid_Gives400WithErrorStrings(string query, string expected)
    {
        await using var commons = await StartWithRecordsAsync();
        using var http = commons.CreateClient();

        var (status, body) = await QueryAsync(http, query);

        Assert.Equal(400, status);
        Assert.Equal(expected, (string?)body["errors"]![0]);
    }

    [Fact]
    public async Task Query_BadVariables_Gives400UnableToParse()
    {
        await using var commons = await StartWithRecordsAsync();
        using var http = commons.CreateClient();

        var (status, body) = await PostAsync(http, new JsonObject { ["query"] = "{ case { id } }", ["variables"] = "{not json" });

        Assert.Equal(400, status);
        Assert.Equal("Unable to parse variables", (string?)body["errors"]![0]);
        Assert.Null(body["data"]);
    }

    [Fact]
    public async Task GetSchema_WithoutAuth_ReturnsIntrospection()
    {
        await using var commons = await TestCommons.StartAsync(Ct);
        using var http = new HttpClient();

        var body = await http.GetFromJsonAsync<JsonObject>(new Uri(commons.BaseUrl + "/api/v0/submission/getschema"), Ct);

        var schema = body!["data"]!["__schema"]!;
        Assert.Equal("Root", (string?)schema["queryType"]!["name"]);
        Assert.Contains(schema["types"]!.AsArray(), t => (string?)t!["name"] == "case");
    }

    internal static async Task<TestCommons> StartWithRecordsAsync(int cases = 3)
    {
        var commons = await TestCommons.StartAsync(Ct);
        await commons.CreateProjectAsync("demo", "p1", Ct);
        await commons.CreateProjectAsync("demo", "p2", Ct);
        using var http = commons.CreateClient();
        var p1 = new JsonArray(SdsRecords.Experiment("e1", "p1"));
        for (var i = 1; i <= cases; i++)
        {
            p1.Add(SdsRecords.Case($"c{i}", "e1"));
            p1.Add(Sample($"c{i}-s1", $"c{i}"));
            p1.Add(Sample($"c{i}-s2", $"c{i}"));
        }

        await PutAsync(http, "demo/p1", p1);
        await PutAsync(http, "demo/p2", new JsonArray(SdsRecords.Experiment("e2", "p2"), SdsRecords.Case("x1", "e2"), Sample("x1-s1", "x1")));
        return commons;
    }

    internal static async Task<(int Status, JsonObject Body)> QueryAsync(HttpClient http, string query) =>
        await PostAsync(http, new JsonObject { ["query"] = query });

    internal static string?[] SubmitterIds(JsonNode? list) => [.. list!.AsArray().Select(x => (string?)x!["submitter_id"])];

    private static async Task<(int Status, JsonObject Body)> PostAsync(HttpClient http, JsonObject request)
    {
        using var response = await http.PostAsync(new Uri("api/v0/submission/graphql", UriKind.Relative), new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject());
    }

    private static async Task PutAsync(HttpClient http, string project, JsonArray records)
    {
        using var response = await http.PutAsync(new Uri("api/v0/submission/" + project, UriKind.Relative), new StringContent(records.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static JsonObject Sample(string submitterId, string caseSubmitterId) => new()
    {
        ["type"] = "sample",
        ["submitter_id"] = submitterId,
        ["cases"] = new JsonObject { ["submitter_id"] = caseSubmitterId },
        ["subject_id"] = caseSubmitterId,
        ["sample_id"] = submitterId,
        ["wasDerivedFromSample"] = "",
        ["pool_id"] = "",
        ["sample_experimental_group"] = "g1",
        ["sample_type"] = "tissue",
        ["sample_anatomical_location"] = "heart",
        ["also_in_dataset"] = "",
        ["member_of"] = "",
    };
}
