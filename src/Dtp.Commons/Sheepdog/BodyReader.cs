using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Gen3.Dictionary;

namespace Dtp.Commons.Sheepdog;

/// <summary>Reads a submission body: JSON (object or array), TSV or CSV (header of property names, <c>link.key</c> columns).</summary>
internal static class BodyReader
{
    /// <summary>Returns the documents, or throws <see cref="FormatException"/> with sheepdog's message for unparsable JSON.</summary>
    public static List<JsonNode?> Read(string body, string? contentType, Gen3Dictionary dictionary)
    {
        var mediaType = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is "text/tab-separated-values" or "text/tsv" or "text/csv")
        {
            return ReadDelimited(body, mediaType == "text/csv" ? ',' : '\t', dictionary);
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Unable to parse json: {PythonJsonError(body, ex)}", ex);
        }

        return root switch
        {
            JsonArray list => [.. list],
            _ => [root],
        };
    }

    /// <summary>Words a JSON syntax error as Python's json module words its most common one (<c>Expecting value: line 1 column 9 (char 8)</c>).</summary>
    private static string PythonJsonError(string body, JsonException ex)
    {
        var line = (int)(ex.LineNumber ?? 0);
        var column = (int)(ex.BytePositionInLine ?? 0);
        var offset = 0;
        for (var i = 0; i < line && offset < body.Length; i++)
        {
            var next = body.IndexOf('\n', offset);
            offset = next < 0 ? body.Length : next + 1;
        }

        var prefix = Encoding.UTF8.GetBytes(body[offset..]);
        var charColumn = Encoding.UTF8.GetCharCount(prefix, 0, Math.Min(column, prefix.Length));

        // .NET reports the byte where it gave up inside a bad literal; Python the literal's first character.
        while (offset + charColumn < body.Length && charColumn > 0 && char.IsLetterOrDigit(body[offset + charColumn - 1]))
        {
            charColumn--;
        }
        return $"Expecting value: line {line + 1} column {charColumn + 1} (char {offset + charColumn})";
    }

    private static List<JsonNode?> ReadDelimited(string body, char separator, Gen3Dictionary dictionary)
    {
        var lines = body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var result = new List<JsonNode?>();
        if (lines.Length == 0)
        {
            return result;
        }

        var header = Split(lines[0], separator);
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var cells = Split(line, separator);
            var doc = new JsonObject();
            var type = header.IndexOf("type") is var t and >= 0 && t < cells.Count ? cells[t] : null;
            dictionary.TryGetNode(type ?? "", out var node);
            for (var i = 0; i < header.Count && i < cells.Count; i++)
            {
                var cell = cells[i];
                if (cell.Length == 0)
                {
                    continue;
                }

                var column = header[i];
                var dot = column.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0)
                {
                    var link = column[..dot];
                    var key = column[(dot + 1)..];
                    var values = cell.Split(',');
                    var items = doc[link] as JsonArray ?? [];
                    for (var v = 0; v < values.Length; v++)
                    {
                        if (items.Count <= v)
                        {
                            items.Add(new JsonObject());
                        }

                        items[v]![key] = values[v];
                    }

                    doc[link] = items;
                }
                else
                {
                    doc[column] = Convert(cell, node?.Schema["properties"]?[column]);
                }
            }

            foreach (var (name, value) in doc.ToList())
            {
                if (value is JsonArray { Count: 1 } single && node?.FindLink(name) is not null)
                {
                    doc[name] = single[0]!.DeepClone();
                }
            }

            result.Add(doc);
        }

        return result;
    }

    private static JsonNode? Convert(string cell, JsonNode? schema)
    {
        var types = schema?["type"] switch
        {
            JsonArray list => list.Select(x => (string?)x).ToList(),
            JsonValue one => [(string?)one],
            _ => [],
        };
        if (types.Contains("array"))
        {
            var itemSchema = schema?["items"];
            return new JsonArray([.. cell.Split(',').Select(part => Convert(part.Trim(), itemSchema))]);
        }

        if (types.Contains("integer") && long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        if (types.Contains("number") && double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        if (types.Contains("boolean") && bool.TryParse(cell, out var flag))
        {
            return flag;
        }

        return cell;
    }

    private static List<string> Split(string line, char separator)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"' && cell.Length == 0)
            {
                quoted = true;
            }
            else if (c == separator)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
