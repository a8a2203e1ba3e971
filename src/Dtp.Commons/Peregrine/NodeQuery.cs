using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Commons.Storage;
using Dtp.Gen3.Dictionary;
using GraphQL;
using GraphQL.Execution;
using Microsoft.Data.Sqlite;

namespace Dtp.Commons.Peregrine;

/// <summary>Where a node list comes from: a root field, the parents of a node through a link, or its children through a backref.</summary>
internal enum NodeSource
{
    Root,
    Parents,
    Children,
}

/// <summary>Per-request state of a GraphQL execution: one read connection and the projects the caller may read.</summary>
internal sealed class QueryContext(Gen3Dictionary dictionary, SqliteConnection connection, IReadOnlyList<ProjectGrant>? readable) : Dictionary<string, object?>
{
    public Gen3Dictionary Dictionary { get; } = dictionary;

    public SqliteConnection Connection { get; } = connection;

    /// <summary>Gets the read grants of the caller; <see langword="null"/> for an admin (everything readable).</summary>
    public IReadOnlyList<ProjectGrant>? Readable { get; } = readable;
}

/// <summary>Turns peregrine's list arguments into one SQL query over the node and edge tables, permission filter included.</summary>
internal static class NodeQuery
{
    public const int DefaultFirst = 10;

    private static readonly Dictionary<string, string> Columns = new(StringComparer.Ordinal)
    {
        ["id"] = "n.id",
        ["submitter_id"] = "n.submitter_id",
        ["project_id"] = "n.project_id",
        ["state"] = "n.state",
        ["created_datetime"] = "n.created",
        ["updated_datetime"] = "n.updated",
    };

    /// <summary>
    /// Runs a list (or, with <paramref name="count"/>, a count) query for nodes of <paramref name="node"/>'s type. A link or
    /// backref field is run once for all the records of the list its source came from (one query per level, not per record);
    /// <c>first</c> and <c>offset</c> then apply to each source record's share.
    /// </summary>
    public static object Run(IResolveFieldContext context, DictionaryNode? node, NodeSource source, string? link, bool count)
    {
        if (source == NodeSource.Root)
        {
            return Query(context, node, source, link, count, sources: null)[""];
        }

        var record = (GraphRecord)context.Source!;
        var results = record.Batch.Results(context.FieldAst, ids => Query(context, node, source, link, count, ids));
        return results.TryGetValue(record.Node.Id, out var value) ? value : count ? 0 : new List<GraphRecord>();
    }

    /// <summary>Runs the query for the root (key "") or for every source record (keyed by its id).</summary>
    private static Dictionary<string, object> Query(IResolveFieldContext context, DictionaryNode? node, NodeSource source, string? link, bool count, IReadOnlyCollection<string>? sources)
    {
        var query = (QueryContext)context.UserContext;
        using var command = query.Connection.CreateCommand();
        var key = source switch { NodeSource.Parents => "e.src", NodeSource.Children => "e.dst", _ => "''" };
        var sql = new StringBuilder("SELECT ").Append(key).Append(count ? ", COUNT(*) FROM " : ", n.id, n.type, n.project_id, n.submitter_id, n.created, n.updated, n.state, n.props FROM ");
        var where = new List<string>();
        if (source == NodeSource.Root)
        {
            sql.Append("nodes n");
        }
        else
        {
            sql.Append(source == NodeSource.Parents ? "edges e JOIN nodes n ON n.id = e.dst" : "edges e JOIN nodes n ON n.id = e.src");
            where.Add(key + " IN (SELECT value FROM json_each(" + Add(command, new JsonArray([.. sources!.Select(id => (JsonNode)id)]).ToJsonString()) + "))");
            where.Add("e.link = " + Add(command, link!));
        }

        if (node is not null)
        {
            where.Add("n.type = " + Add(command, node.Name));
        }

        AddPermission(command, where, query.Readable);
        AddFilters(context, command, where, node, query.Dictionary);
        if (where.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", where);
        }

        var results = new Dictionary<string, object>(StringComparer.Ordinal);
        if (count)
        {
            if (source != NodeSource.Root)
            {
                sql.Append(" GROUP BY ").Append(key);
            }

            command.CommandText = sql.ToString();
            using var counts = command.ExecuteReader();
            while (counts.Read())
            {
                results[counts.GetString(0)] = counts.GetInt32(1);
            }

            return results;
        }

        sql.Append(" ORDER BY ").Append(Order(context, node));
        var first = context.GetArgument<int?>("first") ?? DefaultFirst;
        var offset = Math.Max(context.GetArgument<int?>("offset") ?? 0, 0);
        if (source == NodeSource.Root)
        {
            sql.Append(" LIMIT ").Append(first > 0 ? first : -1).Append(" OFFSET ").Append(offset);
            results[""] = new List<GraphRecord>();
        }

        command.CommandText = sql.ToString();
        using var reader = command.ExecuteReader();
        var batch = new GraphBatch();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var owner = reader.GetString(0);
            if (source != NodeSource.Root)
            {
                // first/offset per source record, over its rows in query order
                var index = seen[owner] = seen.GetValueOrDefault(owner) + 1;
                if (index <= offset || (first > 0 && index > offset + first))
                {
                    continue;
                }
            }

            if (!results.TryGetValue(owner, out var list))
            {
                results[owner] = list = new List<GraphRecord>();
            }

            ((List<GraphRecord>)list).Add(batch.Add(new StoredNode(
                reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetString(8))));
        }

