using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dtp.Gen3.Dictionary;

/// <summary>JSON Schema draft-4 type tests on JSON nodes (integers are numbers written without fraction or exponent, as Python decodes them).</summary>
internal static class JsonTypes
{
    public static bool IsInteger(JsonValue value)
    {
        if (value.TryGetValue<JsonElement>(out var element))
        {
            if (element.ValueKind != JsonValueKind.Number)
            {
                return false;
            }

            var raw = element.GetRawText();
            return raw.IndexOfAny(['.', 'e', 'E']) < 0;
        }

        return value.GetValueKind() == JsonValueKind.Number
            && !value.TryGetValue<double>(out _) && !value.TryGetValue<float>(out _) && !value.TryGetValue<decimal>(out _);
    }

    public static string NumberText(JsonValue value) =>
        value.TryGetValue<JsonElement>(out var element) ? element.GetRawText() : value.ToJsonString();

    public static double ToDouble(JsonValue value) =>
        value.TryGetValue<JsonElement>(out var element) ? element.GetDouble() : System.Convert.ToDouble(value.GetValue<object>(), CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="node"/> is of the draft-4 type <paramref name="type"/>.</summary>
    public static bool Is(JsonNode? node, string type) => type switch
    {
        "null" => node is null || (node is JsonValue v && v.GetValueKind() == JsonValueKind.Null),
        "object" => node is JsonObject,
        "array" => node is JsonArray,
        "string" => node is JsonValue s && s.GetValueKind() == JsonValueKind.String,
        "boolean" => node is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "number" => node is JsonValue n && n.GetValueKind() == JsonValueKind.Number,
        "integer" => node is JsonValue i && i.GetValueKind() == JsonValueKind.Number && IsInteger(i),
        _ => false,
    };

    /// <summary>Python equality of decoded JSON values (1 == 1.0, True != 1 for enum purposes is ignored here as in jsonschema 4).</summary>
    public static bool PyEquals(JsonNode? a, JsonNode? b)
    {
        if (Is(a, "null") || Is(b, "null"))
        {
            return Is(a, "null") && Is(b, "null");
        }

        if (a is JsonValue va && b is JsonValue vb)
        {
            var ka = va.GetValueKind();
            var kb = vb.GetValueKind();
            if (ka == JsonValueKind.Number && kb == JsonValueKind.Number)
            {
                return ToDouble(va) == ToDouble(vb);
            }

            if (ka != kb)
            {
                return false;
            }

            return ka switch
            {
                JsonValueKind.String => string.Equals(va.GetValue<string>(), vb.GetValue<string>(), StringComparison.Ordinal),
                _ => true,
            };
        }

        return JsonNode.DeepEquals(a, b);
    }
}
