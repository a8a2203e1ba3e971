using System.Buffers;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.CompilerServices;
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
            using var connection = store.Open();
            var rows = GraphStore.ReadForExport(connection, type, projectId);
            if (tsv)
            {
                await WriteTsvAsync(stream, layouts[type], rows, nullText: "", lineEnd: "\n", quote: false, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WriteNodeJsonAsync(stream, layouts[type], rows, cancellationToken).ConfigureAwait(false);
            }
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
        List<ExportRow> nodes;
        using (var connection = store.Open())
        {
            var links = GraphStore.LinksOf(connection, records.Select(r => r.Id));
            nodes = [.. records.Select(r => ExportRow.From(r, links.GetValueOrDefault(r.Id)))];
        }

        if (types.Count > 1)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', records.Select(r => r.Id)))))[..40];
            if (tsv)
            {
                return new ExportFile($"gdc_export_{hash}.tar.gz", "application/octet-stream", (stream, ct) => WriteTarAsync(stream, types, nodes, ct));
            }

            return new ExportFile($"gdc_export_{hash}.json", "application/json", (stream, ct) => WriteRecordArrayAsync(stream, nodes, ct));
        }

        var type = types[0];
        return tsv
            ? new ExportFile($"{type}.tsv", "application/octet-stream", (stream, ct) => WriteTsvAsync(stream, layouts[type], nodes, "None", "\r\n", quote: true, ct))
            : new ExportFile($"{type}.json", "application/json", (stream, ct) => WriteRecordArrayAsync(stream, nodes, ct));
    }

    private async Task WriteRecordArrayAsync(Stream stream, List<ExportRow> records, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(stream, Http.Options with { Indented = true });
        writer.WriteStartArray();
        foreach (var row in records)
        {
            var layout = layouts[row.Type];
            using var props = JsonDocument.Parse(row.Props);
            writer.WriteStartObject();
            writer.WriteString("id", row.Id);
            WriteLinks(writer, layout, row.Links);
            writer.WriteString("type", row.Type);
            WriteString(writer, "project_id", row.ProjectId);
            WriteString(writer, "submitter_id", row.SubmitterId);
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

    private async Task WriteTarAsync(Stream stream, List<string> types, List<ExportRow> records, CancellationToken cancellationToken)
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
                    await WriteTsvAsync(buffer, layouts[type], records.Where(r => r.Type == type), "None", "\r\n", quote: true, cancellationToken).ConfigureAwait(false);
                    buffer.Position = 0;
                    var entry = new PaxTarEntry(TarEntryType.RegularFile, $"{type}.tsv") { DataStream = buffer };
                    await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// Writes <c>{"data": [...]}</c>. Stored properties are a JSON object without nulls, so their text is copied as it is
    /// between the leading keys and the links (no parsing per record).
    /// </summary>
    private static async Task WriteNodeJsonAsync(Stream stream, RecordLayout layout, IEnumerable<ExportRow> rows, CancellationToken cancellationToken)
    {
        var output = new ExportBuffer(stream);
        var type = Encoding.UTF8.GetBytes(layout.Node.Name);
        output.Write("{\"data\":["u8);
        var first = true;
        foreach (var row in rows)
        {
            if (!first)
            {
                output.Write((byte)',');
            }

            first = false;
            WriteNodeRecord(output, layout, type, row);
            await output.FlushIfFullAsync(cancellationToken).ConfigureAwait(false);
        }

        output.Write("]}"u8);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one record of a node export (compiled optimized at first use: it runs once per record of an export).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteNodeRecord(ExportBuffer output, RecordLayout layout, byte[] type, ExportRow row)
    {
        output.Write("{\"project_id\":"u8);
        output.WriteJsonString(row.ProjectId);
        output.Write(",\"submitter_id\":"u8);
        output.WriteJsonString(row.SubmitterId);
        if (row.Props.Length > 2)
        {
            output.Write((byte)',');
            output.Write(row.Props.AsSpan(1, row.Props.Length - 2));
        }

        foreach (var link in layout.Links)
        {
            var first = true;
            foreach (var parent in row.Links)
            {
                if (parent.Link != link.Name)
                {
                    continue;
                }

                if (first)
                {
                    output.Write(",\""u8);
                    output.Write(link.Name);
                    output.Write("\":["u8);
                    first = false;
                }
                else
                {
                    output.Write((byte)',');
                }

                output.Write("{\"node_id\":"u8);
                output.WriteJsonString(parent.TargetId);
                output.Write(",\""u8);
                output.Write(RecordLayout.ParentKey(link));
                output.Write("\":"u8);
                output.WriteJsonString(parent.TargetKey);
                output.Write((byte)'}');
            }

            if (!first)
            {
                output.Write((byte)']');
            }
        }

        output.Write(",\"id\":"u8);
        output.WriteJsonString(row.Id);
        output.Write(",\"type\":"u8);
        output.WriteJsonString(type);
        output.Write((byte)'}');
    }

    private static void WriteString(Utf8JsonWriter writer, string name, byte[]? utf8)
    {
        if (utf8 is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, utf8);
        }
    }

    private static void WriteLinks(Utf8JsonWriter writer, RecordLayout layout, List<ExportLink> links)
    {
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
                writer.WriteString("node_id", parent.TargetId);
                WriteString(writer, parentKey, parent.TargetKey);
                writer.WriteEndObject();
            }

            if (!first)
            {
                writer.WriteEndArray();
            }
        }
    }

    private static async Task WriteTsvAsync(Stream stream, RecordLayout layout, IEnumerable<ExportRow> rows,
        string nullText, string lineEnd, bool quote, CancellationToken cancellationToken)
    {
        var output = new ExportBuffer(stream);
        var lines = new TsvLines(layout, nullText, lineEnd, quote);
        lines.WriteHeader(output);
        foreach (var row in rows)
        {
            lines.Write(output, row);
            await output.FlushIfFullAsync(cancellationToken).ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The lines of a TSV export of one node type: a header, then one line per record with the null text for missing values
    /// and, when <c>quote</c> is set, fields quoted as Python's csv writer quotes them.
    /// </summary>
    private sealed class TsvLines(RecordLayout layout, string nullText, string lineEnd, bool quote)
    {
        private readonly byte[] type = Encoding.UTF8.GetBytes(layout.Node.Name);
        private readonly byte[] missing = Encoding.UTF8.GetBytes(nullText);
        private readonly byte[] newLine = Encoding.UTF8.GetBytes(lineEnd);
        private readonly ReadOnlyMemory<byte>?[] cells = new ReadOnlyMemory<byte>?[layout.Properties.Count];
        private readonly ArrayBufferWriter<byte> joined = new();

        public void WriteHeader(ExportBuffer output)
        {
            output.Write(string.Join('\t', layout.TsvHeader()));
            output.Write(newLine);
        }

        /// <summary>Writes one record's line (compiled optimized at first use: it runs once per record of an export).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Write(ExportBuffer output, ExportRow row)
        {
            output.WriteTsvField(type, quote);
            output.Write((byte)'\t');
            output.WriteTsvField(row.Id, quote);
            output.Write((byte)'\t');
            output.WriteTsvField(row.ProjectId ?? missing, quote);
            output.Write((byte)'\t');
            output.WriteTsvField(row.SubmitterId ?? missing, quote);
            Array.Clear(cells);
            FillColumns(row.Props);
            foreach (var cell in cells)
            {
                output.Write((byte)'\t');
                output.WriteTsvField(cell is { } text ? text.Span : missing, quote);
            }

            foreach (var link in layout.Links)
            {
                WriteLinkCell(output, row.Links, link.Name, keys: false);
                WriteLinkCell(output, row.Links, link.Name, keys: true);
            }

            output.Write(newLine);
        }

        /// <summary>
        /// Finds each stored property's TSV text for its column (one forward scan of the JSON, no document): a string without
        /// escapes is a slice of the stored text; other values are formatted as Python's <c>str()</c> would.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void FillColumns(byte[] props)
        {
            Span<char> name = stackalloc char[256];
            var reader = new Utf8JsonReader(props);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var index = reader.ValueSpan.Length <= name.Length ? layout.ColumnOf(name[..reader.CopyString(name)]) : layout.ColumnOf(reader.GetString());
                reader.Read();
                ReadOnlyMemory<byte> text = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
                    ? props.AsMemory((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length)
                    : Encoding.UTF8.GetBytes(reader.TokenType == JsonTokenType.String ? reader.GetString()! : RecordLayout.TsvValue(JsonElement.ParseValue(ref reader), nullText));
                if (index >= 0)
                {
                    cells[index] = text;
                }
            }
        }

        /// <summary>Writes a tab and the comma-joined parent ids (or keys) of one link, or the null text when there is none.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WriteLinkCell(ExportBuffer output, List<ExportLink> links, string name, bool keys)
        {
            joined.ResetWrittenCount();
            var count = 0;
            foreach (var parent in links)
            {
                if (parent.Link == name)
                {
                    if (count++ > 0)
                    {
                        joined.Write(","u8);
                    }

                    joined.Write(keys ? parent.TargetKey : parent.TargetId);
                }
            }

            output.Write((byte)'\t');
            output.WriteTsvField(count == 0 ? missing : joined.WrittenSpan, quote);
        }
    }
}