        return results;
    }

    private static void AddPermission(SqliteCommand command, List<string> where, IReadOnlyList<ProjectGrant>? readable)
    {
        if (readable is null)
        {
            return;
        }

        var allowed = new List<string> { "n.project_id IS NULL" };
        foreach (var grant in readable)
        {
            allowed.Add(grant.Project == "*"
                ? $"substr(n.project_id, 1, {grant.Program.Length + 1}) = {Add(command, grant.Program + "-")}"
                : "n.project_id = " + Add(command, grant.Program + "-" + grant.Project));
        }

        where.Add("(" + string.Join(" OR ", allowed) + ")");
    }

    private static void AddFilters(IResolveFieldContext context, SqliteCommand command, List<string> where, DictionaryNode? node, Gen3Dictionary dictionary)
    {
        if (context.Arguments is null)
        {
            return;
        }

        foreach (var (name, argument) in context.Arguments)
        {
            if (argument.Source == ArgumentSource.FieldDefault || argument.Value is null)
            {
                continue;
            }

            switch (name)
            {
                case "first" or "offset" or "order_by_asc" or "order_by_desc":
                    break;
                case "id":
                    where.Add("n.id = " + Add(command, argument.Value));
                    break;
                case "ids":
                    where.Add("n.id IN (" + AddList(command, argument.Value) + ")");
                    break;
                case "category":
                    where.Add("n.type IN (" + AddList(command, dictionary.Nodes.Values.Where(n => n.Category == (string)argument.Value).Select(n => (object?)n.Name).ToList()) + ")");
                    break;
                case "of_type":
                    where.Add("n.type IN (" + AddList(command, argument.Value) + ")");
                    break;
                case "with_path_to":
                    foreach (var target in ((IEnumerable<object?>)argument.Value).OfType<IDictionary<string, object?>>())
                    {
                        where.Add(PathTo(command, dictionary, node!, target));
                    }

                    break;
                case "created_after":
                    where.Add("n.created > " + Add(command, argument.Value));
                    break;
                case "created_before":
                    where.Add("n.created < " + Add(command, argument.Value));
                    break;
                case "updated_after":
                    where.Add("n.updated > " + Add(command, argument.Value));
                    break;
                case "updated_before":
                    where.Add("n.updated < " + Add(command, argument.Value));
                    break;
                default:
                    where.Add(Expression(name, node) + " IN (" + AddList(command, argument.Value) + ")");
                    break;
            }
        }
    }

    /// <summary>
    /// An EXISTS condition: the node reaches a node of <c>target["type"]</c> matching the other keys, along the shortest chain
    /// of links between the two types in the dictionary (forward links and backrefs).
    /// </summary>
    private static string PathTo(SqliteCommand command, Gen3Dictionary dictionary, DictionaryNode node, IDictionary<string, object?> target)
    {
        var type = target.TryGetValue("type", out var t) && t is string name ? name : node.Name;
        var steps = ShortestPath(dictionary, node.Name, type)
            ?? throw new ExecutionError($"No path from \"{node.Name}\" to \"{type}\".");
        var joins = new StringBuilder();
        var conditions = new List<string>();
        var alias = "n";
        for (var i = 0; i < steps.Count; i++)
        {
            var (link, up) = steps[i];
            var edge = "w" + i.ToString(CultureInfo.InvariantCulture);
            var next = "v" + i.ToString(CultureInfo.InvariantCulture);
            joins.Append(i == 0 ? $"edges {edge}" : $" JOIN edges {edge} ON {edge}.{(up ? "src" : "dst")} = {alias}.id")
                .Append($" JOIN nodes {next} ON {next}.id = {edge}.{(up ? "dst" : "src")}");
            if (i == 0)
            {
                conditions.Add($"{edge}.{(up ? "src" : "dst")} = n.id");
            }

            conditions.Add($"{edge}.link = {Add(command, link)}");
            alias = next;
        }

        conditions.Add($"{alias}.type = {Add(command, type)}");
        var targetNode = dictionary.Nodes[type];
        foreach (var (key, value) in target.Where(p => p.Key != "type" && p.Value is not null))
        {
            conditions.Add(Expression(key, targetNode).Replace("n.", alias + ".", StringComparison.Ordinal) + " = " + Add(command, value));
        }

        return steps.Count == 0
            ? "(" + string.Join(" AND ", conditions) + ")"
            : $"EXISTS (SELECT 1 FROM {joins} WHERE {string.Join(" AND ", conditions)})";
    }

    /// <summary>The links (name, whether followed from child to parent) from one node type to another, fewest first; null when unconnected.</summary>
    private static List<(string Link, bool Up)>? ShortestPath(Gen3Dictionary dictionary, string from, string to)
    {
        var previous = new Dictionary<string, (string Type, string Link, bool Up)>(StringComparer.Ordinal);
        var queue = new Queue<string>([from]);
        var seen = new HashSet<string>(StringComparer.Ordinal) { from };
        while (queue.Count > 0 && !seen.Contains(to))
        {
            var current = queue.Dequeue();
            var neighbours = dictionary.Nodes[current].Links.Select(l => (Type: l.TargetType, Link: l.Name, Up: true))
                .Concat(dictionary.Nodes.Values.SelectMany(c => c.Links.Where(l => l.TargetType == current).Select(l => (Type: c.Name, Link: l.Name, Up: false))));
            foreach (var (type, link, up) in neighbours.Where(n => dictionary.Nodes.ContainsKey(n.Type)))
            {
                if (seen.Add(type))
                {
                    previous[type] = (current, link, up);
                    queue.Enqueue(type);
                }
            }
        }

        if (!seen.Contains(to))
        {
            return null;
        }

        var steps = new List<(string, bool)>();
        for (var type = to; type != from; type = previous[type].Type)
        {
            steps.Insert(0, (previous[type].Link, previous[type].Up));
        }

        return steps;
    }

    private static string Order(IResolveFieldContext context, DictionaryNode? node)
    {
        var asc = context.GetArgument<string?>("order_by_asc");
        var desc = context.GetArgument<string?>("order_by_desc");
        return asc is not null ? Expression(asc, node) + " ASC, n.id"
            : desc is not null ? Expression(desc, node) + " DESC, n.id"
            : "n.rowid";
    }

    /// <summary>The SQL expression of a system column or dictionary property; other names are refused (they are never spliced into SQL).</summary>
    private static string Expression(string name, DictionaryNode? node)
    {
        if (Columns.TryGetValue(name, out var column))
        {
            return column;
        }

        if (node is null || !node.Properties.Contains(name, StringComparer.Ordinal) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_')))
        {
            throw new ExecutionError($"Cannot order or filter by \"{name}\".");
        }

        return $"json_extract(n.props, '$.{name}')";
    }

    private static string AddList(SqliteCommand command, object value) =>
        value is not string && value is IEnumerable<object?> list ? string.Join(", ", list.Select(v => Add(command, v))) : Add(command, value);

    private static string Add(SqliteCommand command, object? value)
    {
        var name = "$p" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
        command.Parameters.AddWithValue(name, value switch
        {
            null => DBNull.Value,
            bool b => b ? 1 : 0,
            _ => value,
        });
        return name;
    }
}
