using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.IO;
using Microsoft.Extensions.Logging;

namespace Dtp.Gen3;

/// <summary>
/// Exports records from sheepdog (<c>/export</c>) as JSON or TSV, into memory or streamed into a file, and saves records
/// as JSON or TSV. One node type per export: sheepdog fails on exports that mix types. Thread-safe.
/// </summary>
public sealed class Exporter
{
    private static readonly JsonWriterOptions Indented4 = new() { Indented = true, IndentSize = 4 };

    private readonly Gen3Http http;

    /// <summary>Creates an exporter that shares the pooled handler and tokens of <paramref name="auth"/>, as the original's <c>Exporter(auth)</c>.</summary>
    /// <param name="auth">The commons' authentication.</param>
    /// <param name="options">Timeouts and retries; the default values suit Gen3.</param>
    public Exporter(Auth auth, Gen3ClientOptions? options = null)
    {
        http = Gen3Http.FromAuth(auth, options);
    }

    /// <summary>Creates an exporter over an HTTP client whose base address, authentication and resilience come from registration (<see cref="Gen3ClientServiceCollectionExtensions.AddGen3Clients"/>).</summary>
    /// <param name="httpClient">The client; its base address is the commons' root URL.</param>
    /// <param name="logger">Where logs go.</param>
    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public Exporter(HttpClient httpClient, ILogger<Exporter> logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        http = Gen3Http.FromClient(httpClient);
    }

    /// <summary>
    /// Exports every record of a node type (<c>GET .../export/?node_label=&lt;node&gt;&amp;format=json|tsv</c>). With a
    /// <paramref name="filename"/>, the body is streamed into that file as sheepdog sent it, then read back.
    /// </summary>
    /// <param name="program">The program name.</param>
    /// <param name="project">The project code.</param>
    /// <param name="nodeType">The node type, e.g. <c>case</c>.</param>
    /// <param name="format">JSON or TSV.</param>
    /// <param name="filename">A file to write the export to, or <see langword="null"/>.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>The records (JSON), or the rows keyed by column name with cells as text (TSV).</returns>
    /// <exception cref="Gen3ApiException">Unknown node type (400), program or project (404), no read access (403), or a failure.</exception>
    /// <exception cref="DtpException">The file exists and <paramref name="overwrite"/> is false, or cannot be written (kind Local).</exception>
    public Task<IReadOnlyList<JsonObject>> ExportNodeAsync(string program, string project, string nodeType, Gen3ExportFormat format,
        string? filename = null, bool overwrite = false, CancellationToken cancellationToken = default) =>
        ExportNodeAsync(http, program, project, nodeType, format, filename, overwrite, cancellationToken);

