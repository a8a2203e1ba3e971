using System.Globalization;
using System.Text.Json.Nodes;
using Dtp.Gen3;
using Dtp.Storage;
using Microsoft.Extensions.Logging;

namespace Dtp.Upload;

/// <summary>What <see cref="Deleter.DeleteDatasetAsync"/> removed, or with a dry run would remove.</summary>
/// <param name="DatasetId">The dataset's id.</param>
/// <param name="DryRun">Whether nothing was deleted (the counts say what would go).</param>
/// <param name="RecordsPerNode">The Gen3 records per node type, the experiment included.</param>
/// <param name="FilesDeleted">The files deleted from the store (a dry run: the files the store lists for the dataset).</param>
/// <param name="StudiesDeleted">PACS studies deleted (or to delete).</param>
/// <param name="StudiesKept">PACS studies kept because another dataset's manifest still references them, with that dataset.</param>
/// <param name="StudiesNotDeleted">PACS studies that could not be deleted, with the reason (e.g. DICOMweb has no delete).</param>
public sealed record DeleteSummary(string DatasetId, bool DryRun, IReadOnlyDictionary<string, int> RecordsPerNode, int FilesDeleted,
    IReadOnlyList<string> StudiesDeleted, IReadOnlyDictionary<string, string> StudiesKept, IReadOnlyDictionary<string, string> StudiesNotDeleted)
{
    /// <summary>Returns the summary as JSON (the CLI's <c>--json</c> output).</summary>
    /// <returns>The JSON object.</returns>
    public JsonObject ToJson() => new()
    {
        ["dataset_id"] = DatasetId,
        ["dry_run"] = DryRun,
        ["records"] = new JsonObject(RecordsPerNode.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["files"] = FilesDeleted,
        ["studies_deleted"] = new JsonArray([.. StudiesDeleted.Select(s => (JsonNode)s)]),
        ["studies_kept"] = new JsonObject(StudiesKept.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["studies_not_deleted"] = new JsonObject(StudiesNotDeleted.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
    };
}

/// <summary>
/// Deletes a dataset: its Gen3 records children first in batches, then its files in the store. A PACS study goes only when no
/// other dataset in the commons references it, and only where the PACS can delete (Orthanc's REST API, <c>pacs_api: orthanc</c>).
/// </summary>
public sealed partial class Deleter : IAsyncDisposable
{
    private const int BatchSize = 100;
    private readonly PlatformConnection platform;
    private readonly UploaderOptions options;
    private readonly ILogger logger;

    /// <summary>Creates a deleter from the original's configuration files.</summary>
    /// <param name="dataStorageConfig">The store's configuration file.</param>
    /// <param name="gen3Config">The original's <c>gen3.json</c>; null means Gen3's usual credential resolution.</param>
    /// <param name="dataStorageType"><c>pacs</c>, <c>irods</c> or <c>local</c>.</param>
    /// <param name="options">HTTP and logging settings.</param>
    /// <exception cref="DtpException">A configuration file is missing or wrong, or the storage type is unknown (kind Local).</exception>
    public Deleter(string dataStorageConfig, string? gen3Config = null, string dataStorageType = "pacs", UploaderOptions? options = null)
        : this(PlatformConnection.Open(dataStorageConfig, gen3Config, dataStorageType, (options ?? new UploaderOptions()).LoggerFactory, 4), options)
    {
    }

    /// <summary>Creates a deleter over an authentication and an open store, neither of which it disposes.</summary>
    /// <param name="auth">The commons' authentication.</param>
    /// <param name="storage">The store, from <see cref="DataStores.Open"/>.</param>
    /// <param name="options">HTTP and logging settings.</param>
    public Deleter(Auth auth, DataStoreConnection storage, UploaderOptions? options = null)
        : this(new PlatformConnection(auth ?? throw new ArgumentNullException(nameof(auth)), storage ?? throw new ArgumentNullException(nameof(storage)), owned: false), options)
    {
    }

    private Deleter(PlatformConnection platform, UploaderOptions? options)
    {
        this.platform = platform;
        this.options = options ?? new UploaderOptions();
        logger = this.options.LoggerFactory.CreateLogger<Deleter>();
    }

    /// <summary>Deletes a dataset's records and files; with <paramref name="dryRun"/>, only lists what would go.</summary>
    /// <param name="datasetId">The dataset's id (its experiment's <c>submitter_id</c>).</param>
    /// <param name="program">The Gen3 program.</param>
    /// <param name="project">The Gen3 project code.</param>
    /// <param name="dryRun">Whether to delete nothing and report what would go.</param>
    /// <param name="cancellationToken">Cancels between batches.</param>
    /// <returns>What was (or would be) deleted, and the PACS studies kept or not deletable.</returns>
    /// <exception cref="DtpException">The project holds no such dataset, or the commons or the store failed or refused.</exception>
    public async Task<DeleteSummary> DeleteDatasetAsync(string datasetId, string program, string project, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        DatasetPaths.ThrowIfInvalidDatasetId(datasetId);
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        ArgumentException.ThrowIfNullOrWhiteSpace(project);
        var querier = new Querier(platform.Auth, options.Client, options.LoggerFactory);
        var endpoint = await platform.Auth.GetEndpointAsync(cancellationToken).ConfigureAwait(false);
        using var submitter = new Gen3Submitter(endpoint.ToString(), platform.Auth, new Gen3SubmitterOptions { Client = options.Client, LoggerFactory = options.LoggerFactory });
        var dictionary = await submitter.GetDictionaryAsync(cancellationToken).ConfigureAwait(false);
        var graph = await DatasetGraph.ReadAsync(querier, dictionary, program, project, datasetId, cancellationToken).ConfigureAwait(false)
            ?? throw new DtpException($"Project {program}-{project} holds no dataset {datasetId}.");

        var studies = new SortedSet<string>(StringComparer.Ordinal);
        var kept = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (platform.IsPacs)
        {
            foreach (var row in graph.Manifests)
            {
                if (ManifestFileFacts.TryRead((string?)row["supplemental_json_metadata"], out var facts) && facts!.Dicom is { } uids)
                {
                    studies.Add(uids.StudyInstanceUid);
                }
            }

            var own = graph.Manifests.Select(m => (string?)m["id"]).ToHashSet(StringComparer.Ordinal);
            await foreach (var (study, other) in ReferencesElsewhereAsync(querier, studies, own, cancellationToken).ConfigureAwait(false))
            {
                kept.TryAdd(study, other);
            }

            studies.ExceptWith(kept.Keys);
        }

        if (dryRun)
        {
            var listed = platform.IsPacs ? 0 : await CountFilesAsync(datasetId, cancellationToken).ConfigureAwait(false);
            return new DeleteSummary(datasetId, true, graph.RecordsPerNode, listed, [.. studies], kept, new Dictionary<string, string>());
        }

        await DeleteRecordsAsync(Gen3Http.FromAuth(platform.Auth, options.Client), program, project, graph, cancellationToken).ConfigureAwait(false);
        var deleted = new List<string>();
        var notDeleted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var files = 0;
        if (!platform.IsPacs)
        {
            files = await platform.Storage.Store.DeleteDatasetAsync(datasetId, cancellationToken).ConfigureAwait(false);
        }

        foreach (var study in studies)
        {
            try
            {
                files += await platform.Storage.Store.DeleteDatasetAsync(study, cancellationToken).ConfigureAwait(false);
                deleted.Add(study);
            }
            catch (DtpException ex)
            {
                notDeleted[study] = ex.Message;
            }
        }

        return new DeleteSummary(datasetId, false, graph.RecordsPerNode, files, deleted, kept, notDeleted);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => platform.DisposeAsync();

    /// <summary>Finds manifests of other datasets (any project the user can read) that reference one of the studies.</summary>
    private static async IAsyncEnumerable<(string Study, string Dataset)> ReferencesElsewhereAsync(Querier querier, SortedSet<string> studies, HashSet<string?> own,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (studies.Count == 0)
        {
            yield break;
        }

        const int Page = 1000;
        const string Query = "query ($first: Int, $offset: Int) { manifest(first: $first, offset: $offset, order_by_asc: \"id\") { id project_id supplemental_json_metadata experiments { submitter_id } } }";
        for (var offset = 0; ; offset += Page)
        {
            var data = await querier.GraphqlQueryAsync(Query, new JsonObject { ["first"] = Page, ["offset"] = offset }, cancellationToken).ConfigureAwait(false);
            var page = (data["manifest"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            foreach (var row in page.Where(r => !own.Contains((string?)r["id"])))
            {
                if (ManifestFileFacts.TryRead((string?)row["supplemental_json_metadata"], out var facts) && facts!.Dicom is { } uids && studies.Contains(uids.StudyInstanceUid))
                {
                    yield return (uids.StudyInstanceUid, $"{(string?)row["project_id"]}/{(string?)(row["experiments"] as JsonArray)?.FirstOrDefault()?["submitter_id"]}");
                }
            }

            if (page.Count < Page)
            {
                yield break;
            }
        }
    }

    private async Task<int> CountFilesAsync(string datasetId, CancellationToken cancellationToken)
    {
        try
        {
            return await platform.Storage.Store.ListAsync(datasetId, cancellationToken).CountAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DtpException)
        {
            return 0; // the store holds no such dataset
        }
    }

    /// <summary>Deletes the records deepest node type first, <see cref="BatchSize"/> ids per request, then the experiment.</summary>
    private async Task DeleteRecordsAsync(Gen3Http http, string program, string project, DatasetGraph graph, CancellationToken cancellationToken)
    {
        var path = $"{Gen3Http.SubmissionPath}{Gen3Http.Segment(program, nameof(program))}/{Gen3Http.Segment(project, nameof(project))}/entities/";
        var batches = graph.Records.GroupBy(r => r.Type).SelectMany(g => g.Chunk(BatchSize).Select(c => (Type: g.Key, Ids: c.Select(r => r.Id).ToList())))
            .Append(("experiment", [graph.ExperimentId]));
        foreach (var (type, ids) in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var what = string.Create(CultureInfo.InvariantCulture, $"Deleting {ids.Count} {type} records");
            using var response = await http.SendAsync(HttpMethod.Delete, path + string.Join(',', ids.Select(Uri.EscapeDataString)), null, what, streamed: false, cancellationToken).ConfigureAwait(false);
            var text = await http.ReadTextAsync(response, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode || (Gen3Http.ParseJson(text, what, response) as JsonObject)?["success"] is JsonValue success && !success.GetValue<bool>())
            {
                throw Gen3ApiException.FromBody(what, response, text);
            }

            LogDeleted(logger, ids.Count, type);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} {Type} records")]
    private static partial void LogDeleted(ILogger logger, int count, string type);
}
