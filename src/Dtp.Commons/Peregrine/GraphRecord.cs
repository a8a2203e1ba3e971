using System.Text.Json.Nodes;
using Dtp.Commons.Storage;

namespace Dtp.Commons.Peregrine;

/// <summary>A node as GraphQL resolvers see it: the stored row plus its properties parsed on first use, and the batch it was read in.</summary>
internal sealed class GraphRecord(StoredNode node, GraphBatch batch)
{
    private JsonObject? props;

    public StoredNode Node { get; } = node;

    /// <summary>Gets the records read by the same query, whose link fields are resolved together.</summary>
    public GraphBatch Batch { get; } = batch;

    public JsonObject Props => props ??= JsonNode.Parse(Node.Props) as JsonObject ?? [];
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
