using System.Text.Json.Nodes;
using Dtp.Gen3;
using Dtp.Gen3.Dictionary;

namespace Dtp.Download;

/// <summary>A dataset's Gen3 records: the experiment and what hangs from it, every scalar property and the links to experiments and cases.</summary>
/// <param name="ProjectId">The project (<c>program-project</c>).</param>
/// <param name="Experiment">The experiment.</param>
/// <param name="DatasetDescription">The dataset_description, when there is one.</param>
/// <param name="Cases">The cases (subjects).</param>
/// <param name="Samples">The samples.</param>
/// <param name="Manifests">The manifest rows (one per file).</param>
internal sealed record DatasetRecords(string ProjectId, JsonObject Experiment, JsonObject? DatasetDescription,
    IReadOnlyList<JsonObject> Cases, IReadOnlyList<JsonObject> Samples, IReadOnlyList<JsonObject> Manifests);

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

    /// <summary>Reads the dataset's records from its project.</summary>
    public async Task<DatasetRecords> ReadAsync(string datasetId, string projectId, CancellationToken cancellationToken)
    {
        var experiments = await ReadNodeAsync("experiment", projectId, datasetId, "submitter_id", cancellationToken).ConfigureAwait(false);
        var experiment = experiments.FirstOrDefault() ?? throw new DtpException($"No dataset (experiment) \"{datasetId}\" in project {projectId} of the Gen3 commons.");
        var descriptions = await ReadNodeAsync("dataset_description", projectId, datasetId, null, cancellationToken).ConfigureAwait(false);
        var cases = await ReadNodeAsync("case", projectId, datasetId, null, cancellationToken).ConfigureAwait(false);
        var samples = await ReadNodeAsync("sample", projectId, datasetId, null, cancellationToken).ConfigureAwait(false);
        var manifests = await ReadNodeAsync("manifest", projectId, datasetId, null, cancellationToken).ConfigureAwait(false);
        return new DatasetRecords(projectId, experiment, descriptions.FirstOrDefault(), cases, samples, manifests);
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
        var records = new List<JsonObject>();
        for (var offset = 0; ; offset += pageSize)
        {
            var variables = new JsonObject { ["pid"] = new JsonArray(projectId), ["sid"] = datasetId, ["first"] = pageSize, ["offset"] = offset };
            var page = (await querier.GraphqlQueryAsync(query, variables, cancellationToken).ConfigureAwait(false))[node] as JsonArray ?? [];
            var count = page.Count;
            foreach (var record in page.OfType<JsonObject>().ToList())
            {
                page.Remove(record);
                records.Add(record);
            }

            if (count < pageSize)
            {
                return records;
            }
        }
    }
}
