using System.Text.Json.Nodes;
using Dtp.Conversion;
using Dtp.Gen3;
using Dtp.Gen3.Dictionary;

namespace Dtp.Download;

/// <summary>Finds a dataset (an experiment's <c>submitter_id</c>) in the projects a user can read, and reads its records with paged GraphQL queries.</summary>
internal sealed class Gen3DatasetReader(Querier querier, Gen3Dictionary dictionary, int pageSize)
{
    /// <summary>Finds the one project holding the dataset.</summary>
    /// <exception cref="DtpException">No project holds it (kind Remote: exit 3), or several do (kind Local, listing them: exit 4).</exception>
    public async Task<string> LocateAsync(string datasetId, string? program, string? project, CancellationToken cancellationToken)
    {
        var variables = new JsonObject { ["sid"] = new JsonArray(datasetId) };
        var filter = "submitter_id: $sid";
        if (program is not null && project is not null)
        {
            variables["pid"] = new JsonArray($"{program}-{project}");
            filter += ", project_id: $pid";
        }

        var query = $"query ($sid: [String]{(variables.ContainsKey("pid") ? ", $pid: [String]" : "")}) {{ experiment({filter}, first: 0) {{ project_id }} }}";
        var data = await querier.GraphqlQueryAsync(query, variables, cancellationToken).ConfigureAwait(false);
        var projects = (data["experiment"] as JsonArray ?? []).Select(e => (string?)e?["project_id"]).OfType<string>()
            .Where(p => program is null || p.StartsWith(program + "-", StringComparison.Ordinal))
            .Where(p => project is null || p.EndsWith("-" + project, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var where = (program, project) switch
        {
            (null, null) => "any project you can read",
            (not null, null) => $"program {program}",
            (null, not null) => $"project {project}",
            _ => $"project {program}-{project}",
        };
        return projects.Count switch
        {
            0 => throw new DtpException($"No dataset (experiment) \"{datasetId}\" in {where} of the Gen3 commons."),
            1 => projects[0],
            _ => throw new DtpException(
                $"The dataset id \"{datasetId}\" is in {projects.Count} projects: {string.Join(", ", projects)}; name one with --program and --project.",
                DtpErrorKind.Local),
        };
    }

    /// <summary>Reads the dataset's records from its project: every scalar property, and links to experiments and cases as <c>{"submitter_id"}</c> arrays.</summary>
    public async Task<Gen3DatasetRecords> ReadAsync(string datasetId, string projectId, CancellationToken cancellationToken)
    {
        var experiments = await ReadNodeAsync("experiment", projectId, datasetId, "submitter_id", cancellationToken).ConfigureAwait(false);
        var experiment = experiments.FirstOrDefault() ?? throw new DtpException($"No dataset (experiment) \"{datasetId}\" in project {projectId} of the Gen3 commons.");
        var descriptions = await ReadNodeAsync("dataset_description", projectId, datasetId, null, cancellationToken).ConfigureAwait(false);
        var cases = await ReadNodeAsync("case", projectId, datasetId, null, cancellationToken).ConfigureAwait(false);
        var samples = await ReadNodeAsync("sample", projectId, datasetId, null, cancellationToken).ConfigureAwait(false);
        var manifests = await ReadNodeAsync("manifest", projectId, datasetId, null, cancellationToken).ConfigureAwait(false);
        return new Gen3DatasetRecords(experiment, descriptions.FirstOrDefault(), cases, samples, manifests);
    }

    /// <summary>Reads a node's records of the dataset page by page: the experiment itself by submitter_id, others by their path to it.</summary>
    private async Task<List<JsonObject>> ReadNodeAsync(string node, string projectId, string datasetId, string? ownFilter, CancellationToken cancellationToken)
    {
        var type = dictionary.Nodes.TryGetValue(node, out var n) ? n : throw new DtpException($"The Gen3 dictionary has no node \"{node}\".", DtpErrorKind.Local);
        var links = type.Links.Where(l => l.TargetType is "experiment" or "case").Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var all = type.Links.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var fields = type.Properties.Where(p => p != "type" && !all.Contains(p)).Concat(links.Select(l => $"{l} {{ submitter_id }}"));
        var filter = ownFilter is null ? "with_path_to: [{type: \"experiment\", submitter_id: $sid}]" : $"{ownFilter}: [$sid]";
        var query = $"query ($pid: [String], $sid: String, $first: Int, $offset: Int) {{ {node}(project_id: $pid, {filter}, first: $first, offset: $offset, order_by_asc: \"id\") {{ {string.Join(' ', fields)} }} }}";
        var lists = ListProperties(type);
        var records = new List<JsonObject>();
        for (var offset = 0; ; offset += pageSize)
        {
            var variables = new JsonObject { ["pid"] = new JsonArray(projectId), ["sid"] = datasetId, ["first"] = pageSize, ["offset"] = offset };
            var page = (await querier.GraphqlQueryAsync(query, variables, cancellationToken).ConfigureAwait(false))[node] as JsonArray ?? [];
            var count = page.Count;
            foreach (var record in page.OfType<JsonObject>().ToList())
            {
                page.Remove(record);
                records.Add(ReadLists(record, lists));
            }

            if (count < pageSize)
            {
                return records;
            }
        }
    }

    /// <summary>
    /// The node's properties that may hold a list yet that peregrine serves as strings: those typed <c>[string, array]</c>
    /// (the manifest's <c>is_derived_from</c>, ...). Properties typed <c>array</c> arrive as GraphQL lists.
    /// </summary>
    private static HashSet<string> ListProperties(DictionaryNode node) =>
        (node.Schema["properties"] as JsonObject ?? []).Where(p => p.Value?["type"] is JsonArray types
            && types.Any(t => (string?)t == "array")
            && types.Select(t => (string?)t).FirstOrDefault(t => t != "null") != "array")
            .Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>Turns <c>[string, array]</c> properties that arrive as JSON list text back into lists, as the records keep them.</summary>
    private static JsonObject ReadLists(JsonObject record, HashSet<string> lists)
    {
        foreach (var name in lists)
        {
            if (record[name] is JsonValue value && value.TryGetValue(out string? text) && text.StartsWith('['))
            {
                try
                {
                    if (JsonNode.Parse(text) is JsonArray array)
                    {
                        record[name] = array;
                    }
                }
                catch (System.Text.Json.JsonException)
                {
                    // Text that merely starts with '[' stays text.
                }
            }
        }

        return record;
    }
}
