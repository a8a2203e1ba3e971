using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Dtp.Gen3.Dictionary;

/// <summary>One failure of a JSON Schema keyword, worded as Python's jsonschema words it.</summary>
/// <param name="Keyword">The failing keyword (jsonschema's <c>error.validator</c>).</param>
/// <param name="Path">Property names and item indexes leading to the failing value.</param>
/// <param name="Message">The message text.</param>
internal sealed record SchemaError(string Keyword, IReadOnlyList<object> Path, string Message);

/// <summary>
/// JSON Schema draft 4 for the keyword subset Gen3 dictionaries use, visiting keywords in the schema's own order and
/// reporting errors with python-jsonschema's messages (the wording sheepdog returns).
/// </summary>
internal static class SchemaValidator
{
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.Ordinal);

    public static List<SchemaError> Validate(JsonObject schema, JsonNode? instance)
    {
        var errors = new List<SchemaError>();
        Visit(schema, instance, [], errors);
        return errors;
    }

    public static bool IsValid(JsonNode? schema, JsonNode? instance)
    {
        if (schema is not JsonObject obj)
        {
            return true;
        }

        var errors = new List<SchemaError>();
        Visit(obj, instance, [], errors);
        return errors.Count == 0;
    }

    private static bool AnyValid(JsonArray schemas, JsonNode? instance)
    {
        foreach (var schema in schemas)
        {
            if (IsValid(schema, instance))
            {
                return true;
            }
        }

        return false;
    }

    private static void Visit(JsonObject schema, JsonNode? instance, List<object> path, List<SchemaError> errors)
    {
        foreach (var (keyword, value) in schema)
        {
            switch (keyword)
            {
                case "type":
                    CheckType(value, instance, path, errors);
                    break;
                case "enum" when value is JsonArray options:
                    if (!options.Any(o => JsonTypes.PyEquals(o, instance)))
                    {
                        Add(errors, keyword, path, $"{PythonRepr.Of(instance)} is not one of {PythonRepr.Of(options)}");
                    }

                    break;
                case "pattern" when JsonTypes.Is(instance, "string") && value is JsonValue p:
                    var pattern = p.GetValue<string>();
                    var regex = Patterns.GetOrAdd(pattern, static s => new Regex(s, RegexOptions.CultureInvariant));
                    if (!regex.IsMatch(instance!.GetValue<string>()))
                    {
                        Add(errors, keyword, path, $"{PythonRepr.Of(instance)} does not match {PythonRepr.OfString(pattern)}");
                    }

                    break;
                case "minimum" when JsonTypes.Is(instance, "number") && value is JsonValue min:
                    CheckBound(schema, instance!.AsValue(), min, isMinimum: true, path, errors);
                    break;
                case "maximum" when JsonTypes.Is(instance, "number") && value is JsonValue max:
                    CheckBound(schema, instance!.AsValue(), max, isMinimum: false, path, errors);
                    break;
                case "minLength" when JsonTypes.Is(instance, "string"):
                    if (CodePoints(instance!.GetValue<string>()) < Int(value))
                    {
                        Add(errors, keyword, path, $"{PythonRepr.Of(instance)} is too short");
                    }

                    break;
                case "maxLength" when JsonTypes.Is(instance, "string"):
                    if (CodePoints(instance!.GetValue<string>()) > Int(value))
                    {
                        Add(errors, keyword, path, $"{PythonRepr.Of(instance)} is too long");
                    }

                    break;
                case "minItems" when instance is JsonArray items:
                    if (items.Count < Int(value))
                    {
                        Add(errors, keyword, path, $"{PythonRepr.Of(instance)} is too short");
                    }

                    break;
                case "maxItems" when instance is JsonArray items:
                    if (items.Count > Int(value))
                    {
                        Add(errors, keyword, path, $"{PythonRepr.Of(instance)} is too long");
                    }

                    break;
                case "uniqueItems" when instance is JsonArray items && value is JsonValue u && u.GetValueKind() == JsonValueKind.True:
                    if (HasDuplicates(items))
                    {
                        Add(errors, keyword, path, $"{PythonRepr.Of(instance)} has non-unique elements");
                    }

                    break;
                case "items" when instance is JsonArray items:
                    CheckItems(value, items, path, errors);
                    break;
                case "properties" when instance is JsonObject obj && value is JsonObject properties:
                    foreach (var (name, subschema) in properties)
                    {
                        if (subschema is JsonObject sub && obj.TryGetPropertyValue(name, out var child))
                        {
                            Descend(sub, child, path, name, errors);
                        }
                    }

                    break;
                case "additionalProperties" when instance is JsonObject obj:
                    CheckAdditional(schema, value, obj, path, errors);
                    break;
                case "required" when instance is JsonObject obj && value is JsonArray required:
                    foreach (var name in required)
                    {
                        var text = name?.GetValue<string>() ?? "";
                        if (!obj.ContainsKey(text))
                        {
                            Add(errors, keyword, path, $"{PythonRepr.OfString(text)} is a required property");
                        }
                    }

                    break;
                case "allOf" when value is JsonArray all:
                    foreach (var sub in all.OfType<JsonObject>())
                    {
                        Visit(sub, instance, path, errors);
                    }

                    break;
                case "anyOf" when value is JsonArray any:
                    if (!AnyValid(any, instance))
                    {
                        Add(errors, keyword, path, $"{PythonRepr.Of(instance)} is not valid under any of the given schemas");
                    }

                    break;
                case "oneOf" when value is JsonArray one:
                    var matching = one.Where(sub => IsValid(sub, instance)).ToList();
                    if (matching.Count == 0)
                    {
                        Add(errors, keyword, path, $"{PythonRepr.Of(instance)} is not valid under any of the given schemas");
                    }
                    else if (matching.Count > 1)
                    {
                        Add(errors, keyword, path, $"{PythonRepr.Of(instance)} is valid under each of {string.Join(", ", matching.Select(PythonRepr.Of))}");
                    }

                    break;
                case "not" when value is JsonObject not:
                    if (IsValid(not, instance))
                    {
                        Add(errors, keyword, path, $"{PythonRepr.Of(not)} is not allowed for {PythonRepr.Of(instance)}");
                    }

                    break;
            }
        }
    }

    private static void Descend(JsonObject schema, JsonNode? instance, List<object> path, object segment, List<SchemaError> errors)
    {
        path.Add(segment);
        Visit(schema, instance, path, errors);
        path.RemoveAt(path.Count - 1);
    }

    private static void CheckType(JsonNode? value, JsonNode? instance, List<object> path, List<SchemaError> errors)
    {
        switch (value)
        {
            case JsonValue single when JsonTypes.Is(instance, single.GetValue<string>()):
                return;
            case JsonArray list:
                foreach (var type in list)
                {
                    if (JsonTypes.Is(instance, (string?)type ?? "null"))
                    {
                        return;
                    }
                }

                if (list.Count == 0)
                {
                    return;
                }

                break;
            case null:
                return;
        }

        var names = value is JsonArray all ? all.Select(t => PythonRepr.OfString((string?)t ?? "null")) : [PythonRepr.OfString(value.GetValue<string>())];
        Add(errors, "type", path, $"{PythonRepr.Of(instance)} is not of type {string.Join(", ", names)}");
    }

    private static void CheckBound(JsonObject schema, JsonValue instance, JsonValue bound, bool isMinimum, List<object> path, List<SchemaError> errors)
    {
        var exclusive = schema[isMinimum ? "exclusiveMinimum" : "exclusiveMaximum"] is JsonValue ex && ex.GetValueKind() == JsonValueKind.True;
        var x = JsonTypes.ToDouble(instance);
        var limit = JsonTypes.ToDouble(bound);
        var failed = isMinimum ? (exclusive ? x <= limit : x < limit) : (exclusive ? x >= limit : x > limit);
        if (failed)
        {
            var comparison = (isMinimum ? "less than" : "greater than") + (exclusive ? " or equal to" : "");
            Add(errors, isMinimum ? "minimum" : "maximum", path,
                $"{PythonRepr.Of(instance)} is {comparison} the {(isMinimum ? "minimum" : "maximum")} of {PythonRepr.Of(bound)}");
        }
    }

    private static void CheckItems(JsonNode? value, JsonArray items, List<object> path, List<SchemaError> errors)
    {
        switch (value)
        {
            case JsonObject itemSchema:
                for (var i = 0; i < items.Count; i++)
                {
                    Descend(itemSchema, items[i], path, i, errors);
                }

                break;
            case JsonArray tuple:
                for (var i = 0; i < Math.Min(tuple.Count, items.Count); i++)
                {
                    if (tuple[i] is JsonObject sub)
                    {
                        Descend(sub, items[i], path, i, errors);
                    }
                }

                break;
        }
    }

    private static void CheckAdditional(JsonObject schema, JsonNode? value, JsonObject instance, List<object> path, List<SchemaError> errors)
    {
        if (value is JsonValue permitted && permitted.GetValueKind() == JsonValueKind.True)
        {
            return;
        }

        var properties = schema["properties"] as JsonObject;
        List<string>? extras = null;
        foreach (var (key, _) in instance)
        {
            if (properties is null || !properties.ContainsKey(key))
            {
                (extras ??= []).Add(key);
            }
        }

        if (extras is null)
        {
            return;
        }

        if (value is JsonObject additionalSchema)
        {
            foreach (var extra in extras)
            {
                Descend(additionalSchema, instance[extra], path, extra, errors);
            }
        }
        else if (value is JsonValue allowed && allowed.GetValueKind() == JsonValueKind.False)
        {
            var names = string.Join(", ", extras.Select(PythonRepr.OfString));
            Add(errors, "additionalProperties", path, $"Additional properties are not allowed ({names} {(extras.Count == 1 ? "was" : "were")} unexpected)");
        }
    }

    private static bool HasDuplicates(JsonArray items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            for (var j = i + 1; j < items.Count; j++)
            {
                if (JsonTypes.PyEquals(items[i], items[j]))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static int Int(JsonNode? value) => value is JsonValue v ? (int)JsonTypes.ToDouble(v) : 0;

    private static int CodePoints(string text) => text.EnumerateRunes().Count();

    private static void Add(List<SchemaError> errors, string keyword, List<object> path, string message) =>
        errors.Add(new SchemaError(keyword, [.. path], message));
}
