using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Gen3.Dictionary;
using GraphQL;
using GraphQL.Resolvers;
using GraphQL.Types;

namespace Dtp.Commons.Peregrine;

/// <summary>Builds peregrine's GraphQL schema from a dictionary: one object type per node, snake_case names, list and count fields.</summary>
internal static class PeregrineSchema
{
    /// <summary>The fields every node type has from the node row itself (not from its stored properties).</summary>
    internal static readonly string[] SystemFields = ["id", "submitter_id", "type", "project_id", "created_datetime", "updated_datetime"];

    public static Schema Create(Gen3Dictionary dictionary)
    {
        var nodes = dictionary.Nodes.Values.Where(n => !n.Name.StartsWith('_')).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        var nodeInterface = new InterfaceGraphType { Name = "Node" };
        foreach (var name in SystemFields)
        {
            nodeInterface.AddField(new FieldType { Name = name, ResolvedType = name == "id" ? new IdGraphType() : new StringGraphType() });
        }

        var pathInput = new InputObjectGraphType { Name = "WithPathToInput" };
        pathInput.AddField(new FieldType { Name = "id", ResolvedType = new StringGraphType() });
        pathInput.AddField(new FieldType { Name = "type", ResolvedType = new StringGraphType() });
        // a name several node types share takes the type of the last of them by name, as in peregrine (title is a list: dataset_description's)
        foreach (var property in nodes.SelectMany(ScalarProperties).GroupBy(p => p.Name, StringComparer.Ordinal).Select(g => g.Last()).Where(p => p.Name is not ("id" or "type")))
        {
            pathInput.AddField(new FieldType { Name = property.Name, ResolvedType = property.Type });
        }

        var types = nodes.ToDictionary(n => n.Name, n => new ObjectGraphType { Name = n.Name }, StringComparer.Ordinal);
        nodeInterface.ResolveType = value => value is GraphRecord record && types.TryGetValue(record.Node.Type, out var type) ? type : null;
        foreach (var node in nodes)
        {
            var type = types[node.Name];
            foreach (var name in SystemFields)
            {
                type.AddField(ScalarField(name, name == "id" ? new IdGraphType() : new StringGraphType(), SystemValue(name)));
            }

            type.AddResolvedInterface(nodeInterface);
            nodeInterface.AddPossibleType(type);

            foreach (var property in ScalarProperties(node).Where(p => !SystemFields.Contains(p.Name)))
            {
                type.AddField(ScalarField(property.Name, property.Type, record => Value(record.Property(property.Name), property.Type)));
            }

            var relations = node.Links.Select(l => (Name: l.Name, Target: l.TargetType, Link: l.Name, Source: NodeSource.Parents))
                .Concat(nodes.SelectMany(child => child.Links.Where(l => l.TargetType == node.Name).Select(l => (Name: l.Backref, Target: child.Name, Link: l.Name, Source: NodeSource.Children))))
                .Where(r => types.ContainsKey(r.Target))
                .DistinctBy(r => r.Name)
                .OrderBy(r => r.Name, StringComparer.Ordinal)
                .ToList();
            foreach (var relation in relations)
            {
                var target = dictionary.Nodes[relation.Target];
                type.AddField(ListField(relation.Name, new ListGraphType(types[relation.Target]), target, relation.Source, relation.Link, count: false, pathInput));
            }

            foreach (var relation in relations)
            {
                var target = dictionary.Nodes[relation.Target];
                // peregrine declares a link count's arguments from the owning type's properties (filters still apply to the linked nodes).
                type.AddField(ListField($"_{relation.Name}_count", new IntGraphType(), target, relation.Source, relation.Link, count: true, pathInput, ListArguments(node, pathInput)));
            }
        }

        var root = new ObjectGraphType { Name = "Root" };
        root.AddField(new FieldType
        {
            Name = "node",
            ResolvedType = new ListGraphType(nodeInterface),
            Arguments = new QueryArguments(
                Argument("id", new StringGraphType()), Argument("submitter_id", new StringGraphType()), Argument("ids", new ListGraphType(new StringGraphType())),
                Argument("first", new IntGraphType(), NodeQuery.DefaultFirst), Argument("offset", new IntGraphType()),
                Argument("created_before", new StringGraphType()), Argument("created_after", new StringGraphType()),
                Argument("updated_before", new StringGraphType()), Argument("updated_after", new StringGraphType()),
                Argument("order_by_asc", new StringGraphType()), Argument("order_by_desc", new StringGraphType()),
                Argument("of_type", new ListGraphType(new StringGraphType())), Argument("project_id", new StringGraphType()), Argument("category", new StringGraphType())),
            Resolver = new FuncFieldResolver<object>(context => NodeQuery.Run(context, null, NodeSource.Root, null, count: false)),
        });
        foreach (var node in nodes)
        {
            root.AddField(ListField(node.Name, new ListGraphType(types[node.Name]), node, NodeSource.Root, null, count: false, pathInput));
            root.AddField(ListField($"_{node.Name}_count", new IntGraphType(), node, NodeSource.Root, null, count: true, pathInput));
        }

        var schema = new Schema { Query = root };
        foreach (var type in types.Values)
        {
            schema.RegisterType(type);
        }

        return schema;
    }

