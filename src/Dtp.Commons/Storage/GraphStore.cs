using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Dtp.Commons.Storage;

/// <summary>A stored graph node: system columns plus the record's own properties as a JSON object (links excluded).</summary>
internal sealed record StoredNode(string Id, string Type, string? ProjectId, string? SubmitterId, string Created, string Updated, string? State, string Props);

/// <summary>An edge from a node to a parent, with what exports show of the parent.</summary>
internal sealed record StoredLink(string Source, string Link, string TargetId, string TargetType, string? TargetSubmitterId, string? TargetCode);

/// <summary>A node as exports read it: the UTF-8 text stored for its id, project, submitter_id and properties, and its links.</summary>
internal sealed record ExportRow(string Type, byte[] Id, byte[]? ProjectId, byte[]? SubmitterId, byte[] Props, List<ExportLink> Links)
{
    /// <summary>Converts a node read as text and its links.</summary>
    public static ExportRow From(StoredNode node, List<StoredLink>? links) =>
        new ExportRow(node.Type, Utf8(node.Id)!, Utf8(node.ProjectId), Utf8(node.SubmitterId), Utf8(node.Props)!,
            links?.Select(l => new ExportLink(l.Link, Utf8(l.TargetId)!, Utf8(l.TargetType == "project" ? l.TargetCode : l.TargetSubmitterId))).ToList() ?? [])
        .WithLinksSorted();

    /// <summary>Orders the links by link name then parent id (ordinal, as SQLite compares text).</summary>
    public ExportRow WithLinksSorted()
    {
        if (Links.Count > 1)
        {
            Links.Sort((a, b) => string.CompareOrdinal(a.Link, b.Link) is var c && c != 0 ? c : a.TargetId.AsSpan().SequenceCompareTo(b.TargetId));
        }

        return this;
    }

    private static byte[]? Utf8(string? text) => text is null ? null : Encoding.UTF8.GetBytes(text);
}

/// <summary>A link of an exported node: the link name, the parent's id and what exports show besides it (a project's code, else the parent's submitter_id).</summary>
internal sealed record ExportLink(string Link, byte[] TargetId, byte[]? TargetKey);

/// <summary>Queries and updates of the node/edge tables; every method works on a caller's connection (and transaction).</summary>
internal static class GraphStore
{
    private const string NodeColumns = "id, type, project_id, submitter_id, created, updated, state, props";

    public static StoredNode? FindById(SqliteConnection connection, string id, SqliteTransaction? transaction = null) =>
        QueryNodes(connection, transaction, $"SELECT {NodeColumns} FROM nodes WHERE id = $a", id).FirstOrDefault();

    public static StoredNode? FindByKey(SqliteConnection connection, string type, string projectId, string submitterId, SqliteTransaction? transaction = null) =>
        QueryNodes(connection, transaction, $"SELECT {NodeColumns} FROM nodes WHERE type = $a AND project_id = $b AND submitter_id = $c", type, projectId, submitterId).FirstOrDefault();

