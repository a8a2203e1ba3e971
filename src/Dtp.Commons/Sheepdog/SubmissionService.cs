using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Commons.Storage;
using Dtp.Gen3.Dictionary;
using Microsoft.Data.Sqlite;

namespace Dtp.Commons.Sheepdog;

/// <summary>
/// sheepdog's upload transaction: validate every entity against the dictionary, resolve links within the request and the
/// database, check keys, then write all entities in one SQLite transaction or none of them.
/// </summary>
internal sealed class SubmissionService(Gen3Dictionary dictionary, CommonsStore store, TimeProvider time)
{
    private static readonly HashSet<string> SystemColumns = new(StringComparer.Ordinal)
    {
        "type", "id", "submitter_id", "project_id", "created_datetime", "updated_datetime", "state",
    };

    public Gen3Dictionary Dictionary => dictionary;

    public string Timestamp() => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>Submits entities to a project; <paramref name="parseErrors"/> are transactional errors found while reading the body.</summary>
    public Task<JsonObject> SubmitAsync(string program, string code, IReadOnlyList<JsonNode?> documents, JsonArray parseErrors, bool createOnly, bool dryRun, CancellationToken cancellationToken)
    {
        var transactionId = store.NextCounter("transaction_id");
        var projectId = program + "-" + code;
        return store.WriteAsync((connection, transaction) =>
        {
            var transactional = parseErrors;
            var entities = new List<Pending>();
            foreach (var document in documents)
            {
                if (document is not JsonObject doc)
                {
                    transactional.Add(new JsonObject { ["message"] = "Unable to parse entity. Details: [400] - Entity is not a JSON object" });
                    continue;
                }

                var type = doc["type"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
                if (type is null || !dictionary.TryGetNode(type, out var node))
                {
                    transactional.Add(new JsonObject
                    {
                        ["message"] = type is null
                            ? "Unable to parse entity. Details: [400] - 'type' is a required property"
                            : $"Unable to parse entity. Details: [400] - Node type \"{type}\" not found in dictionary",
                    });
                    continue;
                }

                entities.Add(new Pending(doc, node, projectId));
            }

            if (entities.Count == 0)
            {
                transactional.Add("Nothing to submit");
            }

            var lookup = new Lookup(connection, transaction);
            lookup.Prefetch(projectId, entities.Select(e => (e.Node.Name, e.Doc["submitter_id"] is JsonValue v && v.TryGetValue<string>(out var sid) ? sid : null)));
            var ids = new RandomIds(entities.Count);
            foreach (var entity in entities)
            {
                Prepare(entity, createOnly, lookup, ids);
            }

            var batch = new Batch(entities);
            foreach (var entity in entities.Where(e => e.Outcome.Valid && e.Outcome.Action is not null))
            {
                ResolveLinks(entity, batch, code, lookup);
            }

            CheckParentMultiplicity(entities, lookup);
            AddDuplicateErrors(entities, projectId, transactional);
            var outcomes = entities.Select(e => e.Outcome).ToList();
            var ok = outcomes.All(o => o.Valid) && transactional.Count == 0;
            if (ok && !dryRun)
            {
                Write(connection, transaction, entities);
                transaction.Commit();
            }

            return TransactionDocument.Submission(transactionId, outcomes, transactional, dryRun, committed: ok && !dryRun);
        }, cancellationToken);
    }

    private static void Prepare(Pending entity, bool createOnly, Lookup lookup, RandomIds ids)
    {
        var outcome = entity.Outcome;
        var doc = entity.Doc;
        var node = entity.Node;
        outcome.Type = node.Name;
        var submitterId = doc["submitter_id"] is JsonValue sv && sv.TryGetValue<string>(out var sid) ? sid : null;
        entity.SubmitterId = submitterId;
        outcome.UniqueKeys.Add(new JsonObject { ["project_id"] = entity.ProjectId, ["submitter_id"] = submitterId });
        if (!node.Submittable || node.Name is "program" or "project")
        {
            outcome.AddError(new RecordError(["type"], $"Nodes of type {node.Name} cannot be submitted to a project", RecordErrorTypes.InvalidType));
            return;
        }

        foreach (var error in node.Validate(doc))
        {
            outcome.AddError(error);
        }

        if (!outcome.Valid)
        {
            return;
        }

        var givenId = doc["id"] is JsonValue iv && iv.TryGetValue<string>(out var id) ? id : null;
        var existing = givenId is not null ? lookup.ById(givenId) : null;
        if (existing is not null && (existing.Type != node.Name || existing.ProjectId != entity.ProjectId))
        {
            outcome.Action = "update";
            outcome.Id = givenId;
            outcome.AddError(new RecordError(["id"], $"Entity {givenId} is a {existing.Type} of project {existing.ProjectId}, not a {node.Name} of {entity.ProjectId}", RecordErrorTypes.InvalidValue));
            return;
        }

        existing ??= submitterId is null ? null : lookup.ByKey(node.Name, entity.ProjectId, submitterId);
        if (existing is not null && createOnly)
        {
            outcome.Action = "create";
            outcome.Id = ids.Next();
            outcome.AddError(new RecordError(["project_id", "submitter_id"],
                $"{node.Name} with {{'project_id': {PyStr(entity.ProjectId)}, 'submitter_id': {PyStr(submitterId ?? "")}}} already exists in the DB",
                RecordErrorTypes.Error));
            return;
        }

        entity.Existing = existing;
        outcome.Action = existing is null ? "create" : "update";
        outcome.Id = existing?.Id ?? givenId ?? ids.Next();
    }

    private static void ResolveLinks(Pending entity, Batch batch, string code, Lookup lookup)
    {
        var outcome = entity.Outcome;
        var given = new HashSet<int>();
        var exclusive = new Dictionary<int, List<string>>();
        foreach (var link in entity.Node.Links)
        {
            if (!entity.Doc.TryGetPropertyValue(link.Name, out var value) || value is null)
            {
                continue;
            }

            if (link.Group >= 0)
            {
                given.Add(link.Group);
            }

            if (link.ExclusiveGroup >= 0)
            {
                if (!exclusive.TryGetValue(link.ExclusiveGroup, out var names))
                {
                    exclusive[link.ExclusiveGroup] = names = [];
                }

                names.Add(link.Name);
            }

            var items = value is JsonArray list ? list.OfType<JsonObject>().ToList() : value is JsonObject one ? [one] : [];
            if (link.IsToOne && items.Count > 1)
            {
                outcome.AddError(new RecordError([link.Name], $"'{link.Name}' link has to be {link.Multiplicity}", RecordErrorTypes.InvalidLink));
                continue;
            }

            var targets = new List<string>();
            foreach (var item in items)
            {
                var target = Resolve(link, item, entity.ProjectId, code, batch, lookup, out var keys);
                if (target is null)
                {
                    outcome.AddError(new RecordError([link.Name], $"No link destination found for {link.Name}, unique_keys='{keys}'", RecordErrorTypes.InvalidLink));
                }
                else
                {
                    targets.Add(target);
                }
            }

            entity.Links[link.Name] = targets;
        }

        foreach (var names in exclusive.Values.Where(n => n.Count > 1))
        {
            outcome.AddError(new RecordError([.. names], $"Links to {string.Join(", ", names)} are exclusive. More than one was provided", RecordErrorTypes.InvalidLink));
        }

        foreach (var group in entity.Node.Links.Where(l => l.Group >= 0 && l.Required).GroupBy(l => l.Group))
        {
            if (!given.Contains(group.Key) && (entity.Existing is null || !group.Any(l => lookup.HasLink(entity.Existing.Id, l.Name))))
            {
                var names = group.Select(l => l.Name).ToList();
                outcome.AddError(new RecordError([.. names], $"Entity is missing a required link to one of {string.Join(", ", names)}", RecordErrorTypes.InvalidLink));
            }
        }
    }

    private static string? Resolve(DictionaryLink link, JsonObject item, string projectId, string code, Batch batch, Lookup lookup, out string keys)
    {
        if (item["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var id))
        {
            keys = $"[{{'id': {PyStr(id)}}}]";
            if (batch.ById.ContainsKey((link.TargetType, id)))
            {
                return id;
            }

            var stored = lookup.ById(id);
            return stored is not null && stored.Type == link.TargetType && (stored.ProjectId == projectId || link.TargetType is "project" or "program") ? id : null;
        }

        if (link.TargetType == "project" && item["code"] is JsonValue codeValue && codeValue.TryGetValue<string>(out var targetCode))
        {
            keys = $"[{{'code': {PyStr(targetCode)}}}]";
            return targetCode == code ? Uuid5.Create(Uuid5.ProjectNamespace, code) : null;
        }

        if (item["submitter_id"] is JsonValue sidValue && sidValue.TryGetValue<string>(out var sid))
        {
            keys = $"[{{'project_id': {PyStr(projectId)}, 'submitter_id': {PyStr(sid)}}}]";
            if (batch.BySubmitterId.TryGetValue((link.TargetType, sid), out var inBatch))
            {
                return inBatch.Outcome.Id;
            }

            return lookup.ByKey(link.TargetType, projectId, sid)?.Id;
        }

        keys = "[]";
        return null;
    }

    /// <summary>For one_to_one and one_to_many links a parent takes one child: neither another stored record nor another of the batch may link to it.</summary>
    private static void CheckParentMultiplicity(List<Pending> entities, Lookup lookup)
    {
        var claimed = new Dictionary<(string Type, string Link, string Target), Pending>();
        foreach (var entity in entities.Where(e => e.Outcome.Valid))
        {
            foreach (var link in entity.Node.Links.Where(l => l.IsFromOne))
            {
                foreach (var target in entity.Links.GetValueOrDefault(link.Name) ?? [])
                {
                    var taken = !claimed.TryAdd((entity.Node.Name, link.Name, target), entity) || lookup.ChildCount(target, link.Name, entity.Node.Name, entity.Outcome.Id!) > 0;
                    if (taken)
                    {
                        entity.Outcome.AddError(new RecordError([link.Name],
                            $"'{link.Name}' link is {link.Multiplicity}: {link.TargetType} {target} already has a {entity.Node.Name}", RecordErrorTypes.InvalidLink));
                    }
                }
            }
        }
    }

    private static void AddDuplicateErrors(List<Pending> entities, string projectId, JsonArray transactional)
    {
        foreach (var group in entities.Where(e => e.SubmitterId is not null).GroupBy(e => (e.Node.Name, e.SubmitterId)).Where(g => g.Count() > 1))
        {
            transactional.Add(new JsonObject
            {
                ["message"] = $"Entity is not unique, (({PyStr(projectId)}, {PyStr(group.Key.SubmitterId!)}),)",
                ["type"] = RecordErrorTypes.NotUnique,
            });
        }
    }

    private void Write(SqliteConnection connection, SqliteTransaction transaction, List<Pending> entities)
    {
        var now = Timestamp();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO nodes(id, type, project_id, submitter_id, created, updated, state, props) VALUES($id, $type, $project, $sid, $now, $now, 'validated', $props)";
        var pId = insert.Parameters.Add("$id", SqliteType.Text);
        var pType = insert.Parameters.Add("$type", SqliteType.Text);
        var pProject = insert.Parameters.Add("$project", SqliteType.Text);
        var pSid = insert.Parameters.Add("$sid", SqliteType.Text);
        var pNow = insert.Parameters.Add("$now", SqliteType.Text);
        var pProps = insert.Parameters.Add("$props", SqliteType.Text);
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE nodes SET submitter_id = $sid, updated = $now, props = $props WHERE id = $id";
        var uId = update.Parameters.Add("$id", SqliteType.Text);
        var uSid = update.Parameters.Add("$sid", SqliteType.Text);
        var uNow = update.Parameters.Add("$now", SqliteType.Text);
        var uProps = update.Parameters.Add("$props", SqliteType.Text);
        using var clearLink = connection.CreateCommand();
        clearLink.Transaction = transaction;
        clearLink.CommandText = "DELETE FROM edges WHERE src = $src AND link = $link";
        var cSrc = clearLink.Parameters.Add("$src", SqliteType.Text);
        var cLink = clearLink.Parameters.Add("$link", SqliteType.Text);
        using var addLink = connection.CreateCommand();
        addLink.Transaction = transaction;
        addLink.CommandText = "INSERT OR IGNORE INTO edges(src, link, dst) VALUES($src, $link, $dst)";
        var aSrc = addLink.Parameters.Add("$src", SqliteType.Text);
        var aLink = addLink.Parameters.Add("$link", SqliteType.Text);
        var aDst = addLink.Parameters.Add("$dst", SqliteType.Text);

        var linkNames = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var buffer = new ArrayBufferWriter<byte>(4096);
        foreach (var entity in entities)
        {
            if (!linkNames.TryGetValue(entity.Node.Name, out var links))
            {
                linkNames[entity.Node.Name] = links = entity.Node.Links.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
            }

            var props = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
            if (entity.Existing is not null && JsonNode.Parse(entity.Existing.Props) is JsonObject stored)
            {
                foreach (var (key, value) in stored)
                {
                    if (value is not null)
                    {
                        props[key] = value;
                    }
                }
            }

            foreach (var (key, value) in entity.Doc)
            {
                if (SystemColumns.Contains(key) || links.Contains(key))
                {
                    continue;
                }

                if (value is null)
                {
                    props.Remove(key);
                }
                else
                {
                    props[key] = value;
                }
            }

            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                foreach (var (key, value) in props)
                {
                    writer.WritePropertyName(key);
                    value.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            var propsJson = Encoding.UTF8.GetString(buffer.WrittenSpan);
            var id = entity.Outcome.Id!;
            if (entity.Existing is null)
            {
                pId.Value = id;
                pType.Value = entity.Node.Name;
                pProject.Value = entity.ProjectId;
                pSid.Value = (object?)entity.SubmitterId ?? DBNull.Value;
                pNow.Value = now;
                pProps.Value = propsJson;
                insert.ExecuteNonQuery();
            }
            else
            {
                uId.Value = id;
                uSid.Value = (object?)entity.SubmitterId ?? DBNull.Value;
                uNow.Value = now;
                uProps.Value = propsJson;
                update.ExecuteNonQuery();
            }

            foreach (var (link, targets) in entity.Links)
            {
                if (entity.Existing is not null)
                {
                    cSrc.Value = id;
                    cLink.Value = link;
                    clearLink.ExecuteNonQuery();
                }

                foreach (var target in targets)
                {
                    aSrc.Value = id;
                    aLink.Value = link;
                    aDst.Value = target;
                    addLink.ExecuteNonQuery();
                }
            }
        }
    }

    internal static string PyStr(string value) => PythonRepr.OfString(value);

    private sealed class Pending(JsonObject doc, DictionaryNode node, string projectId)
    {
        public JsonObject Doc { get; } = doc;

        public DictionaryNode Node { get; } = node;

        public string ProjectId { get; } = projectId;

        public string? SubmitterId { get; set; }

        public StoredNode? Existing { get; set; }

        public EntityOutcome Outcome { get; } = new();

        public Dictionary<string, List<string>> Links { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Random (version 4) UUIDs cut from one buffer of random bytes per request: one read of the system's generator, not one per id.</summary>
    private sealed class RandomIds(int count)
    {
        private readonly byte[] bytes = RandomNumberGenerator.GetBytes(16 * Math.Max(count, 1));
        private int next;

        public string Next()
        {
            if (next == bytes.Length)
            {
                RandomNumberGenerator.Fill(bytes);
                next = 0;
            }

            var uuid = bytes.AsSpan(next, 16);
            next += 16;
            uuid[7] = (byte)((uuid[7] & 0x0F) | 0x40); // version 4 (the high nibble of the little-endian third group)
            uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80); // RFC 4122 variant
            return new Guid(uuid).ToString();
        }
    }

    /// <summary>The request's entities that have an id, by (type, id) and by (type, submitter_id), the first of each key winning.</summary>
    private sealed class Batch
    {
        public Batch(List<Pending> entities)
        {
            foreach (var entity in entities.Where(e => e.Outcome.Id is not null))
            {
                ById.TryAdd((entity.Node.Name, entity.Outcome.Id!), entity);
                if (entity.SubmitterId is not null)
                {
                    BySubmitterId.TryAdd((entity.Node.Name, entity.SubmitterId), entity);
                }
            }
        }

        public Dictionary<(string Type, string Id), Pending> ById { get; } = [];

        public Dictionary<(string Type, string SubmitterId), Pending> BySubmitterId { get; } = [];
    }

    /// <summary>Database lookups inside the submission's transaction, cached for the request (parents repeat across a batch).</summary>
    private sealed class Lookup(SqliteConnection connection, SqliteTransaction transaction)
    {
        private readonly Dictionary<string, StoredNode?> byId = new(StringComparer.Ordinal);
        private readonly Dictionary<(string, string, string), StoredNode?> byKey = [];

        public StoredNode? ById(string id)
        {
            if (!byId.TryGetValue(id, out var node))
            {
                byId[id] = node = GraphStore.FindById(connection, id, transaction);
            }

            return node;
        }

        /// <summary>Loads in one query the stored nodes that the batch's (type, submitter_id) keys name.</summary>
        public void Prefetch(string projectId, IEnumerable<(string Type, string? SubmitterId)> keys)
        {
            var wanted = keys.Where(k => k.SubmitterId is not null).Select(k => (k.Type, SubmitterId: k.SubmitterId!)).Distinct().ToList();
            foreach (var (type, submitterId) in wanted)
            {
                byKey[(type, projectId, submitterId)] = null;
            }

            foreach (var group in wanted.GroupBy(k => k.Type, StringComparer.Ordinal))
            {
                foreach (var node in GraphStore.FindBySubmitterIds(connection, transaction, group.Key, projectId, [.. group.Select(k => k.SubmitterId)]))
                {
                    byKey[(node.Type, projectId, node.SubmitterId!)] = node;
                }
            }
        }

        public StoredNode? ByKey(string type, string projectId, string submitterId)
        {
            var key = (type, projectId, submitterId);
            if (!byKey.TryGetValue(key, out var node))
            {
                byKey[key] = node = GraphStore.FindByKey(connection, type, projectId, submitterId, transaction);
            }

            return node;
        }

        public long ChildCount(string target, string link, string sourceType, string exceptSource) =>
            GraphStore.CountChildren(connection, transaction, target, link, sourceType, exceptSource);

        public bool HasLink(string id, string link) =>
            GraphStore.LinksOf(connection, [id], transaction).GetValueOrDefault(id)?.Any(l => l.Link == link) == true;
    }
}
