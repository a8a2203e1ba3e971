using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
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

    [Theory]
    [InlineData("cases(first: 3, offset: 1, order_by_desc: \"submitter_id\", sex: [\"Female\"])", "samples(first: 2, offset: 1, order_by_desc: \"sample_id\")")]
    [InlineData("cases(first: 0, order_by_desc: \"age\", age_category: [\"adult\", \"old\"])", "samples(first: 1, order_by_desc: \"submitter_id\", sample_type: [\"tissue\"])")]
    public async Task Query_NestedThreeLevels_MatchesWhatTheExportsSay(string casesField, string samplesField)
    {
        await using var commons = await TestCommons.StartAsync(Ct);
        await commons.CreateProjectAsync("demo", "p1", Ct);
        using var http = commons.CreateClient();
        var records = new JsonArray(SdsRecords.Experiment("e1", "p1"), SdsRecords.Experiment("e2", "p1"));
        for (var i = 0; i < 14; i++)
        {
            var record = SdsRecords.Case($"c{i:D2}", i % 3 == 0 ? "e2" : "e1");
            record["sex"] = i % 2 == 0 ? "Female" : "Male";
            record["age"] = $"{(i * 7) % 10} years";
            record["age_category"] = (i % 3) switch { 0 => "adult", 1 => "old", _ => "young" };
            records.Add(record);
            for (var j = 0; j < i % 4; j++)
            {
                var sample = Sample($"c{i:D2}-s{j}", $"c{i:D2}");
                sample["sample_id"] = $"{(j * 5) % 3}-{i:D2}-{j}";
                sample["sample_type"] = j == 1 ? "blood" : "tissue";
                records.Add(sample);
            }
        }

        await PutAsync(http, "demo/p1", records);
        var experiments = await ExportAsync(http, "experiment");
        var cases = await ExportAsync(http, "case");
        var samples = await ExportAsync(http, "sample");
        var expected = new JsonArray([.. experiments.OrderByDescending(e => (string?)e["submitter_id"], StringComparer.Ordinal).Select(experiment => (JsonNode)new JsonObject
        {
            ["submitter_id"] = (string?)experiment["submitter_id"],
            ["cases"] = new JsonArray([.. Page(Select(cases.Where(c => LinksTo(c, "experiments", experiment)), casesField), casesField).Select(@case => (JsonNode)new JsonObject
            {
                ["submitter_id"] = (string?)@case["submitter_id"],
                ["samples"] = new JsonArray([.. Page(Select(samples.Where(s => LinksTo(s, "cases", @case)), samplesField), samplesField)
                    .Select(sample => (JsonNode)new JsonObject { ["submitter_id"] = (string?)sample["submitter_id"] })]),
            })]),
        })]);

        var (status, body) = await QueryAsync(http, $"{{ experiment(first: 0, order_by_desc: \"submitter_id\") {{ submitter_id {casesField} {{ submitter_id {samplesField} {{ submitter_id }} }} }} }}");

        Assert.Equal(200, status);
        Assert.Equal(expected.ToJsonString(), body["data"]!["experiment"]!.ToJsonString());
        Assert.Contains(expected, e => e!["cases"]!.AsArray().Any(c => c!["samples"]!.AsArray().Count > 0));
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
    public async Task Query_ArrayProperties_ReturnListsOfStringsLikePeregrine()
    {
        await using var commons = await StartWithRecordsAsync();
        using var http = commons.CreateClient();
        var description = CommonsServerTests.Complete("dataset_description", "dd1", "experiments", "e1");
        description["keywords"] = new JsonArray("heart", "model");
        description["number_of_subjects"] = new JsonArray(3);
        description["title"] = new JsonArray();
        var manifest = CommonsServerTests.Complete("manifest", "m1", "experiments", "e1");
        manifest["is_derived_from"] = new JsonArray("a.csv", "b.csv");
        await PutAsync(http, "demo/p1", new JsonArray(description, manifest));

        var (status, body) = await QueryAsync(http, """
            { dataset_description(keywords: ["x"]) { submitter_id }
              all: dataset_description { keywords number_of_subjects title subtitle }
              manifest { is_derived_from } }
            """);

        Assert.Equal(200, status);
        Assert.Null(body["errors"]);
        var record = body["data"]!["all"]![0]!;
        Assert.Equal(["heart", "model"], record["keywords"]!.AsArray().Select(k => (string?)k));
        Assert.Equal(["3"], record["number_of_subjects"]!.AsArray().Select(k => (string?)k));
        Assert.Empty(record["title"]!.AsArray());
        Assert.Empty(body["data"]!["dataset_description"]!.AsArray());
        // [string, array] properties are strings in peregrine's schema: a stored list comes back as text
        Assert.Equal("[\"a.csv\",\"b.csv\"]", (string?)body["data"]!["manifest"]![0]!["is_derived_from"]);
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

    private static async Task<List<JsonObject>> ExportAsync(HttpClient http, string node)
    {
        var body = await http.GetFromJsonAsync<JsonObject>(new Uri($"api/v0/submission/demo/p1/export?node_label={node}&format=json", UriKind.Relative), Ct);
        return [.. body!["data"]!.AsArray().Select(r => r!.AsObject())];
    }

    private static bool LinksTo(JsonObject record, string link, JsonObject parent) =>
        record[link] is JsonArray parents && parents.Any(p => (string?)p!["node_id"] == (string?)parent["id"]);

    /// <summary>Applies a field's property filters (<c>name: ["a", "b"]</c>) and its ordering (ties by id, as peregrine's SQL).</summary>
    private static IEnumerable<JsonObject> Select(IEnumerable<JsonObject> records, string field)
    {
        foreach (Match filter in Regex.Matches(field, "(\\w+): \\[([^\\]]*)\\]"))
        {
            var values = Regex.Matches(filter.Groups[2].Value, "\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            records = records.Where(r => values.Contains((string?)r[filter.Groups[1].Value] ?? "")).ToList();
        }

        var order = Regex.Match(field, "order_by_(asc|desc): \"(\\w+)\"");
        var key = order.Groups[2].Value;
        var sorted = order.Groups[1].Value == "desc"
            ? records.OrderByDescending(r => (string?)r[key], StringComparer.Ordinal)
            : records.OrderBy(r => (string?)r[key], StringComparer.Ordinal);
        return sorted.ThenBy(r => (string?)r["id"], StringComparer.Ordinal);
    }

    private static IEnumerable<JsonObject> Page(IEnumerable<JsonObject> records, string field)
    {
        var first = Regex.Match(field, "first: (\\d+)");
        var offset = Regex.Match(field, "offset: (\\d+)");
        var skipped = records.Skip(offset.Success ? int.Parse(offset.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
        var count = first.Success ? int.Parse(first.Groups[1].Value, CultureInfo.InvariantCulture) : 10;
        return count == 0 ? skipped : skipped.Take(count);
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
