using System.Globalization;
using System.Text;
using System.Text.Json;
using Dtp.IO;

namespace Dtp.Sds;

/// <summary>
/// Writes SDS metadata files laid out like the official template of a version: exact header texts, element names with their
/// indentation, section rows, description and example columns, no formulas. The format follows the file extension
/// (<c>.xlsx</c>, <c>.csv</c>, <c>.tsv</c> or <c>.json</c>); files are written through a temporary file.
/// </summary>
public static class SdsMetadataWriter
{
    /// <summary>Writes a table file (subjects, samples, manifest, performances, resources, sites, code_parameters).</summary>
    /// <param name="path">The file to write; name it <c>subjects.xlsx</c> etc. (lowercase).</param>
    /// <param name="kind">The kind of table.</param>
    /// <param name="version">The SDS version whose template gives the headers.</param>
    /// <param name="records">The records, each mapping a header (text or normalised key, e.g. <c>subject id</c> or <c>subject_id</c>) to its value; headers the template lacks become extra columns.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="ArgumentException">The kind is an element file, or the version has no such template, or the extension is not a metadata format.</exception>
    /// <exception cref="DtpException">The file exists and <paramref name="overwrite"/> is false, or it cannot be written.</exception>
    public static Task WriteTableAsync(string path, SdsFileKind kind, SdsVersion version, IEnumerable<IReadOnlyDictionary<string, string?>> records,
        bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (kind.IsElementFile())
        {
            throw new ArgumentException($"{kind.Stem()} holds one element per row; use {nameof(WriteElementsAsync)}.", nameof(kind));
        }

        var format = FormatOf(path);
        var template = SdsTemplates.ReadSheet(version, kind);
        var header = template.Rows.Count > 0 ? template.Rows[0].Cells.ToList() : [];
        var templateRows = template.Rows.Skip(1).Where(r => !version.AtLeast(SdsVersion.V200) && r.Number == 2 && r[1] is { } first
            && first.StartsWith("Lab-based schema", StringComparison.OrdinalIgnoreCase)).Select(r => r.Cells).ToList();
        var columnOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var normalised = new Dictionary<string, string>(StringComparer.Ordinal);
        string KeyOf(string text) => normalised.TryGetValue(text, out var key) ? key : normalised[text] = SdsNames.Normalize(text);
        for (var c = 0; c < header.Count; c++)
        {
            columnOfKey.TryAdd(SdsNames.Normalize(header[c]), c);
        }

        // Extra headers are found while streaming the records; they are collected first so that the header row is complete.
        var materialised = records as IReadOnlyCollection<IReadOnlyDictionary<string, string?>> ?? records.ToList();
        foreach (var key in materialised.SelectMany(r => r.Keys))
        {
            var normalisedKey = KeyOf(key);
            if (normalisedKey.Length > 0 && !columnOfKey.ContainsKey(normalisedKey))
            {
                columnOfKey.Add(normalisedKey, header.Count);
                header.Add(key);
            }
        }

        var width = header.Count;
        IEnumerable<string?[]> Rows()
        {
            yield return header.ToArray();
            foreach (var row in templateRows)
            {
                yield return row;
            }

            foreach (var record in materialised)
            {
                var cells = new string?[width];
                foreach (var (key, value) in record)
                {
                    if (columnOfKey.TryGetValue(KeyOf(key), out var column))
                    {
                        cells[column] = value;
                    }
                }

                yield return cells;
            }
        }

        return WriteRowsAsync(path, format, kind, Rows(), isElementFile: false, overwrite, cancellationToken);
    }

    /// <summary>Writes an element file (dataset_description, submission, code_description, curation) from the version's template rows.</summary>
    /// <param name="path">The file to write; name it <c>dataset_description.xlsx</c> etc. (lowercase).</param>
    /// <param name="kind">The kind of element file.</param>
    /// <param name="version">The SDS version whose template gives the rows; its number is written as the metadata version.</param>
    /// <param name="values">Values by element (name as written or normalised key, e.g. <c>Title</c> or <c>contributor_name</c>), one per value column; elements the template lacks become extra rows.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="ArgumentException">The kind is a table, or the version has no such template, or the extension is not a metadata format.</exception>
    /// <exception cref="DtpException">The file exists and <paramref name="overwrite"/> is false, or it cannot be written.</exception>
    public static Task WriteElementsAsync(string path, SdsFileKind kind, SdsVersion version, IReadOnlyDictionary<string, IReadOnlyList<string>> values,
        bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!kind.IsElementFile())
        {
            throw new ArgumentException($"{kind.Stem()} is a table; use {nameof(WriteTableAsync)}.", nameof(kind));
        }

