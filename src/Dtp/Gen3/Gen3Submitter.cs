using System.Net;
using System.Text.Json.Nodes;
using Dtp.Gen3.Dictionary;
using Microsoft.Extensions.Logging;

namespace Dtp.Gen3;

/// <summary>
/// Submits records to sheepdog with PUT (create or update): a JSON, TSV or CSV file, or a whole converter output folder,
/// ordered parents first by the dictionary's links, in batches whose size adapts (halved on timeout, 413 or 5xx, grown
/// back on success), after a duplicate <c>submitter_id</c> pre-check; optionally as a dry run. Thread-safe.
/// </summary>
public sealed partial class Gen3Submitter : IDisposable
{
    private readonly Gen3Http http;
    private readonly Auth? ownedAuth;
    private readonly Gen3SubmitterOptions options;
    private readonly ILogger logger;
    private Task<Gen3Dictionary>? dictionary;

    /// <summary>Creates a submitter from a credentials file, as the original's <c>Gen3Submitter(endpoint, credentials)</c> (which ignored it; this one uses it).</summary>
    /// <param name="endpoint">The commons' root URL.</param>
    /// <param name="credentials">The path of a Gen3 credentials file (<c>{"api_key", "key_id"}</c>).</param>
    /// <param name="options">Batching, dictionary and HTTP settings.</param>
    /// <exception cref="Gen3AuthException">The credentials file is missing or unusable, or was issued by another commons.</exception>
    public Gen3Submitter(string endpoint, string credentials, Gen3SubmitterOptions? options = null)
        : this(new Auth(endpoint, refreshFile: credentials, options: options?.AuthOptions), owned: true, options)
    {
    }

    /// <summary>Creates a submitter from parsed credentials.</summary>
    /// <param name="endpoint">The commons' root URL.</param>
    /// <param name="credentials">The API key and its id.</param>
    /// <param name="options">Batching, dictionary and HTTP settings.</param>
    /// <exception cref="Gen3AuthException">The credentials are unusable or were issued by another commons.</exception>
    public Gen3Submitter(string endpoint, Gen3Credentials credentials, Gen3SubmitterOptions? options = null)
        : this(new Auth(endpoint, refreshToken: credentials, options: options?.AuthOptions), owned: true, options)
    {
    }

