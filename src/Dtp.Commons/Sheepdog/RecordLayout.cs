using System.Text.Json;
using Dtp.Gen3.Dictionary;

namespace Dtp.Commons.Sheepdog;

/// <summary>sheepdog's template layout of a node type: which properties and link columns an export shows, in which order.</summary>
internal sealed class RecordLayout
{
    private static readonly HashSet<string> Leading = new(StringComparer.Ordinal) { "type", "id", "project_id", "submitter_id" };

    private readonly Dictionary<string, int> columns;

    public RecordLayout(DictionaryNode node)
    {
        Node = node;
        var links = node.Links.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var system = node.SystemProperties.ToHashSet(StringComparer.Ordinal);
        bool Plain(string p) => !Leading.Contains(p) && !links.Contains(p) && !system.Contains(p);
        Required = [.. node.Required.Where(Plain).Order(StringComparer.Ordinal)];
        Optional = [.. node.Properties.Where(p => Plain(p) && !Required.Contains(p)).Order(StringComparer.Ordinal)];
        Properties = [.. Required, .. Optional];
        Links = node.Links;
        columns = Properties.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i, StringComparer.Ordinal);
    }

    public DictionaryNode Node { get; }

    public IReadOnlyList<string> Required { get; }

    public IReadOnlyList<string> Optional { get; }

    /// <summary>Gets the required then optional plain properties, each group sorted.</summary>
    public IReadOnlyList<string> Properties { get; }

    public IReadOnlyList<DictionaryLink> Links { get; }

    /// <summary>Returns the index of a property in <see cref="Properties"/>, or -1.</summary>
    public int ColumnOf(ReadOnlySpan<char> property) => columns.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(property, out var index) ? index : -1;

    /// <summary>The key a link's parent shows besides its id: <c>code</c> for projects, else <c>submitter_id</c>.</summary>
    public static string ParentKey(DictionaryLink link) => link.TargetType == "project" ? "code" : "submitter_id";

    public IEnumerable<string> TsvHeader()
    {
        yield return "type";
        yield return "id";
        yield return "project_id";
        yield return "submitter_id";
        foreach (var p in Properties)
        {
            yield return p;
        }

        foreach (var link in Links)
        {
            yield return link.Name + ".id";
            yield return link.Name + "." + ParentKey(link);
        }
    }

    /// <summary>Formats a property value for TSV as Python's <c>str()</c> would (lists comma-joined, booleans True/False).</summary>
    public static string TsvValue(JsonElement value, string nullText) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => nullText,
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Number => value.GetRawText().IndexOfAny(['.', 'e', 'E']) < 0
            ? value.GetRawText()
            : PythonRepr.Float(value.GetDouble()),
        JsonValueKind.Array => string.Join(',', value.EnumerateArray().Select(v => TsvValue(v, "None"))),
        _ => value.GetRawText(),
    };
}