        var format = FormatOf(path);
        var template = SdsTemplates.ReadSheet(version, kind);
        var valueColumn = kind.ValueColumn();
        var byKey = values.GroupBy(v => SdsNames.Normalize(v.Key)).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        var rows = new List<string?[]>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in template.Rows)
        {
            var key = SdsNames.Normalize(row[1]);
            var cells = row.Cells.Take(row.Number == template.Rows[0].Number ? row.Cells.Length : valueColumn - 1).ToList();
            if (row.Number != template.Rows[0].Number)
            {
                var rowValues = key == "metadata_version" ? [version.ToString()] : byKey.GetValueOrDefault(key) ?? [];
                used.Add(key);
                Place(cells, valueColumn, rowValues);
            }

            rows.Add([.. cells]);
        }

        foreach (var (key, rowValues) in values)
        {
            if (used.Add(SdsNames.Normalize(key)))
            {
                var cells = new List<string?> { key };
                Place(cells, valueColumn, rowValues);
                rows.Add([.. cells]);
            }
        }

        return WriteRowsAsync(path, format, kind, rows, isElementFile: true, overwrite, cancellationToken);
    }

    /// <summary>Formats a time as SDS wants it: ISO 8601 with a comma before the fraction and a mandatory offset (<c>2025-02-24T10:43:07,365166-08:00</c>).</summary>
    /// <param name="time">The time.</param>
    /// <returns>The text.</returns>
    public static string FormatTimestamp(DateTimeOffset time) =>
        time.ToString(time.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:sszzz" : "yyyy-MM-dd'T'HH:mm:ss','ffffffzzz", CultureInfo.InvariantCulture);

    private static void Place(List<string?> cells, int valueColumn, IReadOnlyList<string> values)
    {
        while (cells.Count < valueColumn - 1)
        {
            cells.Add(null);
        }

        cells.AddRange(values);
    }

    private static SdsFileFormat FormatOf(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return SdsMetadataReader.FormatOf(path) ?? throw new ArgumentException($"{path}: SDS metadata files end in .xlsx, .csv, .tsv or .json.", nameof(path));
    }

    private static Task WriteRowsAsync(string path, SdsFileFormat format, SdsFileKind kind, IEnumerable<string?[]> rows, bool isElementFile,
        bool overwrite, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            switch (format)
            {
                case SdsFileFormat.Xlsx:
                    // OpenXmlWriter is synchronous; the package is built in memory and copied to the file asynchronously.
                    using (var buffer = new MemoryStream())
                    {
                        XlsxSheetWriter.Write(buffer, "Sheet1", rows, ct);
                        buffer.Position = 0;
                        await buffer.CopyToAsync(stream, ct).ConfigureAwait(false);
                    }

                    break;
                case SdsFileFormat.Json:
                    await WriteJsonAsync(stream, kind, rows, isElementFile, ct).ConfigureAwait(false);
                    break;
                default:
                    await WriteDelimitedAsync(stream, format == SdsFileFormat.Tsv ? '\t' : ',', rows, ct).ConfigureAwait(false);
                    break;
            }
        }, overwrite, cancellationToken: cancellationToken);

    private static async Task WriteDelimitedAsync(Stream stream, char delimiter, IEnumerable<string?[]> rows, CancellationToken cancellationToken)
    {
        var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            var line = new StringBuilder();
            foreach (var row in rows)
            {
                line.Clear();
                for (var c = 0; c < row.Length; c++)
                {
                    if (c > 0)
                    {
                        line.Append(delimiter);
                    }

                    var value = row[c] ?? string.Empty;
                    if (value.AsSpan().IndexOfAny([delimiter, '"', '\r', '\n']) >= 0)
                    {
                        line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
                    }
                    else
                    {
                        line.Append(value);
                    }
                }

                line.Append("\r\n");
                await writer.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteJsonAsync(Stream stream, SdsFileKind kind, IEnumerable<string?[]> rows, bool isElementFile, CancellationToken cancellationToken)
    {
        var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        await using (json.ConfigureAwait(false))
        {
            using var enumerator = rows.GetEnumerator();
            var header = enumerator.MoveNext() ? enumerator.Current : [];
            if (isElementFile)
            {
                // { "element name": value | [values] } for the rows that have values.
                json.WriteStartObject();
                var valueColumn = kind.ValueColumn();
                while (enumerator.MoveNext())
                {
                    var row = enumerator.Current;
                    var values = row.Skip(valueColumn - 1).Where(v => !string.IsNullOrEmpty(v)).ToList();
                    if (row.Length == 0 || string.IsNullOrWhiteSpace(row[0]) || values.Count == 0)
                    {
                        continue;
                    }

                    json.WritePropertyName(row[0]!.Trim());
                    if (values.Count == 1)
                    {
                        json.WriteStringValue(values[0]);
                    }
                    else
                    {
                        json.WriteStartArray();
                        values.ForEach(json.WriteStringValue);
                        json.WriteEndArray();
                    }
                }

                json.WriteEndObject();
            }
            else
            {
                json.WriteStartArray();
                while (enumerator.MoveNext())
                {
                    var row = enumerator.Current;
                    json.WriteStartObject();
                    for (var c = 0; c < row.Length && c < header.Length; c++)
                    {
                        if (!string.IsNullOrEmpty(row[c]) && !string.IsNullOrEmpty(header[c]))
                        {
                            json.WriteString(header[c]!, row[c]);
                        }
                    }

                    json.WriteEndObject();
                    if (json.BytesPending > 1 << 16)
                    {
                        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                json.WriteEndArray();
            }
        }
    }
}