    /// <summary>
    /// Exports one record by its id (<c>GET .../export?ids=&lt;uuid&gt;&amp;format=json|tsv</c>). With a
    /// <paramref name="filename"/>, the body is streamed into that file, then read back.
    /// </summary>
    /// <param name="program">The program name.</param>
    /// <param name="project">The project code.</param>
    /// <param name="uuid">The record's node id.</param>
    /// <param name="format">JSON (every property, nulls included) or TSV (nulls written <c>None</c> by sheepdog).</param>
    /// <param name="filename">A file to write the export to, or <see langword="null"/>.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>The record (JSON) or its row (TSV).</returns>
    /// <exception cref="Gen3ApiException">No such record in the project (404), no read access (403), or a failure.</exception>
    /// <exception cref="DtpException">The file exists and <paramref name="overwrite"/> is false, or cannot be written (kind Local).</exception>
    public async Task<JsonObject> ExportRecordAsync(string program, string project, string uuid, Gen3ExportFormat format,
        string? filename = null, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uuid);
        var path = $"{ProjectPath(program, project)}/export?ids={Uri.EscapeDataString(uuid)}&format={Name(format)}";
        var records = await ExportAsync(http, path, $"Exporting record {uuid} of {program}-{project}", format, filename, overwrite, cancellationToken).ConfigureAwait(false);
        return records.Count > 0 ? records[0] : throw new Gen3ApiException($"Exporting record {uuid} of {program}-{project} returned no record.");
    }

    /// <summary>
    /// Saves records to a file: JSON as an array indented by four spaces (as the original), TSV with sheepdog's columns
    /// (links as <c>&lt;link&gt;.id</c> and <c>&lt;link&gt;.submitter_id</c>, lists comma-joined, empty cells for nulls), so
    /// that the file can be submitted again.
    /// </summary>
    /// <param name="data">The records.</param>
    /// <param name="format">JSON or TSV.</param>
    /// <param name="path">The file to write (atomically).</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <param name="cancellationToken">Cancels the writing.</param>
    /// <exception cref="DtpException">The file exists and <paramref name="overwrite"/> is false, or cannot be written (kind Local).</exception>
    public static Task SaveAsync(IEnumerable<JsonObject> data, Gen3ExportFormat format, string path, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var records = data.ToList();
        return format == Gen3ExportFormat.Json
            ? AtomicFile.WriteAsync(path, async (stream, ct) =>
            {
                await using var writer = new Utf8JsonWriter(stream, Indented4);
                new JsonArray([.. records.Select(r => (JsonNode)r.DeepClone())]).WriteTo(writer);
                await writer.FlushAsync(ct).ConfigureAwait(false);
            }, overwrite, cancellationToken: cancellationToken)
            : AtomicFile.WriteTextAsync(path, ToTsv(records), overwrite, cancellationToken: cancellationToken);
    }

    internal static Task<IReadOnlyList<JsonObject>> ExportNodeAsync(Gen3Http http, string program, string project, string nodeType, Gen3ExportFormat format,
        string? filename, bool overwrite, CancellationToken cancellationToken)
    {
        Querier.CheckName(nodeType, nameof(nodeType));
        var path = $"{ProjectPath(program, project)}/export/?node_label={nodeType}&format={Name(format)}";
        return ExportAsync(http, path, $"Exporting {nodeType} records of {program}-{project}", format, filename, overwrite, cancellationToken);
    }

    private static async Task<IReadOnlyList<JsonObject>> ExportAsync(Gen3Http http, string path, string what, Gen3ExportFormat format,
        string? filename, bool overwrite, CancellationToken cancellationToken)
    {
        if (filename is not null)
        {
            AtomicFile.ThrowIfExists(filename, overwrite);
        }

        // Records returned in memory: the body is read whole (bounded, retried when cut off). To a file: streamed, unbounded.
        using var response = await http.SendCheckedAsync(HttpMethod.Get, path, null, what, streamed: filename is not null, cancellationToken).ConfigureAwait(false);
        if (filename is null)
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return await ReadAsync(body, format, what, response, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await AtomicFile.WriteAsync(filename, async (file, ct) =>
            {
                await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                await body.CopyToAsync(file, ct).ConfigureAwait(false);
            }, overwrite, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpIOException ex)
        {
            throw new Gen3ApiException($"{what} failed: the answer to GET {response.RequestMessage?.RequestUri} broke off: {ex.Message}; {filename} was not written.",
                response.RequestMessage?.RequestUri, null, null, isTransient: true, ex);
        }
        await using var written = File.OpenRead(filename);
        return await ReadAsync(written, format, what, response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<JsonObject>> ReadAsync(Stream body, Gen3ExportFormat format, string what, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (format == Gen3ExportFormat.Tsv)
        {
            using var reader = new StreamReader(body, Encoding.UTF8);
            var rows = new List<JsonObject>();
            List<string>? header = null;
            await foreach (var (_, cells) in DelimitedText.ReadAsync(reader, '\t', cancellationToken).ConfigureAwait(false))
            {
                if (header is null)
                {
                    header = cells;
                    continue;
                }

                var row = new JsonObject();
                for (var i = 0; i < header.Count; i++)
                {
                    row[header[i]] = i < cells.Count ? cells[i] : "";
                }

                rows.Add(row);
            }

            return rows;
        }

        JsonNode? document;
        try
        {
            document = await JsonNode.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw Gen3Http.NotJson(what, response, "", ex);
        }

        // A node export is {"data": [...]}; an export by ids is a bare array.
        var list = document as JsonArray ?? document?["data"] as JsonArray ?? throw Gen3Http.NotJson(what, response, "", null);
        var records = list.OfType<JsonObject>().ToList();
        list.Clear();
        return records;
    }

    private static string ToTsv(List<JsonObject> records)
    {
        var columns = new List<string>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        var rows = records.Select(record =>
        {
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in record)
            {
                if (value is JsonArray list && list.Count > 0 && list.All(x => x is JsonObject) || value is JsonObject)
                {
                    var parents = value as JsonArray ?? [value.DeepClone()];
                    var subKeys = parents.OfType<JsonObject>().SelectMany(p => p.Select(kv => kv.Key)).Distinct(StringComparer.Ordinal);
                    foreach (var sub in subKeys)
                    {
                        var column = $"{key}.{(sub == "node_id" ? "id" : sub)}";
                        row[column] = string.Join(',', parents.Select(p => Cell(p?[sub])));
                    }
                }
                else
                {
                    row[key] = Cell(value);
                }
            }

            foreach (var column in row.Keys.Where(known.Add))
            {
                columns.Add(column);
            }

            return row;
        }).ToList();
        var text = new StringBuilder();
        text.Append(DelimitedText.FormatRow(columns, '\t')).Append('\n');
        foreach (var row in rows)
        {
            text.Append(DelimitedText.FormatRow(columns.Select(c => row.GetValueOrDefault(c, "")), '\t')).Append('\n');
        }

        return text.ToString();
    }

    private static string Cell(JsonNode? value) => value switch
    {
        null => "",
        JsonArray list => string.Join(',', list.Select(Cell)),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "True" : "False",
        JsonValue v => v.ToJsonString(),
        _ => value.ToJsonString(),
    };

    private static string ProjectPath(string program, string project) =>
        $"{Gen3Http.SubmissionPath}{Gen3Http.Segment(program, nameof(program))}/{Gen3Http.Segment(project, nameof(project))}";

    private static string Name(Gen3ExportFormat format) => format switch
    {
        Gen3ExportFormat.Json => "json",
        Gen3ExportFormat.Tsv => "tsv",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Expected json or tsv."),
    };
}
