using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Dtp.Conversion;

/// <summary>
/// Writes JSON as Python's <c>json.dump(obj, indent=4)</c> does: 4-space indentation, <c>", "</c>-free line breaks,
/// <c>": "</c> after keys, empty containers as <c>[]</c>/<c>{}</c>, floats in Python's repr, no final newline;
/// with <c>asciiOnly</c> every character outside space..tilde is escaped as <c>\uXXXX</c> (<c>ensure_ascii</c>).
/// </summary>
internal static class PythonJson
{
    private const int ChunkSize = 1 << 16;

    /// <summary>Writes the document to <paramref name="writer"/>; a top-level array goes through <see cref="WriteArrayAsync"/>.</summary>
    /// <returns>The number of items of a top-level array, else 1.</returns>
    public static async Task<int> WriteAsync(TextWriter writer, JsonNode? node, bool asciiOnly, CancellationToken cancellationToken)
    {
        if (node is JsonArray array)
        {
            return await WriteArrayAsync(writer, array.ToAsyncEnumerable(), asciiOnly, cancellationToken).ConfigureAwait(false);
        }

        var text = new StringBuilder();
        Write(text, node, 0, asciiOnly);
        await writer.WriteAsync(text, cancellationToken).ConfigureAwait(false);
        return 1;
    }

    /// <summary>
    /// Writes a top-level array item by item in chunks, so the text of a large file is never held in memory at once (nor,
    /// when the items are produced lazily, the items).
    /// </summary>
    /// <returns>The number of items.</returns>
    public static async Task<int> WriteArrayAsync<T>(TextWriter writer, IAsyncEnumerable<T> items, bool asciiOnly, CancellationToken cancellationToken)
        where T : JsonNode?
    {
        var text = new StringBuilder(ChunkSize + (ChunkSize / 4));
        var count = 0;
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            text.Append(count == 0 ? "[" : string.Empty);
            AppendItem(text, item, count++, 0, asciiOnly);
            if (text.Length >= ChunkSize)
            {
                await writer.WriteAsync(text, cancellationToken).ConfigureAwait(false);
                text.Clear();
            }
        }

        text.Append(count == 0 ? "[]" : "\n]");
        await writer.WriteAsync(text, cancellationToken).ConfigureAwait(false);
        return count;
    }

    private static void Write(StringBuilder text, JsonNode? node, int depth, bool asciiOnly)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj when obj.Count == 0:
                text.Append("{}");
                break;
            case JsonObject obj:
                text.Append('{');
                var firstKey = true;
                foreach (var (key, value) in obj)
                {
                    text.Append(firstKey ? "\n" : ",\n").Append(' ', (depth + 1) * 4);
                    WriteString(text, key, asciiOnly);
                    text.Append(": ");
                    Write(text, value, depth + 1, asciiOnly);
                    firstKey = false;
                }

                text.Append('\n').Append(' ', depth * 4).Append('}');
                break;
            case JsonArray array when array.Count == 0:
                text.Append("[]");
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    AppendItem(text, array[i], i, depth, asciiOnly);
                }

                text.Append('\n').Append(' ', depth * 4).Append(']');
                break;
            case JsonValue value:
                WriteValue(text, value, asciiOnly);
                break;
        }
    }

    private static void AppendItem(StringBuilder text, JsonNode? item, int index, int depth, bool asciiOnly)
    {
        text.Append(index == 0 ? "\n" : ",\n").Append(' ', (depth + 1) * 4);
        Write(text, item, depth + 1, asciiOnly);
    }

    private static void WriteValue(StringBuilder text, JsonValue value, bool asciiOnly)
    {
        if (value.TryGetValue<string>(out var s))
        {
            WriteString(text, s, asciiOnly);
        }
        else if (value.TryGetValue<bool>(out var b))
        {
            text.Append(b ? "true" : "false");
        }
        else if (value.TryGetValue<long>(out var l))
        {
            text.Append(l.ToString(CultureInfo.InvariantCulture));
        }
        else if (value.TryGetValue<int>(out var i))
        {
            text.Append(i.ToString(CultureInfo.InvariantCulture));
        }
        else if (value.TryGetValue<double>(out var d))
        {
            text.Append(FloatRepr(d));
        }
        else
        {
            text.Append(value.ToJsonString());
        }
    }

    /// <summary>Python's <c>repr(float)</c>: shortest round-trip digits, <c>.0</c> on integral values, exponent from 1e16 and below 1e-4.</summary>
    internal static string FloatRepr(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }

        var abs = Math.Abs(d);
        if (abs == 0 || (abs >= 1e-4 && abs < 1e16))
        {
            var plain = d.ToString("R", CultureInfo.InvariantCulture);
            if (plain.Contains('E', StringComparison.Ordinal))
            {
                plain = decimal.Parse(plain, NumberStyles.Float, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
            }

            return plain.Contains('.', StringComparison.Ordinal) ? plain : plain + ".0";
        }

        var exponent = d.ToString("E16", CultureInfo.InvariantCulture);
        var shortest = d.ToString("R", CultureInfo.InvariantCulture);
        if (!shortest.Contains('E', StringComparison.Ordinal))
        {
            shortest = exponent;
        }

        var parts = shortest.Split('E');
        var mantissa = parts[0].Contains('.', StringComparison.Ordinal) ? parts[0].TrimEnd('0').TrimEnd('.') : parts[0];
        var exp = int.Parse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{mantissa}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}");
    }

    private static void WriteString(StringBuilder text, string value, bool asciiOnly)
    {
        text.Append('"');
        var run = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= ' ' && c != '"' && c != '\\' && (!asciiOnly || c <= '~'))
            {
                continue;
            }

            // Characters that need no escape are copied in runs.
            text.Append(value, run, i - run);
            run = i + 1;
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case '\b':
                    text.Append("\\b");
                    break;
                case '\f':
                    text.Append("\\f");
                    break;
                default:
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
            }
        }

        text.Append(value, run, value.Length - run).Append('"');
    }
}
