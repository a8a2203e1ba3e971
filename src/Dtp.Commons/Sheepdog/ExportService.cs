using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dtp.Commons.Storage;
using Dtp.Gen3.Dictionary;

namespace Dtp.Commons.Sheepdog;

/// <summary>What an export writes: the body writer, its content type and the attachment file name.</summary>
internal sealed record ExportFile(string FileName, string ContentType, Func<Stream, CancellationToken, Task> WriteAsync);

/// <summary>sheepdog's export of a whole node type or of records by id, as JSON or TSV.</summary>
internal sealed class ExportService(Gen3Dictionary dictionary, CommonsStore store)
{
    private readonly Dictionary<string, RecordLayout> layouts = dictionary.Nodes.Values.ToDictionary(n => n.Name, n => new RecordLayout(n), StringComparer.Ordinal);

    public RecordLayout Layout(string type) => layouts[type];

    /// <summary>Exports every record of one node type of a project (<c>{"data": [...]}</c> or TSV with empty cells for nulls).</summary>
    public ExportFile ExportNode(string projectId, string type, bool tsv) =>
        new($"{type}.{(tsv ? "tsv" : "json")}", tsv ? "application/octet-stream" : "application/json", async (stream, cancellationToken) =>
        {
            List<StoredNode> rows;
            Dictionary<string, List<StoredLink>> links;
            using (var connection = store.Open())
            {
                rows = GraphStore.ListByType(connection, type, projectId);
                links = GraphStore.LinksOfType(connection, type, projectId);
            }

            var layout = layouts[type];
            if (tsv)
            {
                await WriteTsvAsync(stream, layout, rows, links, nullText: "", lineEnd: "\n", quote: false, cancellationToken).ConfigureAwait(false);
                return;
            }

            await using var writer = new Utf8JsonWriter(stream, Http.Options);
            writer.WriteStartObject();
            writer.WriteStartArray("data");
            var record = new StringBuilder(1024);
            foreach (var row in rows)
            {
                WriteNodeRecord(writer, layout, row, links.GetValueOrDefault(row.Id), record);
                if (writer.BytesPending > 65536)
                {
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        });

    /// <summary>Finds the records of a project with those ids (and, when asked, every record depending on them).</summary>
    public List<StoredNode> FindRecords(string projectId, IReadOnlyList<string> ids, bool withChildren)
    {
        using var connection = store.Open();
        var found = new List<StoredNode>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(ids);
        while (queue.Count > 0)
        {
            var id = queue.Dequeue();
            if (!seen.Add(id) || GraphStore.FindById(connection, id) is not { } node || node.ProjectId != projectId)
            {
                continue;
            }

            found.Add(node);
            if (withChildren)
            {
                foreach (var (childId, _) in GraphStore.Children(connection, id))
                {
                    queue.Enqueue(childId);
                }
            }
        }

        return found;
    }

    /// <summary>Exports records by id: a bare JSON array with every template property (nulls included), or TSV writing <c>None</c> for nulls;
    /// several node types give one JSON array or a tar.gz of one TSV per type (sheepdog's intended output; it fails with a 500 there).</summary>
    public ExportFile ExportRecords(List<StoredNode> records, bool tsv)
    {
        var types = records.Select(r => r.Type).Distinct(StringComparer.Ordinal).ToList();
        Dictionary<string, List<StoredLink>> links;
        using (var connection = store.Open())
        {
            links = GraphStore.LinksOf(connection, records.Select(r => r.Id));
        }

        if (types.Count > 1)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', records.Select(r => r.Id)))))[..40];
            if (tsv)
            {
                return new ExportFile($"gdc_export_{hash}.tar.gz", "application/octet-stream", (stream, ct) => WriteTarAsync(stream, types, records, links, ct));
            }

            return new ExportFile($"gdc_export_{hash}.json", "application/json", (stream, ct) => WriteRecordArrayAsync(stream, records, links, ct));
        }

        var type = types[0];
        return tsv
            ? new ExportFile($"{type}.tsv", "application/octet-stream", (stream, ct) => WriteTsvAsync(stream, layouts[type], records, links, "None", "\r\n", quote: true, ct))
            : new ExportFile($"{type}.json", "application/json", (stream, ct) => WriteRecordArrayAsync(stream, records, links, ct));
    }

    private async Task WriteRecordArrayAsync(Stream stream, List<StoredNode> records, Dictionary<string, List<StoredLink>> links, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(stream, Http.Options with { Indented = true });
        writer.WriteStartArray();
        foreach (var row in records)
        {
            var layout = layouts[row.Type];
            using var props = JsonDocument.Parse(row.Props);
            writer.WriteStartObject();
            writer.WriteString("id", row.Id);
            WriteLinks(writer, layout, links.GetValueOrDefault(row.Id), "node_id");
            writer.WriteString("type", row.Type);
            writer.WriteString("project_id", row.ProjectId);
            writer.WriteString("submitter_id", row.SubmitterId);
            foreach (var name in layout.Properties)
            {
                writer.WritePropertyName(name);
                if (props.RootElement.TryGetProperty(name, out var value))
                {
                    value.WriteTo(writer);
                }
                else
                {
                    writer.WriteNullValue();
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteTarAsync(Stream stream, List<string> types, List<StoredNode> records, Dictionary<string, List<StoredLink>> links, CancellationToken cancellationToken)
    {
        var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
        await using (gzip.ConfigureAwait(false))
        {
            var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
            await using (tar.ConfigureAwait(false))
            {
                foreach (var type in types)
                {
                    using var buffer = new MemoryStream();
                    await WriteTsvAsync(buffer, layouts[type], records.Where(r => r.Type == type).ToList(), links, "None", "\r\n", quote: true, cancellationToken).ConfigureAwait(false);
                    buffer.Position = 0;
                    var entry = new PaxTarEntry(TarEntryType.RegularFile, $"{type}.tsv") { DataStream = buffer };
                    await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// Writes one record of a node export. Stored properties are a JSON object without nulls, so their text is copied as it is
    /// between the leading keys and the links (no parsing per record).
    /// </summary>
    private static void WriteNodeRecord(Utf8JsonWriter writer, RecordLayout layout, StoredNode row, List<StoredLink>? links, StringBuilder record)
    {
        record.Clear();
        record.Append("{\"project_id\":");
        AppendString(record, row.ProjectId);
        record.Append(",\"submitter_id\":");
        AppendString(record, row.SubmitterId);
        if (row.Props.Length > 2)
        {
            record.Append(',').Append(row.Props, 1, row.Props.Length - 2);
        }

        foreach (var link in layout.Links)
        {
            var parentKey = RecordLayout.ParentKey(link);
            var first = true;
            foreach (var parent in links?.Where(l => l.Link == link.Name) ?? [])
            {
                record.Append(first ? ",\"" : ",").Append(first ? link.Name + "\":[" : "");
                first = false;
                record.Append("{\"node_id\":");
                AppendString(record, parent.TargetId);
                record.Append(",\"").Append(parentKey).Append("\":");
                AppendString(record, parentKey == "code" ? parent.TargetCode : parent.TargetSubmitterId);
                record.Append('}');
            }

            if (!first)
            {
                record.Append(']');
            }
        }

        record.Append(",\"id\":");
        AppendString(record, row.Id);
        record.Append(",\"type\":");
        AppendString(record, row.Type);
        record.Append('}');
        writer.WriteRawValue(record.ToString(), skipInputValidation: true);
    }

    private static void AppendString(StringBuilder builder, string? value)
    {
        if (value is null)
        {
            builder.Append("null");
            return;
        }

        builder.Append('"').Append(JsonEncodedText.Encode(value, Http.Options.Encoder).Value).Append('"');
    }

    private static void WriteLinks(Utf8JsonWriter writer, RecordLayout layout, List<StoredLink>? links, string idKey)
    {
        if (links is null)
        {
            return;
        }

        foreach (var link in layout.Links)
        {
            var parentKey = RecordLayout.ParentKey(link);
            var first = true;
            foreach (var parent in links.Where(l => l.Link == link.Name))
            {
                if (first)
                {
                    writer.WriteStartArray(link.Name);
                    first = false;
                }

                writer.WriteStartObject();
                writer.WriteString(idKey, parent.TargetId);
                writer.WriteString(parentKey, parentKey == "code" ? parent.TargetCode : parent.TargetSubmitterId);
                writer.WriteEndObject();
            }

            if (!first)
            {
                writer.WriteEndArray();
            }
        }
    }

    /// <summary>Puts each stored property's TSV text into its column (one forward scan of the JSON, no document).</summary>
    private static void FillColumns(string props, RecordLayout layout, List<string> fields, int start, string nullText)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(props));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = layout.ColumnOf(reader.GetString()!);
            reader.Read();
            var text = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.StartArray or JsonTokenType.StartObject => RecordLayout.TsvValue(JsonElement.ParseValue(ref reader), nullText),
                JsonTokenType.Null => nullText,
                _ => RecordLayout.TsvValue(JsonElement.ParseValue(ref reader), nullText),
            };
            if (index >= 0)
            {
                fields[start + index] = text;
            }
        }
    }

    private static async Task WriteTsvAsync(Stream stream, RecordLayout layout, List<StoredNode> rows, Dictionary<string, List<StoredLink>> links,
        string nullText, string lineEnd, bool quote, CancellationToken cancellationToken)
    {
        var writer = new StreamWriter(stream, new UTF8Encoding(false), 65536, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            var line = new StringBuilder();
            RecordLayout.Join(line, layout.TsvHeader()).Append(lineEnd);
            var fields = new List<string>(layout.Properties.Count + 8);
            foreach (var row in rows)
            {
                fields.Clear();
                fields.Add(row.Type);
                fields.Add(row.Id);
                fields.Add(row.ProjectId ?? nullText);
                fields.Add(row.SubmitterId ?? nullText);
                var start = fields.Count;
                for (var i = 0; i < layout.Properties.Count; i++)
                {
                    fields.Add(nullText);
                }

                FillColumns(row.Props, layout, fields, start, nullText);

                var rowLinks = links.GetValueOrDefault(row.Id);
                foreach (var link in layout.Links)
                {
                    var parents = rowLinks?.Where(l => l.Link == link.Name).ToList() ?? [];
                    var codeKey = RecordLayout.ParentKey(link) == "code";
                    fields.Add(parents.Count == 0 ? nullText : string.Join(',', parents.Select(p => p.TargetId)));
                    fields.Add(parents.Count == 0 ? nullText : string.Join(',', parents.Select(p => (codeKey ? p.TargetCode : p.TargetSubmitterId) ?? "")));
                }

                RecordLayout.Join(line, quote ? fields.Select(RecordLayout.CsvQuote) : fields).Append(lineEnd);
                if (line.Length > 65536)
                {
                    await writer.WriteAsync(line, cancellationToken).ConfigureAwait(false);
                    line.Clear();
                }
            }

            await writer.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
