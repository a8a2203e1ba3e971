using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Gen3;
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

    /// <summary>Reads a TSV or CSV body with the client's own row reader and row-to-record rules, so both sides agree.</summary>
    private static List<JsonNode?> ReadDelimited(string body, char separator, Gen3Dictionary dictionary)
    {
        // A StringReader completes every read synchronously, so enumerating it blocks on nothing.
        var rows = DelimitedText.ReadAsync(new StringReader(body), separator, CancellationToken.None).ToBlockingEnumerable().ToList();
        if (rows.Count == 0)
        {
            return [];
        }

        var header = rows[0].Cells.Select(c => c.Trim().TrimStart('*')).ToList();
        return [.. rows.Skip(1).Select(row => (JsonNode?)SubmissionInput.ToRecord(header, row.Cells, dictionary))];
    }
}
