using System.IO.Compression;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dtp.Gen3.Dictionary;
using Dtp.Testing.Commons;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Commons;

/// <summary>Compares the generated schema's introspection with real peregrine's for the SDS dictionary.</summary>
public sealed class PeregrineSchemaTests
{
    /// <summary>Names real peregrine has and the commons leaves out on purpose, on every node type or argument list, with the reason.</summary>
    private static readonly Dictionary<string, string> Omitted = new(StringComparer.Ordinal)
    {
        ["field _transaction_logs"] = "the commons keeps no transaction log table (transactions are answered synchronously)",
        ["field _transaction_logs_count"] = "same: no transaction log",
        ["field _links"] = "generic Node links are not served; use the named link and backref fields",
        ["argument quick_search"] = "full-text quick search needs peregrine's search index; not served",
        ["argument with_links"] = "link-presence filters are not served yet",
        ["argument with_links_any"] = "link-presence filters are not served yet",
        ["argument without_links"] = "link-presence filters are not served yet",
        ["argument with_path_to_any"] = "only with_path_to (all of) is served",
        ["argument without_path_to"] = "only with_path_to (all of) is served",
        ["argument not"] = "negated property filters are not served yet",
        ["field not"] = "same, inside with_path_to",
        ["root transaction_log"] = "no transaction log",
        ["root _transaction_log_count"] = "no transaction log",
        ["root datanode"] = "the data-file category union is not served; query each file node",
        ["root _node_type"] = "dictionary introspection is served by sheepdog's _dictionary instead",
        ["root viewer"] = "the viewer wrapper duplicates the root fields; not served",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Introspection_SdsDictionary_MatchesRecordedPeregrineExceptListedOmissions()
    {
        var path = Requirements.Reference("gen3/peregrine_getschema_sds_v2_0_0.json.gz");
        await using var file = File.OpenRead(path);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        var recorded = Types((await JsonNode.ParseAsync(gzip, cancellationToken: Ct))!);
        await using var commons = await TestCommons.StartAsync(Ct);
        using var http = new HttpClient();

        var ours = Types((await http.GetFromJsonAsync<JsonObject>(new Uri(commons.BaseUrl + "/api/v0/submission/getschema"), Ct))!);

        var differences = new List<string>();
        var checkedTypes = Gen3Dictionary.Sds.Nodes.Keys.Where(n => !n.StartsWith('_')).Append("Root").Append("WithPathToInput");
        foreach (var typeName in checkedTypes)
        {
            if (!ours.TryGetValue(typeName, out var ourType))
            {
                differences.Add($"type {typeName} missing");
                continue;
            }

            var theirs = Fields(recorded[typeName]);
            var mine = Fields(ourType);
            var kind = typeName == "Root" ? "root" : "field";
            foreach (var name in theirs.Keys.Except(mine.Keys).Where(n => !Omitted.ContainsKey($"{kind} {n}")))
            {
                differences.Add($"{typeName}: {kind} {name} missing");
            }

            foreach (var name in mine.Keys.Except(theirs.Keys))
            {
                differences.Add($"{typeName}: {kind} {name} extra");
            }

            var ourLists = ScalarLists(ourType);
            foreach (var name in ScalarLists(recorded[typeName]).Where(mine.ContainsKey).Except(ourLists))
            {
                differences.Add($"{typeName}.{name}: not a list of scalars");
            }

            foreach (var name in ourLists.Where(theirs.ContainsKey).Except(ScalarLists(recorded[typeName])))
            {
                differences.Add($"{typeName}.{name}: a list of scalars");
            }

            foreach (var (name, theirArgs) in theirs.Where(f => mine.ContainsKey(f.Key)))
            {
                foreach (var argument in theirArgs.Except(mine[name]).Where(a => !Omitted.ContainsKey($"argument {a}")))
                {
                    differences.Add($"{typeName}.{name}: argument {argument} missing");
                }

                foreach (var argument in mine[name].Except(theirArgs))
                {
                    differences.Add($"{typeName}.{name}: argument {argument} extra");
                }
            }
        }

        Assert.True(differences.Count == 0, string.Join('\n', differences));
    }

    private static Dictionary<string, JsonNode> Types(JsonNode introspection) =>
        introspection["data"]!["__schema"]!["types"]!.AsArray().ToDictionary(t => (string)t!["name"]!, t => t!, StringComparer.Ordinal);

    /// <summary>The fields (or input fields) whose type is a list of a scalar, such as the array-typed properties.</summary>
    private static HashSet<string> ScalarLists(JsonNode type) =>
        [.. (type["fields"] as JsonArray ?? type["inputFields"]!.AsArray())
            .Where(f => (string?)f!["type"]!["kind"] == "LIST" && (string?)f["type"]!["ofType"]?["kind"] == "SCALAR")
            .Select(f => (string)f!["name"]!)];

    private static Dictionary<string, HashSet<string>> Fields(JsonNode type) =>
        (type["fields"] as JsonArray ?? type["inputFields"]!.AsArray()).ToDictionary(
            f => (string)f!["name"]!,
            f => (f!["args"] as JsonArray ?? []).Select(a => (string)a!["name"]!).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
}
