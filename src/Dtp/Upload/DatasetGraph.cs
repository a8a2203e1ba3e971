using System.Text.Json.Nodes;
using Dtp.Gen3;
using Dtp.Gen3.Dictionary;

namespace Dtp.Upload;

/// <summary>A dataset's records in a commons: its experiment and every record with a path to it, found node type by node type.</summary>
/// <param name="ExperimentId">The experiment's node id.</param>
/// <param name="Records">Every record below the experiment, as (node type, node id), deepest node types first: the order to delete them in.</param>
/// <param name="Manifests">The manifest rows' ids and <c>supplemental_json_metadata</c>.</param>
internal sealed record DatasetGraph(string ExperimentId, IReadOnlyList<(string Type, string Id)> Records, IReadOnlyList<JsonObject> Manifests)
{
    /// <summary>Gets the records per node type, the experiment included.</summary>
    public IReadOnlyDictionary<string, int> RecordsPerNode =>
        Records.GroupBy(r => r.Type).Select(g => KeyValuePair.Create(g.Key, g.Count())).Append(KeyValuePair.Create("experiment", 1))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>Reads a dataset's records; null when the project has no experiment of that <c>submitter_id</c>.</summary>
    public static async Task<DatasetGraph?> ReadAsync(Querier querier, Gen3Dictionary dictionary, string program, string project, string datasetId, CancellationToken cancellationToken)
    {
        var pid = new JsonArray($"{program}-{project}");
        var found = await querier.GraphqlQueryAsync("query ($pid: [String], $sid: [String]) { experiment(project_id: $pid, submitter_id: $sid) { id } }",
            new JsonObject { ["pid"] = pid.DeepClone(), ["sid"] = new JsonArray(datasetId) }, cancellationToken).ConfigureAwait(false);
        if ((found["experiment"] as JsonArray)?.FirstOrDefault()?["id"] is not JsonValue idValue || !idValue.TryGetValue(out string? experimentId))
        {
            return null;
        }

        var rank = Gen3Submitter.SubmissionOrder(dictionary);
        var records = new List<(string, string)>();
        var manifests = new List<JsonObject>();
        foreach (var type in Below(dictionary, "experiment").OrderByDescending(t => rank.GetValueOrDefault(t)).ThenBy(t => t, StringComparer.Ordinal))
        {
            var fields = type == "manifest" ? "id supplemental_json_metadata" : "id";
            var data = await querier.GraphqlQueryAsync(
                $"query ($pid: [String], $sid: String) {{ {type}(project_id: $pid, first: 0, with_path_to: {{type: \"experiment\", submitter_id: $sid}}) {{ {fields} }} }}",
                new JsonObject { ["pid"] = pid.DeepClone(), ["sid"] = datasetId }, cancellationToken).ConfigureAwait(false);
            foreach (var record in (data[type] as JsonArray ?? []).OfType<JsonObject>())
            {
                records.Add((type, (string?)record["id"] ?? ""));
                if (type == "manifest")
                {
                    manifests.Add(record);
                }
            }
        }

        return new DatasetGraph(experimentId!, records, manifests);
    }

    /// <summary>Returns every node type with a link path up to <paramref name="ancestor"/>.</summary>
    private static HashSet<string> Below(Gen3Dictionary dictionary, string ancestor)
    {
        var below = new HashSet<string>(StringComparer.Ordinal);
        bool changed;
        do
        {
            changed = false;
            foreach (var node in dictionary.Nodes.Values)
            {
                if (!below.Contains(node.Name) && node.Links.Any(l => l.TargetType == ancestor || below.Contains(l.TargetType)))
                {
                    changed |= below.Add(node.Name);
                }
            }
        }
        while (changed);
        return below;
    }
}
