using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Dtp.Gen3.Dictionary;

/// <summary>One node type of a Gen3 data dictionary with its resolved JSON schema, links and keys.</summary>
public sealed partial class DictionaryNode
{
    internal DictionaryNode(string name, JsonObject schema)
    {
        Name = name;
        Schema = schema;
        Title = (string?)schema["title"] ?? name;
        Category = (string?)schema["category"] ?? "";
        Submittable = schema["submittable"] is not JsonValue s || s.GetValue<bool>();
        Properties = schema["properties"] is JsonObject props ? [.. props.Select(p => p.Key)] : [];
        Required = Strings(schema["required"]);
        SystemProperties = Strings(schema["systemProperties"]);
        UniqueKeys = schema["uniqueKeys"] is JsonArray keys ? [.. keys.Select(Strings)] : [];
        Links = ParseLinks(schema["links"] as JsonArray);
    }

    /// <summary>Gets the node type name, e.g. <c>case</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the node's title.</summary>
    public string Title { get; }

    /// <summary>Gets the node's category, e.g. <c>administrative</c> or <c>internal</c>.</summary>
    public string Category { get; }

    /// <summary>Gets whether records of this type may be submitted (false for <c>program</c> and internal nodes).</summary>
    public bool Submittable { get; }

    /// <summary>Gets the node's schema with every <c>$ref</c> resolved (do not modify).</summary>
    public JsonObject Schema { get; }

    /// <summary>Gets the property names in dictionary order (system properties and link properties included).</summary>
    public IReadOnlyList<string> Properties { get; }

    /// <summary>Gets the required property names.</summary>
    public IReadOnlyList<string> Required { get; }

    /// <summary>Gets the system property names (set by the server, e.g. <c>id</c>, <c>project_id</c>, <c>state</c>).</summary>
    public IReadOnlyList<string> SystemProperties { get; }

    /// <summary>Gets the unique keys, e.g. <c>[[id], [project_id, submitter_id]]</c>.</summary>
    public IReadOnlyList<IReadOnlyList<string>> UniqueKeys { get; }

    /// <summary>Gets the links to parent node types (subgroups flattened; see <see cref="DictionaryLink.Group"/>).</summary>
    public IReadOnlyList<DictionaryLink> Links { get; }

    /// <summary>Returns the link of that name, or <see langword="null"/>.</summary>
    /// <param name="name">A link name.</param>
    public DictionaryLink? FindLink(string name) => Links.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// Validates a record against the node's schema with JSON Schema draft 4 semantics, returning sheepdog's errors
    /// (python-jsonschema wording; <c>MISSING_PROPERTY</c>, <c>INVALID_VALUE</c> or <c>ERROR</c>) in sheepdog's order.
    /// </summary>
    /// <param name="record">The record as submitted (with <c>type</c>, links as objects or lists).</param>
    /// <returns>The errors; empty when the record is valid.</returns>
    public IReadOnlyList<RecordError> Validate(JsonObject record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var errors = SchemaValidator.Validate(Schema, record);
        if (errors.Count == 0)
        {
            return [];
        }

        var result = new List<RecordError>(errors.Count);
        foreach (var error in errors)
        {
            var names = error.Path.OfType<string>().ToList();
            IReadOnlyList<string> keys = names.Count > 0 ? [string.Join('.', names)] : KeysFromMessage(error.Message);
            var type = error.Keyword switch
            {
                "required" => RecordErrorTypes.MissingProperty,
                "additionalProperties" => RecordErrorTypes.Error,
                _ => RecordErrorTypes.InvalidValue,
            };
            result.Add(new RecordError(keys, error.Message, type));
        }

        return result;
    }

    private static IReadOnlyList<string> KeysFromMessage(string message)
    {
        var match = RequiredMessage().Match(message);
        return match.Success ? [match.Groups[1].Value] : [];
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray list ? [.. list.Select(n => n?.ToString() ?? "")] : [];

    private static List<DictionaryLink> ParseLinks(JsonArray? links)
    {
        var result = new List<DictionaryLink>();
        if (links is null)
        {
            return result;
        }

        var nextGroup = 0;
        for (var i = 0; i < links.Count; i++)
        {
            if (links[i] is not JsonObject link)
            {
                continue;
            }

            if (link["subgroup"] is JsonArray)
            {
                AddSubgroup(link, Flag(link, "required"), i, -1, result, ref nextGroup);
            }
            else
            {
                result.Add(ParseLink(link, Flag(link, "required"), -1, -1));
            }
        }

        return result;
    }

    /// <summary>Adds a subgroup's links, nested subgroups flattened into the outermost group (whose <c>required</c> applies to all of them).</summary>
    private static void AddSubgroup(JsonObject subgroup, bool required, int group, int exclusiveGroup, List<DictionaryLink> result, ref int nextGroup)
    {
        if (Flag(subgroup, "exclusive"))
        {
            exclusiveGroup = nextGroup++;
        }

        foreach (var member in subgroup["subgroup"]!.AsArray().OfType<JsonObject>())
        {
            if (member["subgroup"] is JsonArray)
            {
                AddSubgroup(member, required, group, exclusiveGroup, result, ref nextGroup);
            }
            else
            {
                result.Add(ParseLink(member, required, group, exclusiveGroup));
            }
        }
    }

    private static bool Flag(JsonObject link, string name) => link[name] is JsonValue value && value.GetValue<bool>();

    private static DictionaryLink ParseLink(JsonObject link, bool required, int group, int exclusiveGroup) => new(
        (string?)link["name"] ?? "",
        (string?)link["backref"] ?? "",
        (string?)link["label"] ?? "",
        (string?)link["target_type"] ?? "",
        (string?)link["multiplicity"] ?? "many_to_many",
        required,
        group,
        exclusiveGroup);

    [GeneratedRegex("^'([a-zA-Z_-]+)' is a required property")]
    private static partial Regex RequiredMessage();
}
