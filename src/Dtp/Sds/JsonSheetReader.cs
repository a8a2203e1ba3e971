using System.Globalization;
using System.Text.Json;

namespace Dtp.Sds;

/// <summary>
/// Reads a json metadata file into the same row layout as a sheet. A table is an array of objects (or an object holding
/// one such array); an element file is an object whose properties are element names with a value or an array of values.
/// Rows are numbered from 1 for the header, columns follow the order of first appearance.
/// </summary>
internal static class JsonSheetReader
{
    public static RawSheet Read(byte[] bytes, string file, SdsFileKind kind)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new SdsFormatException($"{file} is not valid JSON: {ex.Message}", new SdsLocation(file, Row: (int?)(ex.LineNumber + 1)), ex);
        }

        using (document)
        {
            var sheet = new RawSheet(file, SdsFileFormat.Json, sheetName: null);
            var root = document.RootElement;
            if (kind.IsElementFile())
            {
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new SdsFormatException($"{file}: a {kind.Stem()} json file must be an object of element names to values.", new SdsLocation(file));
                }

                ReadElements(root, sheet, kind);
            }
            else
            {
                var records = root.ValueKind == JsonValueKind.Array
                    ? root
                    : root.ValueKind == JsonValueKind.Object && root.EnumerateObject().FirstOrDefault(p => p.Value.ValueKind == JsonValueKind.Array) is { Value.ValueKind: JsonValueKind.Array } property
                        ? property.Value
                        : throw new SdsFormatException($"{file}: a {kind.Stem()} json file must be an array of records.", new SdsLocation(file));
                ReadRecords(records, sheet);
            }

            return sheet;
        }
    }

    private static void ReadElements(JsonElement root, RawSheet sheet, SdsFileKind kind)
    {
        var valueColumn = kind.ValueColumn();
        var header = new string?[valueColumn];
        header[0] = "Metadata element";
        header[valueColumn - 1] = "Value";
        sheet.Rows.Add(new RawRow(1, header));
        var row = 1;
        foreach (var property in root.EnumerateObject())
        {
            var cells = new List<string?> { property.Name };
            while (cells.Count < valueColumn - 1)
            {
                cells.Add(null);
            }

            if (property.Value.ValueKind == JsonValueKind.Array)
            {
                cells.AddRange(property.Value.EnumerateArray().Select(Text));
            }
            else
            {
                cells.Add(Text(property.Value));
            }

            sheet.Rows.Add(new RawRow(++row, RawRow.Trim(cells) ?? [property.Name]));
        }
    }

    private static void ReadRecords(JsonElement records, RawSheet sheet)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = new List<List<string?>>();
        foreach (var record in records.EnumerateArray())
        {
            var cells = new List<string?>();
            if (record.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in record.EnumerateObject())
                {
                    if (!columns.TryGetValue(property.Name, out var index))
                    {
                        index = columns.Count;
                        columns.Add(property.Name, index);
                    }

                    while (cells.Count <= index)
                    {
                        cells.Add(null);
                    }

                    cells[index] = property.Value.ValueKind == JsonValueKind.Array
                        ? string.Join(' ', property.Value.EnumerateArray().Select(Text))
                        : Text(property.Value);
                }
            }

            rows.Add(cells);
        }

        sheet.Rows.Add(new RawRow(1, columns.OrderBy(c => c.Value).Select(c => (string?)c.Key).ToArray()));
        for (var i = 0; i < rows.Count; i++)
        {
            if (RawRow.Trim(rows[i]) is { } trimmed)
            {
                sheet.Rows.Add(new RawRow(i + 2, trimmed));
            }
        }
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
        JsonValueKind.Number => value.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture) : value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.True => "TRUE",
        JsonValueKind.False => "FALSE",
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };
}