    /// <summary>Creates a submitter that shares an existing authentication's pooled handler and tokens.</summary>
    /// <param name="endpoint">The commons' root URL; it must be the authentication's.</param>
    /// <param name="credentials">The authentication (not disposed by the submitter).</param>
    /// <param name="options">Batching, dictionary and HTTP settings.</param>
    /// <exception cref="ArgumentException"><paramref name="endpoint"/> is not the authentication's endpoint.</exception>
    public Gen3Submitter(string endpoint, Auth credentials, Gen3SubmitterOptions? options = null)
        : this(credentials, owned: false, options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (credentials.Endpoint is { } known && !string.Equals(known, endpoint.Trim().TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The endpoint {endpoint} is not the authentication's ({known}).", nameof(endpoint));
        }
    }

    /// <summary>Creates a submitter over an HTTP client whose base address, authentication and resilience come from registration (<see cref="Gen3ClientServiceCollectionExtensions.AddGen3Clients"/>).</summary>
    /// <param name="httpClient">The client; its base address is the commons' root URL.</param>
    /// <param name="logger">Where logs go.</param>
    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public Gen3Submitter(HttpClient httpClient, ILogger<Gen3Submitter> logger)
    {
        http = Gen3Http.FromClient(httpClient);
        options = new Gen3SubmitterOptions();
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    private Gen3Submitter(Auth auth, bool owned, Gen3SubmitterOptions? options)
    {
        ArgumentNullException.ThrowIfNull(auth);
        this.options = options ?? new Gen3SubmitterOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.InitialBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.MaxBatchSize, this.options.InitialBatchSize);
        http = Gen3Http.FromAuth(auth, this.options.Client);
        ownedAuth = owned ? auth : null;
        logger = this.options.LoggerFactory.CreateLogger<Gen3Submitter>();
    }

    /// <summary>
    /// Reads <paramref name="file"/> (a JSON object or array, a TSV or CSV file, or a folder of them) and submits its records
    /// to the project with PUT, parents first.
    /// </summary>
    /// <param name="program">The program name.</param>
    /// <param name="project">The project code.</param>
    /// <param name="file">A file or a converter output folder.</param>
    /// <param name="dryRun">Whether to validate only (sheepdog's <c>_dry_run</c>); nothing is written.</param>
    /// <param name="cancellationToken">Cancels the submission between batches (a batch in flight lands or not as a whole).</param>
    /// <returns>Counts, batches and per-entity errors; <see cref="SubmissionResult.Success"/> is false when sheepdog rejected a batch.</returns>
    /// <exception cref="DtpException">The input is missing or malformed; the message names the file and position (kind Local).</exception>
    /// <exception cref="Gen3ApiException">sheepdog refused the request itself (401, 403, unknown project 404) or kept failing.</exception>
    public async Task<SubmissionResult> SubmitRecordAsync(string program, string project, string file, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        var records = await SubmissionInput.ReadAsync(file, await GetDictionaryAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return await SubmitAsync(program, project, records, dryRun, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Submits records to the project with PUT, parents first, in adaptive batches.</summary>
    /// <param name="program">The program name.</param>
    /// <param name="project">The project code.</param>
    /// <param name="records">The records, each with <c>type</c> and <c>submitter_id</c>.</param>
    /// <param name="dryRun">Whether to validate only; nothing is written.</param>
    /// <param name="cancellationToken">Cancels the submission between batches.</param>
    /// <returns>Counts, batches and per-entity errors.</returns>
    /// <exception cref="Gen3ApiException">sheepdog refused the request itself (401, 403, unknown project 404) or kept failing.</exception>
    public Task<SubmissionResult> SubmitRecordsAsync(string program, string project, IEnumerable<JsonObject> records, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        return SubmitAsync(program, project, [.. records.Select((r, i) => new SourcedRecord(r, $"record[{i}]"))], dryRun, cancellationToken);
    }

    /// <summary>Returns the dictionary that orders submissions: the option's, else the commons' <c>_dictionary/_all</c> (fetched once), else the shipped SDS dictionary.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The dictionary.</returns>
    public Task<Gen3Dictionary> GetDictionaryAsync(CancellationToken cancellationToken = default)
    {
        if (options.Dictionary is { } given)
        {
            return Task.FromResult(given);
        }

        var task = Volatile.Read(ref dictionary) ?? Interlocked.CompareExchange(ref dictionary, FetchDictionaryAsync(), null) ?? dictionary!;
        return task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose() => ownedAuth?.Dispose();

    /// <summary>Returns node types in submission order: every type after the types it links to (dictionary order among equals).</summary>
    internal static Dictionary<string, int> SubmissionOrder(Gen3Dictionary dictionary)
    {
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        int Depth(string type, HashSet<string> path)
        {
            if (depth.TryGetValue(type, out var known))
            {
                return known;
            }

            if (!dictionary.TryGetNode(type, out var node) || !path.Add(type))
            {
                return 0;
            }

            var level = node.Links.Where(l => l.TargetType != type).Select(l => Depth(l.TargetType, path) + 1).DefaultIfEmpty(0).Max();
            path.Remove(type);
            depth[type] = level;
            return level;
        }

        var index = 0;
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in dictionary.Nodes.Keys.Select((name, i) => (name, i)).OrderBy(x => Depth(x.name, [])).ThenBy(x => x.i).Select(x => x.name))
        {
            rank[name] = index++;
        }

        return rank;
    }

    private async Task<Gen3Dictionary> FetchDictionaryAsync()
    {
        const string Path = Gen3Http.SubmissionPath + "_dictionary/_all";
        try
        {
            var document = await http.GetJsonAsync(Path, "Fetching the commons' dictionary", CancellationToken.None).ConfigureAwait(false);
            return Gen3Dictionary.FromJson(document as JsonObject ?? [], (await http.UrlAsync(Path, CancellationToken.None).ConfigureAwait(false)).ToString());
        }
        catch (DtpException ex)
        {
            LogDictionaryFallback(logger, ex.Message);
            return Gen3Dictionary.Sds;
        }
    }

    private async Task<SubmissionResult> SubmitAsync(string program, string project, List<SourcedRecord> input, bool dryRun, CancellationToken cancellationToken)
    {
        var path = $"{Gen3Http.SubmissionPath}{Gen3Http.Segment(program, nameof(program))}/{Gen3Http.Segment(project, nameof(project))}{(dryRun ? "/_dry_run" : "")}";
        var duplicates = Duplicates(input);
        if (duplicates.Count > 0)
        {
            return new SubmissionResult(false, dryRun, input.Count, 0, 0, input.Count, [], duplicates);
        }

        var rank = SubmissionOrder(await GetDictionaryAsync(cancellationToken).ConfigureAwait(false));
        var records = input.Select((r, i) => (Record: r, Index: i))
            .OrderBy(x => rank.GetValueOrDefault(x.Record.Type ?? "", int.MaxValue)).ThenBy(x => x.Index)
            .Select(x => x.Record).ToList();

        // A dry run cannot see parents that earlier (dry) batches did not write: send it whole unless the server refuses the size.
        var size = dryRun ? Math.Max(1, records.Count) : Math.Min(options.InitialBatchSize, Math.Max(1, records.Count));
        var ceiling = dryRun ? size : options.MaxBatchSize;
        var batches = new List<SubmissionBatch>();
        var errors = new List<SubmissionError>();
        int created = 0, updated = 0, offset = 0, singleFailures = 0;
        var success = true;
        while (offset < records.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = records.GetRange(offset, Math.Min(size, records.Count - offset));
            var answer = await SendBatchAsync(path, batch, cancellationToken).ConfigureAwait(false);
            if (answer.Retry is { } reason)
            {
                if (batch.Count == 1 && ++singleFailures >= options.SingleRecordAttempts)
                {
                    throw reason;
                }

                ceiling = Math.Max(1, batch.Count - 1);
                size = Math.Max(1, batch.Count / 2);
                LogHalved(logger, batch.Count, size, reason.Message);
                continue;
            }

            singleFailures = 0;
            var document = answer.Document!;
            var landed = (bool?)document["success"] == true;
            batches.Add(new SubmissionBatch(offset, batch.Count, landed && !dryRun, (long?)document["transaction_id"], (string?)document["message"] ?? ""));
            created += (int?)document["created_entity_count"] ?? 0;
            updated += (int?)document["updated_entity_count"] ?? 0;
            CollectErrors(document, batch, errors);
            LogBatch(logger, batch.Count, offset, landed);
            offset += batch.Count;
            if (!landed)
            {
                success = false;
                break;
            }

            size = Math.Min(size * 2, ceiling);
        }

        return new SubmissionResult(success, dryRun, records.Count, dryRun ? 0 : created, dryRun ? 0 : updated, records.Count - offset, batches, errors);
    }

    /// <summary>PUTs one batch; returns sheepdog's transaction document, or the reason to halve the batch and try again.</summary>
    private async Task<(JsonObject? Document, Gen3ApiException? Retry)> SendBatchAsync(string path, List<SourcedRecord> batch, CancellationToken cancellationToken)
    {
        var what = $"Submitting {batch.Count} records";
        using var content = Gen3Http.JsonBody(new JsonArray([.. batch.Select(r => (JsonNode)r.Record.DeepClone())]));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(HttpMethod.Put, path, content, what, streamed: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Gen3ApiException ex) when (ex.IsTransient)
        {
            return (null, ex);
        }

        using (response)
        {
            var text = await http.ReadTextAsync(response, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge || Gen3ApiException.IsTransientStatus(response.StatusCode))
            {
                return (null, Gen3ApiException.FromBody(what, response, text));
            }

            JsonObject? document = null;
            try
            {
                document = Gen3Http.ParseJson(text, what, response) as JsonObject;
            }
            catch (Gen3ApiException) when (!response.IsSuccessStatusCode)
            {
            }

            // A transaction document (200, or 400 with entity/transactional errors) is an answer; anything else is a refusal.
            if (document is not null && (document.ContainsKey("entities") || document.ContainsKey("transactional_errors")))
            {
                return (document, null);
            }

            throw response.IsSuccessStatusCode ? Gen3Http.NotJson(what, response, text, null) : Gen3ApiException.FromBody(what, response, text);
        }
    }

    private static void CollectErrors(JsonObject document, List<SourcedRecord> batch, List<SubmissionError> errors)
    {
        var entities = document["entities"] as JsonArray ?? [];
        for (var i = 0; i < entities.Count; i++)
        {
            if (entities[i] is not JsonObject entity || entity["errors"] is not JsonArray { Count: > 0 } entityErrors)
            {
                continue;
            }

            var source = i < batch.Count ? batch[i] : null;
            var submitterId = (string?)entity["unique_keys"]?[0]?["submitter_id"] ?? source?.SubmitterId;
            var type = (string?)entity["type"] ?? source?.Type;
            foreach (var error in entityErrors.OfType<JsonObject>())
            {
                errors.Add(new SubmissionError(submitterId, type, Keys(error["keys"]), (string?)error["message"] ?? "", (string?)error["type"] ?? "ERROR", source?.Source));
            }
        }

        foreach (var error in document["transactional_errors"] as JsonArray ?? [])
        {
            var (message, type) = error is JsonObject o ? ((string?)o["message"] ?? "", (string?)o["type"] ?? "ERROR") : ((string?)error ?? "", "ERROR");
            errors.Add(new SubmissionError(null, null, [], message, type, null));
        }
    }

    private static List<string> Keys(JsonNode? keys) =>
        keys is JsonArray list ? [.. list.Select(k => (string?)k ?? "")] : [];

    private static List<SubmissionError> Duplicates(List<SourcedRecord> records) =>
        records.Where(r => r.SubmitterId is not null)
            .GroupBy(r => (r.Type, r.SubmitterId))
            .Where(g => g.Count() > 1)
            .SelectMany(g => g.Skip(1).Select(r => new SubmissionError(r.SubmitterId, r.Type, ["submitter_id"],
                $"submitter_id '{r.SubmitterId}' of type {r.Type} appears more than once (first at {g.First().Source})", RecordErrorTypes.NotUnique, r.Source)))
            .ToList();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot use the commons' dictionary ({Reason}); ordering records by the SDS dictionary shipped with dtp")]
    private static partial void LogDictionaryFallback(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} records failed; trying again with {Size}: {Reason}")]
    private static partial void LogHalved(ILogger logger, int count, int size, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent {Count} records from offset {Offset}; landed: {Landed}")]
    private static partial void LogBatch(ILogger logger, int count, int offset, bool landed);
}
