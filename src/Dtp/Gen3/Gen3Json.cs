using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Dtp.Gen3;

/// <summary>Source-generated JSON metadata for what the Gen3 clients serialize.</summary>
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class Gen3Json : JsonSerializerContext;
