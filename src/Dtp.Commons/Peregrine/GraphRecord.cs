using System.Text;
using System.Text.Json;
using Dtp.Commons.Storage;

namespace Dtp.Commons.Peregrine;

/// <summary>A node as GraphQL resolvers see it: the stored row plus its properties parsed on first use, and the batch it was read in.</summary>
internal sealed class GraphRecord(StoredNode node, GraphBatch batch)
{
    private JsonElement? props;

    public StoredNode Node { get; } = node;

    /// <summary>Gets the records read by the same query, whose link fields are resolved together.</summary>
    public GraphBatch Batch { get; } = batch;

    /// <summary>Returns a stored property, or <see langword="null"/> when absent (the properties are parsed once, on first use).</summary>
    public JsonElement? Property(string name)
    {
        if (props is null)
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(Node.Props));
            props = JsonElement.ParseValue(ref reader);
        }

        return props.Value.ValueKind == JsonValueKind.Object && props.Value.TryGetProperty(name, out var value) ? value : null;
    }
}

/// <summary>The records one query returned, and the results of the link fields already run for all of them (by field of the query document).</summary>
internal sealed class GraphBatch
{
    private readonly HashSet<string> ids = new(StringComparer.Ordinal);
    private readonly Dictionary<object, Dictionary<string, object>> results = [];

    public GraphRecord Add(StoredNode node)
    {
        ids.Add(node.Id);
        return new GraphRecord(node, this);
    }

    /// <summary>Returns the results of a field for every record of the batch (keyed by record id), running it on first use.</summary>
    public Dictionary<string, object> Results(object field, Func<IReadOnlyCollection<string>, Dictionary<string, object>> run)
    {
        lock (results)
        {
            if (!results.TryGetValue(field, out var byRecord))
            {
                results[field] = byRecord = run(ids);
            }

            return byRecord;
        }
    }
}
