using System.Text.Json.Nodes;
using Dtp.Commons.Storage;

namespace Dtp.Commons.Peregrine;

/// <summary>A node as GraphQL resolvers see it: the stored row plus its properties parsed on first use.</summary>
internal sealed class GraphRecord(StoredNode node)
{
    private JsonObject? props;

    public StoredNode Node { get; } = node;

    public JsonObject Props => props ??= JsonNode.Parse(Node.Props) as JsonObject ?? [];
}
