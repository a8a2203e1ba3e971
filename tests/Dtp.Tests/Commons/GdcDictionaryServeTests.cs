using System.Text;
using System.Text.Json.Nodes;
using Dtp.Gen3.Dictionary;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Commons;

/// <summary>
/// <c>dtp serve --dictionary</c> with the upstream gdcdictionary 2.0.4: its example records submitted over HTTP, each into
/// a project of its own together with synthesized parents (minimal valid records of the linked types). The examples'
/// ids are replaced by fresh ones, consistently within an example: several examples share ids (submitted_aligned_reads and
/// submitted_methylation have the same one; case.json links an experiment by the id of project BLGSP).
/// </summary>
public sealed class GdcDictionaryServeTests
{
    private const string Program = "gdc";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_GdcDictionaryValidExamples_AreAccepted()
    {
        var folder = Requirements.Reference("gen3/upstream/gdcdictionary_2_0_4");
        var dictionary = await Gen3Dictionary.LoadAsync(Path.Combine(folder, "schemas"), Ct);
        var data = Directory.CreateTempSubdirectory("dtp-serve-").FullName;
        try
        {
            using var serve = await ServeProcessTests.ServeAsync(data, "--dictionary", Path.Combine(folder, "schemas"));
            using var http = await ServeProcessTests.ClientAsync(serve.BaseUrl, data);
            await SendAsync(http, HttpMethod.Post, "api/v0/submission/", new JsonObject { ["type"] = "program", ["name"] = Program, ["dbgap_accession_number"] = Program });

            var failures = new List<string>();
            var accepted = new List<string>();
            var refused = new List<string>();
            foreach (var file in Directory.EnumerateFiles(Path.Combine(folder, "examples", "valid"), "*.json").Order(StringComparer.Ordinal))
            {
                var example = JsonNode.Parse(await File.ReadAllTextAsync(file, Ct))!.AsObject();
                var (status, body) = await SubmitExampleAsync(http, dictionary, Path.GetFileNameWithoutExtension(file), example);
                if (status is 200 or 201 && (bool?)body["success"] != false)
                {
                    accepted.Add((string)example["type"]!);
                }
                else if (!dictionary.Nodes[(string)example["type"]!].Submittable && status == 400
                    && body["entities"]!.AsArray().Any(e => e!["errors"]!.AsArray().Any(x => (string?)x!["type"] == "INVALID_TYPE")))
                {
                    refused.Add((string)example["type"]!);
                }
                else
                {
                    failures.Add($"{Path.GetFileName(file)}: {status} {body.ToJsonString()}");
                }
            }

            Assert.True(failures.Count == 0, string.Join('\n', failures));
            Assert.Equal(26, accepted.Count);
            Assert.Equal(["read_group_qc"], refused); // declared submittable: false
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_GdcDictionaryInvalidExamples_AreRejectedWithSheepdogErrorTypes()
    {
        var folder = Requirements.Reference("gen3/upstream/gdcdictionary_2_0_4");
        var expected = new Dictionary<string, (string Type, string Message)>(StringComparer.Ordinal)
        {
            ["aliquot_invalid_1.json"] = ("ERROR", "Additional properties are not allowed ('alias', 'derived_from' were unexpected)"),
            ["aliquot_invalid_2.json"] = ("ERROR", "Additional properties are not allowed ('alias', 'derived_from' were unexpected)"),
            ["aliquot_invalid_3.json"] = ("MISSING_PROPERTY", "'submitter_id' is a required property"),
            ["case_invalid_1.json"] = ("MISSING_PROPERTY", "'submitter_id' is a required property"),
            ["case_invalid_2.json"] = ("ERROR", "Additional properties are not allowed ('alias', 'member_of', 'gender', 'race' were unexpected)"),
        };
        var data = Directory.CreateTempSubdirectory("dtp-serve-").FullName;
        try
        {
            using var serve = await ServeProcessTests.ServeAsync(data, "--dictionary", Path.Combine(folder, "schemas"));
            using var http = await ServeProcessTests.ClientAsync(serve.BaseUrl, data);
            await SendAsync(http, HttpMethod.Post, "api/v0/submission/", new JsonObject { ["type"] = "program", ["name"] = Program, ["dbgap_accession_number"] = Program });
            await SendAsync(http, HttpMethod.Put, $"api/v0/submission/{Program}", Project("invalid"));

            var outcomes = new Dictionary<string, (int Status, List<(string?, string?)> Errors)>(StringComparer.Ordinal);
            foreach (var file in expected.Keys)
            {
                var example = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "examples", "invalid", file), Ct))!;
                var (status, body) = await SendAsync(http, HttpMethod.Put, $"api/v0/submission/{Program}/invalid", example);
                var errors = body["entities"]!.AsArray().SelectMany(e => e!["errors"]!.AsArray()).Select(e => ((string?)e!["type"], (string?)e["message"])).ToList();
                outcomes[file] = (status, errors);
            }

            Assert.All(expected, e =>
            {
                Assert.Equal(400, outcomes[e.Key].Status);
                Assert.Contains((e.Value.Type, e.Value.Message), outcomes[e.Key].Errors);
            });
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Submits one example: programs and projects to their own routes, any other record with its parents into a new project.</summary>
    private static async Task<(int Status, JsonObject Body)> SubmitExampleAsync(HttpClient http, Gen3Dictionary dictionary, string name, JsonObject example)
    {
        switch ((string)example["type"]!)
        {
            case "program":
                return await SendAsync(http, HttpMethod.Post, "api/v0/submission/", example);
            case "project":
                var program = (string)example["programs"]![0]!["name"]!;
                await SendAsync(http, HttpMethod.Post, "api/v0/submission/", new JsonObject { ["type"] = "program", ["name"] = program, ["dbgap_accession_number"] = program });
                return await SendAsync(http, HttpMethod.Put, $"api/v0/submission/{program}", example);
        }

        var code = name.Replace('_', '-');
        await SendAsync(http, HttpMethod.Put, $"api/v0/submission/{Program}", Project(code));
        var records = new JsonArray();
        var synthesizer = new ParentSynthesizer(dictionary, code, records);
        var node = dictionary.Nodes[(string)example["type"]!];
        if (example["id"] is JsonNode ownId)
        {
            example["id"] = synthesizer.FreshId((string)ownId!);
        }

        foreach (var link in node.Links.Where(l => example[l.Name] is not null).ToList())
        {
            var items = example[link.Name] is JsonArray list ? list.OfType<JsonObject>().ToList() : [example[link.Name]!.AsObject()];
            example[link.Name] = link.TargetType == "project"
                ? new JsonObject { ["code"] = code }
                : new JsonArray([.. items.Select(item => (JsonNode)synthesizer.Parent(link.TargetType, item))]);
        }

        records.Add(example);
        return await SendAsync(http, HttpMethod.Put, $"api/v0/submission/{Program}/{code}", records);
    }

    private static JsonObject Project(string code) => new()
    {
        ["type"] = "project", ["code"] = code, ["name"] = code, ["dbgap_accession_number"] = code, ["programs"] = new JsonObject { ["name"] = Program },
    };

    private static async Task<(int Status, JsonObject Body)> SendAsync(HttpClient http, HttpMethod method, string path, JsonNode body)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, Ct);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject());
    }

    /// <summary>Adds to a batch minimal valid records of parent types: required properties sampled from the schema, required links synthesized in turn.</summary>
    private sealed class ParentSynthesizer(Gen3Dictionary dictionary, string code, JsonArray records)
    {
        private readonly Dictionary<string, string> ids = new(StringComparer.Ordinal);
        private int count;

        /// <summary>Returns the fresh id standing for an example's id (the same one each time within the example).</summary>
        public string FreshId(string id)
        {
            if (!ids.TryGetValue(id, out var fresh))
            {
                ids[id] = fresh = Guid.NewGuid().ToString();
            }

            return fresh;
        }

        /// <summary>Adds a parent of <paramref name="type"/> with the id or submitter_id a link names and returns the link item.</summary>
        public JsonObject Parent(string type, JsonObject linkItem)
        {
            var node = dictionary.Nodes[type];
            var submitterId = (string?)linkItem["submitter_id"] ?? $"synth-{type}-{++count}";
            var record = new JsonObject { ["type"] = type, ["submitter_id"] = submitterId };
            var item = linkItem.DeepClone().AsObject();
            if (linkItem["id"] is JsonNode id)
            {
                record["id"] = FreshId((string)id!);
                item["id"] = FreshId((string)id!);
            }

            var links = node.Links.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var property in node.Required.Where(p => p is not "type" and not "submitter_id" && !links.Contains(p)))
            {
                record[property] = Sample(node.Schema["properties"]![property]!);
            }

            foreach (var link in node.Links.Where(l => l.Required).GroupBy(l => l.Group < 0 ? l.Name : "group" + l.Group).Select(g => g.First()))
            {
                record[link.Name] = link.TargetType == "project"
                    ? new JsonObject { ["code"] = code }
                    : Parent(link.TargetType, new JsonObject { ["submitter_id"] = $"synth-{link.TargetType}-{++count}" });
            }

            records.Add(record);
            return item;
        }

        private static JsonNode? Sample(JsonNode schema)
        {
            if (schema["enum"] is JsonArray values)
            {
                return values.First(v => v is not null)!.DeepClone();
            }

            if (schema["oneOf"] is JsonArray oneOf)
            {
                return Sample(oneOf[0]!);
            }

            if (schema["anyOf"] is JsonArray anyOf)
            {
                return Sample(anyOf[0]!);
            }

            var pattern = (string?)schema["pattern"];
            var type = schema["type"] is JsonArray types ? types.Select(t => (string?)t).First(t => t != "null") : (string?)schema["type"];
            return type switch
            {
                "integer" or "number" => 1,
                "boolean" => true,
                "array" => new JsonArray(Sample(schema["items"]!)),
                _ when pattern?.Contains("{32}", StringComparison.Ordinal) == true => new string('0', 32),
                _ when pattern?.Contains("{12}", StringComparison.Ordinal) == true => Guid.NewGuid().ToString(),
                _ => "x",
            };
        }
    }
}
