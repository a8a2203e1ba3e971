using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dtp.Gen3.Dictionary;

/// <summary>Writes JSON values the way Python's <c>repr</c> prints the decoded value, as jsonschema's messages show them.</summary>
internal static class PythonRepr
{
    public static string Of(JsonNode? node)
    {
        var builder = new StringBuilder();
        Append(builder, node);
        return builder.ToString();
    }

    public static string OfString(string value)
    {
        var builder = new StringBuilder();
        AppendString(builder, value);
        return builder.ToString();
    }

    public static void Append(StringBuilder builder, JsonNode? node)
    {
        switch (node)
        {
            case null:
                builder.Append("None");
                break;
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (key, value) in obj)
                {
                    if (!first)
                    {
                        builder.Append(", ");
                    }

                    first = false;
                    AppendString(builder, key);
                    builder.Append(": ");
                    Append(builder, value);
                }

                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    Append(builder, array[i]);
                }

                builder.Append(']');
                break;
            case JsonValue value:
                AppendValue(builder, value);
                break;
        }
    }

    private static void AppendValue(StringBuilder builder, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                AppendString(builder, value.GetValue<string>());
                break;
            case JsonValueKind.True:
                builder.Append("True");
                break;
            case JsonValueKind.False:
                builder.Append("False");
                break;
            case JsonValueKind.Number:
                if (JsonTypes.IsInteger(value))
                {
                    builder.Append(JsonTypes.NumberText(value));
                }
                else
                {
                    builder.Append(Float(value.GetValue<double>()));
                }

                break;
            default:
                builder.Append("None");
                break;
        }
    }

    /// <summary>Python's shortest round-trip float repr: fixed notation for exponents -4..15, else <c>1e-05</c> style.</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var shortest = value.ToString("R", CultureInfo.InvariantCulture);

        // Digits and decimal exponent of the shortest representation.
        var negative = shortest.StartsWith('-');
        var unsigned = negative ? shortest[1..] : shortest;
        int exponent;
        string mantissa;
        var e = unsigned.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            mantissa = unsigned[..e];
            exponent = int.Parse(unsigned[(e + 1)..], CultureInfo.InvariantCulture);
        }
        else
        {
            mantissa = unsigned;
            exponent = 0;
        }

        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : "";
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - (intPart + fracPart).TrimStart('0').Length;
        if (digits.Length == 0)
        {
            return negative ? "-0.0" : "0.0";
        }

        // Decimal point position relative to the first significant digit.
        var pointPos = intPart.Length + exponent - leadingZeros;
        digits = digits.TrimEnd('0');
        var decimalExponent = pointPos - 1;
        var sign = negative ? "-" : "";
        if (decimalExponent is >= -4 and < 16)
        {
            string fixedText;
            if (pointPos <= 0)
            {
                fixedText = "0." + new string('0', -pointPos) + digits;
            }
            else if (pointPos >= digits.Length)
            {
                fixedText = digits + new string('0', pointPos - digits.Length) + ".0";
            }
            else
            {
                fixedText = digits[..pointPos] + "." + digits[pointPos..];
            }

            return sign + fixedText;
        }

        var sci = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        var expSign = decimalExponent < 0 ? "-" : "+";
        return $"{sign}{sci}e{expSign}{Math.Abs(decimalExponent).ToString("00", CultureInfo.InvariantCulture)}";
    }

    private static void AppendString(StringBuilder builder, string value)
    {
        var quote = value.Contains('\'', StringComparison.Ordinal) && !value.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                case '\r':
                    builder.Append(@"\r");
                    break;
                case '\t':
                    builder.Append(@"\t");
                    break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(c);
                    }
                    else if (c < 0x20 || c == 0x7f)
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append(quote);
    }
}
