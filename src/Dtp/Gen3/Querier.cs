using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dtp.Gen3;

/// <summary>
/// Reads a Gen3 commons: programs and projects (sheepdog), a node's records (sheepdog's JSON export, or streamed page by
/// page over GraphQL), datasets, and any GraphQL query (peregrine). Thread-safe.
/// </summary>
public sealed partial class Querier
{
    private const string GraphQLPath = Gen3Http.SubmissionPath + "graphql";

    private readonly Gen3Http http;
    private readonly ILogger logger;

    /// <summary>Creates a querier that shares the pooled handler and tokens of <paramref name="auth"/>, as the original's <c>Querier(auth)</c>.</summary>
    /// <param name="auth">The commons' authentication.</param>
    /// <param name="options">Timeouts and retries; the default values suit Gen3.</param>
    /// <param name="loggerFactory">Where logs go; none when <see langword="null"/>.</param>
    public Querier(Auth auth, Gen3ClientOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        http = Gen3Http.FromAuth(auth, options);
        logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<Querier>();
    }

    /// <summary>Creates a querier over an HTTP client whose base address, authentication and resilience come from registration (<see cref="Gen3ClientServiceCollectionExtensions.AddGen3Clients"/>).</summary>
    /// <param name="httpClient">The client; its base address is the commons' root URL.</param>
    /// <param name="logger">Where logs go.</param>
    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public Querier(HttpClient httpClient, ILogger<Querier> logger)
    {
        http = Gen3Http.FromClient(httpClient);
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Lists the programs (<c>GET /api/v0/submission/</c>; names are the last segment of sheepdog's <c>links</c>).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The program names.</returns>
    /// <exception cref="Gen3ApiException">sheepdog refused (401 without a valid token) or failed.</exception>
    public async Task<IReadOnlyList<string>> GetProgramsAsync(CancellationToken cancellationToken = default) =>
        LastSegments(await http.GetJsonAsync(Gen3Http.SubmissionPath, "Listing the programs", cancellationToken).ConfigureAwait(false));

    /// <summary>Lists the projects of a program (<c>GET /api/v0/submission/&lt;program&gt;</c>).</summary>
    /// <param name="program">The program name.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The project codes.</returns>
    /// <exception cref="Gen3ApiException">The program does not exist (404) or sheepdog refused.</exception>
    public async Task<IReadOnlyList<string>> GetProjectsAsync(string program, CancellationToken cancellationToken = default) =>
        LastSegments(await http.GetJsonAsync(Gen3Http.SubmissionPath + Gen3Http.Segment(program, nameof(program)), $"Listing the projects of program {program}", cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Returns every record of a node type in a project, from sheepdog's JSON export as the original did
    /// (<c>GET .../&lt;program&gt;/&lt;project&gt;/export/?node_label=&lt;node&gt;&amp;format=json</c>); links are
    /// <c>[{"node_id", "submitter_id"}]</c>. For very large nodes, see <see cref="StreamNodeRecordsAsync"/>.
    /// </summary>
    /// <param name="node">The node type, e.g. <c>case</c>.</param>
    /// <param name="program">The program name.</param>
    /// <param name="project">The project code.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The records.</returns>
    /// <exception cref="Gen3ApiException">Unknown node type (400), program or project (404), no read access (403).</exception>
    public Task<IReadOnlyList<JsonObject>> GetNodeRecordsAsync(string node, string program, string project, CancellationToken cancellationToken = default) =>
        Exporter.ExportNodeAsync(http, program, project, node, Gen3ExportFormat.Json, null, overwrite: false, cancellationToken);

    /// <summary>
    /// Runs a GraphQL query at peregrine (<c>POST /api/v0/submission/graphql</c>). Pass values in
    /// <paramref name="variables"/>, never spliced into the query text.
    /// </summary>
    /// <param name="query">The GraphQL query.</param>
    /// <param name="variables">The query's variables, if any.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The answer's <c>data</c> member.</returns>
    /// <exception cref="Gen3GraphQLException">peregrine answered with <c>errors</c> (syntax errors, unknown fields); they are in <see cref="Gen3GraphQLException.Errors"/>.</exception>
    /// <exception cref="Gen3ApiException">peregrine refused (401) or failed.</exception>
    public async Task<JsonObject> GraphqlQueryAsync(string query, JsonObject? variables = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        var body = new JsonObject { ["query"] = query };
        if (variables is not null)
        {
            body["variables"] = variables.DeepClone();
        }

        const string What = "Running a GraphQL query";
        using var content = Gen3Http.JsonBody(body);
        using var response = await http.SendQueryAsync(GraphQLPath, content, What, cancellationToken).ConfigureAwait(false);
        var text = await http.ReadTextAsync(response, cancellationToken).ConfigureAwait(false);
        JsonNode? answer;
        try
        {
            answer = Gen3Http.ParseJson(text, What, response);
        }
        catch (Gen3ApiException) when (!response.IsSuccessStatusCode)
        {
            throw Gen3ApiException.FromBody(What, response, text);
        }

        if (answer is JsonObject document && document["errors"] is JsonArray errors)
        {
            var messages = errors.Select(e => e is JsonValue v && v.TryGetValue<string>(out var s) ? s : (string?)e?["message"] ?? e?.ToJsonString() ?? "null").ToList();
            throw new Gen3GraphQLException(
                $"The GraphQL query failed ({(int)response.StatusCode}): {string.Join("; ", messages)}",
                messages, document["data"] as JsonObject, response.RequestMessage?.RequestUri, response.StatusCode);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw Gen3ApiException.FromBody(What, response, text);
        }

        return (answer as JsonObject)?["data"] as JsonObject ?? throw Gen3Http.NotJson(What, response, text, null);
    }

    /// <summary>
    /// Streams a node's records page by page over GraphQL (<c>first</c>/<c>offset</c>, ordered by <c>id</c> so that pages do
    /// not overlap), for nodes too big to export at once. Only the given fields are fetched.
    /// </summary>
    /// <param name="node">The node type, e.g. <c>case</c>.</param>
    /// <param name="program">The program name.</param>
    /// <param name="project">The project code.</param>
    /// <param name="fields">The fields to fetch (plain names; a link as <c>experiments { submitter_id }</c> is allowed); <c>id</c> and <c>submitter_id</c> when <see langword="null"/>.</param>
    /// <param name="pageSize">Records per request; the default value is 500.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The records, in id order.</returns>
    /// <exception cref="ArgumentException">A node or field name does not match the dictionary's name pattern.</exception>
    /// <exception cref="Gen3GraphQLException">peregrine refused the query (e.g. an unknown field).</exception>
    public async IAsyncEnumerable<JsonObject> StreamNodeRecordsAsync(string node, string program, string project, IEnumerable<string>? fields = null,
        int pageSize = 500, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        CheckName(node, nameof(node));
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var selection = string.Join(' ', (fields ?? ["id", "submitter_id"]).Select(f => CheckSelection(f, nameof(fields))));
        var query = $"query ($pid: [String], $first: Int, $offset: Int) {{ {node}(project_id: $pid, first: $first, offset: $offset, order_by_asc: \"id\") {{ {selection} }} }}";
        var projectId = $"{program}-{project}";
        for (var offset = 0; ; offset += pageSize)
        {
            var variables = new JsonObject { ["pid"] = new JsonArray(projectId), ["first"] = pageSize, ["offset"] = offset };
            var page = (await GraphqlQueryAsync(query, variables, cancellationToken).ConfigureAwait(false))[node] as JsonArray ?? [];
            var count = page.Count;
            LogPage(logger, count, node, offset);
            foreach (var record in page.OfType<JsonObject>().ToList())
            {
                page.Remove(record); // detached, so the caller may keep or change it
                yield return record;
            }

            if (count < pageSize)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// Lists a project's datasets (experiments) with their title (from <c>dataset_description</c>) and counts of subjects
    /// (<c>case</c>), samples and manifest files, in one GraphQL query.
    /// </summary>
    /// <param name="program">The program name.</param>
    /// <param name="project">The project code.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The datasets, ordered by <c>submitter_id</c>.</returns>
    /// <exception cref="Gen3ApiException">peregrine refused or failed.</exception>
    public async Task<IReadOnlyList<Gen3Dataset>> GetDatasetsAsync(string program, string project, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        ArgumentException.ThrowIfNullOrWhiteSpace(project);
        const string Query = "query ($pid: [String]) { experiment(project_id: $pid, first: 0, order_by_asc: \"submitter_id\") "
            + "{ id submitter_id _cases_count _manifests_count dataset_descriptions(first: 1) { title } cases(first: 0) { _samples_count } } }";
        var data = await GraphqlQueryAsync(Query, new JsonObject { ["pid"] = new JsonArray($"{program}-{project}") }, cancellationToken).ConfigureAwait(false);
        return [.. (data["experiment"] as JsonArray ?? []).OfType<JsonObject>().Select(e => new Gen3Dataset(
            (string?)e["id"] ?? "",
            (string?)e["submitter_id"] ?? "",
            Title(e["dataset_descriptions"]),
            (int?)e["_cases_count"] ?? 0,
            (e["cases"] as JsonArray ?? []).Sum(c => (int?)c?["_samples_count"] ?? 0),
            (int?)e["_manifests_count"] ?? 0))];
    }

    /// <summary>Throws unless <paramref name="name"/> matches the dictionary's name pattern (so it may be spliced into a query).</summary>
    internal static string CheckName(string name, string parameter)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        return NamePattern().IsMatch(name) ? name : throw new ArgumentException($"\"{name}\" is not a node or field name (letters, digits and '_', not starting with a digit).", parameter);
    }

    private static string CheckSelection(string field, string parameter)
    {
        ArgumentNullException.ThrowIfNull(field, parameter);
        return SelectionPattern().IsMatch(field) ? field : throw new ArgumentException($"\"{field}\" is not a field name or a link with a sub-selection of field names.", parameter);
    }

    private static string? Title(JsonNode? descriptions)
    {
        var title = (descriptions as JsonArray)?.FirstOrDefault()?["title"];
        return title switch
        {
            JsonArray list => string.Join(' ', list.Select(t => (string?)t)),
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            _ => null,
        };
    }

    private static List<string> LastSegments(JsonNode document) =>
        (document["links"] as JsonArray ?? [])
            .Select(l => ((string?)l ?? "").TrimEnd('/'))
            .Select(l => Uri.UnescapeDataString(l[(l.LastIndexOf('/') + 1)..]))
            .Where(n => n.Length > 0)
            .ToList();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\s*\{(\s*[A-Za-z_][A-Za-z0-9_]*)+\s*\})?$")]
    private static partial Regex SelectionPattern();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Fetched {Count} {Node} records at offset {Offset}")]
    private static partial void LogPage(ILogger logger, int count, string node, int offset);
}