    /// <summary>Returns the nodes of one type in a project whose submitter_id is one of <paramref name="submitterIds"/> (one indexed query per 900 keys).</summary>
    public static List<StoredNode> FindBySubmitterIds(SqliteConnection connection, SqliteTransaction transaction, string type, string projectId, IReadOnlyList<string> submitterIds)
    {
        var result = new List<StoredNode>();
        foreach (var chunk in submitterIds.Chunk(900))
        {
            var names = string.Join(',', chunk.Select((_, i) => "$s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT {NodeColumns} FROM nodes WHERE type = $t AND project_id = $p AND submitter_id IN ({names})";
            command.Parameters.AddWithValue("$t", type);
            command.Parameters.AddWithValue("$p", projectId);
            for (var i = 0; i < chunk.Length; i++)
            {
                command.Parameters.AddWithValue("$s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), chunk[i]);
            }

            result.AddRange(ReadNodes(command));
        }

        return result;
    }

    public static List<StoredNode> ListByType(SqliteConnection connection, string type, string? projectId) =>
        projectId is null
            ? QueryNodes(connection, null, $"SELECT {NodeColumns} FROM nodes WHERE type = $a ORDER BY id", type)
            : QueryNodes(connection, null, $"SELECT {NodeColumns} FROM nodes WHERE project_id = $b AND type = $a ORDER BY id", type, projectId);

    /// <summary>
    /// Streams the nodes of one type in a project in id order, each with its links, as the UTF-8 text stored (one query joining
    /// the edges and their parents; no string per column). Links come in link-name then parent-id order.
    /// </summary>
    public static IEnumerable<ExportRow> ReadForExport(SqliteConnection connection, string type, string projectId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT n.id, n.submitter_id, n.props, e.link, e.dst, CASE t.type WHEN 'project' THEN json_extract(t.props, '$.code') ELSE t.submitter_id END
            FROM nodes n LEFT JOIN edges e ON e.src = n.id LEFT JOIN nodes t ON t.id = e.dst
            WHERE n.project_id = $a AND n.type = $b ORDER BY n.id
            """;
        Bind(command, [projectId, type]);
        var project = Encoding.UTF8.GetBytes(projectId);
        using var reader = command.ExecuteReader();
        var more = reader.Read();
        while (more)
        {
            yield return ReadExportRow(reader, type, project, out more);
        }
    }

    /// <summary>Reads one node and its links from the reader's current row on; leaves the reader on the next node's first row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ExportRow ReadExportRow(SqliteDataReader reader, string type, byte[] project, out bool more)
    {
        var id = reader.GetFieldValue<byte[]>(0);
        var row = new ExportRow(type, id, project, reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<byte[]>(2), []);
        do
        {
            if (!reader.IsDBNull(3))
            {
                row.Links.Add(new ExportLink(reader.GetString(3), reader.GetFieldValue<byte[]>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5)));
            }

            more = reader.Read();
        }
        while (more && reader.GetFieldValue<byte[]>(0).AsSpan().SequenceEqual(id));

        return row.WithLinksSorted();
    }

    public static Dictionary<string, List<StoredLink>> LinksOf(SqliteConnection connection, IEnumerable<string> ids, SqliteTransaction? transaction = null)
    {
        var result = new Dictionary<string, List<StoredLink>>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            foreach (var (key, value) in QueryLinks(connection, transaction, """
                SELECT e.src, e.link, e.dst, t.type, t.submitter_id, json_extract(t.props, '$.code')
                FROM edges e JOIN nodes t ON t.id = e.dst WHERE e.src = $a ORDER BY e.link, e.dst
                """, id))
            {
                result[key] = value;
            }
        }

        return result;
    }

    /// <summary>Returns the children (sources of edges pointing at the node) as (id, type), oldest first.</summary>
    public static List<(string Id, string Type)> Children(SqliteConnection connection, string id, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT n.id, n.type FROM edges e JOIN nodes n ON n.id = e.src WHERE e.dst = $a ORDER BY n.rowid";
        command.Parameters.AddWithValue("$a", id);
        using var reader = command.ExecuteReader();
        var result = new List<(string, string)>();
        while (reader.Read())
        {
            result.Add((reader.GetString(0), reader.GetString(1)));
        }

        return result;
    }

    /// <summary>
    /// Counts the nodes of <paramref name="sourceType"/> other than <paramref name="exceptSource"/> linked to
    /// <paramref name="target"/> through <paramref name="link"/> (other node types' links of the same name are other edges).
    /// </summary>
    public static long CountChildren(SqliteConnection connection, SqliteTransaction transaction, string target, string link, string sourceType, string exceptSource)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COUNT(*) FROM edges e JOIN nodes n ON n.id = e.src WHERE e.dst = $d AND e.link = $l AND n.type = $t AND e.src <> $s";
        command.Parameters.AddWithValue("$d", target);
        command.Parameters.AddWithValue("$l", link);
        command.Parameters.AddWithValue("$t", sourceType);
        command.Parameters.AddWithValue("$s", exceptSource);
        return (long)command.ExecuteScalar()!;
    }

    public static void Delete(SqliteConnection connection, SqliteTransaction transaction, string id)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM edges WHERE src = $a OR dst = $a; DELETE FROM nodes WHERE id = $a;";
        command.Parameters.AddWithValue("$a", id);
        command.ExecuteNonQuery();
    }

    private static List<StoredNode> QueryNodes(SqliteConnection connection, SqliteTransaction? transaction, string sql, params string[] args)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        Bind(command, args);
        return ReadNodes(command);
    }

    private static List<StoredNode> ReadNodes(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var result = new List<StoredNode>();
        while (reader.Read())
        {
            result.Add(new StoredNode(
                reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7)));
        }

        return result;
    }

    private static Dictionary<string, List<StoredLink>> QueryLinks(SqliteConnection connection, SqliteTransaction? transaction, string sql, params string[] args)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        Bind(command, args);
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, List<StoredLink>>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var link = new StoredLink(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5));
            if (!result.TryGetValue(link.Source, out var list))
            {
                result[link.Source] = list = [];
            }

            list.Add(link);
        }

        return result;
    }

    private static void Bind(SqliteCommand command, string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            command.Parameters.AddWithValue("$" + (char)('a' + i), args[i]);
        }
    }
}