    private static FieldType ListField(string name, IGraphType type, DictionaryNode node, NodeSource source, string? link, bool count, IInputObjectGraphType pathInput, QueryArguments? arguments = null) => new()
    {
        Name = name,
        ResolvedType = type,
        Arguments = arguments ?? ListArguments(node, pathInput),
        Resolver = new FuncFieldResolver<object>(context => NodeQuery.Run(context, node, source, link, count)),
    };

    /// <summary>The arguments of a node list, in peregrine's order: paging and system filters, then every scalar property (as a list).</summary>
    private static QueryArguments ListArguments(DictionaryNode node, IInputObjectGraphType pathInput)
    {
        var arguments = new QueryArguments(
            Argument("id", new StringGraphType()), Argument("submitter_id", new ListGraphType(new StringGraphType())), Argument("ids", new ListGraphType(new StringGraphType())),
            Argument("first", new IntGraphType()), Argument("offset", new IntGraphType()),
            Argument("created_before", new StringGraphType()), Argument("created_after", new StringGraphType()),
            Argument("updated_before", new StringGraphType()), Argument("updated_after", new StringGraphType()),
            Argument("order_by_asc", new StringGraphType()), Argument("order_by_desc", new StringGraphType()),
            Argument("with_path_to", new ListGraphType(pathInput)));
        foreach (var property in ScalarProperties(node).Where(p => p.Name != "submitter_id" && p.Name != "id"))
        {
            arguments.Add(Argument(property.Name, new ListGraphType(property.Filter)));
        }

        if (node.Name == "project")
        {
            // a project's project_id is computed (program-code), not a dictionary property, yet peregrine filters on it
            arguments.Add(Argument("project_id", new ListGraphType(new StringGraphType())));
        }

        return arguments;
    }

    private static QueryArgument Argument(string name, IGraphType type, object? defaultValue = null) =>
        new(type) { Name = name, DefaultValue = defaultValue };

    /// <summary>
    /// The dictionary properties that become value fields (links excluded), sorted by name: the field's GraphQL type, and the
    /// scalar type a filter argument lists. Like peregrine, a property whose (first non-null) JSON type is <c>array</c> is a
    /// list of strings whatever its items, and its filter takes strings.
    /// </summary>
    private static List<(string Name, IGraphType Type, ScalarGraphType Filter)> ScalarProperties(DictionaryNode node)
    {
        var links = node.Links.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var properties = node.Schema["properties"] as JsonObject ?? [];
        return node.Properties
            .Where(p => !links.Contains(p) && p != "type")
            .Select(p => (Name: p, Json: JsonType(properties[p])))
            .Select(p => (p.Name, p.Json == "array" ? new ListGraphType(new StringGraphType()) : (IGraphType)ScalarType(p.Json), ScalarType(p.Json)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A property's JSON type as peregrine reads it: the first one that is not <c>null</c> when several are allowed.</summary>
    private static string? JsonType(JsonNode? schema)
    {
        var type = schema?["type"];
        return type is JsonArray array ? array.Select(t => (string?)t).FirstOrDefault(t => t != "null") : (string?)type;
    }

    private static ScalarGraphType ScalarType(string? jsonType) => jsonType switch
    {
        "integer" => new IntGraphType(),
        "number" => new FloatGraphType(),
        "boolean" => new BooleanGraphType(),
        _ => new StringGraphType(),
    };

    private static FieldType ScalarField(string name, IGraphType type, Func<GraphRecord, object?> value) => new()
    {
        Name = name,
        ResolvedType = type,
        Resolver = new FuncFieldResolver<object>(context => value((GraphRecord)context.Source!)),
    };

    private static Func<GraphRecord, object?> SystemValue(string name) => name switch
    {
        "id" => r => r.Node.Id,
        "submitter_id" => r => r.Node.SubmitterId,
        "type" => r => r.Node.Type,
        "project_id" => r => r.Node.ProjectId,
        "created_datetime" => r => r.Node.Created,
        "updated_datetime" => r => r.Node.Updated,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>
    /// A stored JSON value as the field's type: a list field gets the items as strings (a lone value as a list of one); a
    /// string field holding an array or object (a <c>[string, array]</c> property) gets its JSON text.
    /// </summary>
    private static object? Value(JsonElement? stored, IGraphType type)
    {
        if (stored is not { } value)
        {
            return null;
        }

        if (type is ListGraphType)
        {
            return value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Array => value.EnumerateArray().Select(Text).ToList(),
                _ => new List<string?> { Text(value) },
            };
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when type is IntGraphType => value.GetInt64(),
            JsonValueKind.Number when type is FloatGraphType => value.GetDouble(),
            JsonValueKind.Number or JsonValueKind.Array or JsonValueKind.Object => value.GetRawText(),
            _ => null,
        };
    }

    private static string? Text(JsonElement item) => item.ValueKind switch
    {
        JsonValueKind.String => item.GetString(),
        JsonValueKind.Null => null,
        _ => item.GetRawText(),
    };
}
