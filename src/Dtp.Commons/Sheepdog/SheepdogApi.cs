using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Commons.Fence;
using Dtp.Commons.Storage;
using Dtp.Gen3.Dictionary;
using Microsoft.AspNetCore.Http;

namespace Dtp.Commons.Sheepdog;

/// <summary>sheepdog's routes under <c>/api/v0/submission</c> (trailing slash optional): programs, projects, submission, export, entities, dictionary.</summary>
internal sealed class SheepdogApi(Gen3Dictionary dictionary, CommonsStore store, UserDirectory users, TokenService tokens, SubmissionService submissions, ExportService exports)
{
    public const string Prefix = "/v0/submission";

    public async Task HandleAsync(HttpContext context, string rest)
    {
        var segments = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = context.Request.Method;
        if (segments.Length >= 1 && segments[0] == "_dictionary")
        {
            await DictionaryAsync(context, segments.Length > 1 ? segments[1] : null).ConfigureAwait(false);
            return;
        }

        var principal = await AuthenticateAsync(context).ConfigureAwait(false);
        if (principal is null)
        {
            return;
        }

        var user = principal.User;
        switch (segments.Length)
        {
            case 0 when method == "GET":
                await Http.JsonAsync(context, 200, Links(ListNames("program", null).Select(p => $"{Prefix}/{p}"))).ConfigureAwait(false);
                return;
            case 0 when method is "POST" or "PUT" or "PATCH":
                await CreateProgramAsync(context, user).ConfigureAwait(false);
                return;
        }

        var program = segments[0];
        var programNode = FindProgram(program);
        if (programNode is null)
        {
            await Http.MessageAsync(context, 404, $"program {program} not found").ConfigureAwait(false);
            return;
        }

        if (segments.Length == 1)
        {
            switch (method)
            {
                case "GET":
                    await Http.JsonAsync(context, 200, Links(ListNames("project", program).Select(p => $"{Prefix}/{program}/{p}"))).ConfigureAwait(false);
                    return;
                case "POST" or "PUT" or "PATCH":
                    await CreateProjectAsync(context, user, program, programNode.Id, createOnly: false).ConfigureAwait(false);
                    return;
                case "DELETE":
                    await DeleteContainerAsync(context, user, programNode, "project", $"program {program}").ConfigureAwait(false);
                    return;
            }

            await NotAllowedAsync(context).ConfigureAwait(false);
            return;
        }

        var code = segments[1];
        var projectNode = GraphStoreRead(c => GraphStore.FindById(c, Uuid5.Create(Uuid5.ProjectNamespace, code)));
        if (projectNode is null || projectNode.ProjectId != program + "-" + code)
        {
            await Http.MessageAsync(context, 404, $"Project {code} not found").ConfigureAwait(false);
            return;
        }

        var action = segments.Length > 2 ? segments[2] : null;
        var write = method is "POST" or "PUT" or "PATCH" or "DELETE";
        if (!(write ? Access.CanWrite(users, user, program, code) : Access.CanRead(users, user, program, code)))
        {
            await Http.MessageAsync(context, 403, Access.Denied).ConfigureAwait(false);
            return;
        }

        switch (action)
        {
            case null when method is "PUT" or "POST":
            case "_dry_run" when method is "PUT" or "POST":
                await SubmitAsync(context, program, code, createOnly: method == "POST", dryRun: action is not null).ConfigureAwait(false);
                return;
            case null when method == "DELETE":
                await DeleteContainerAsync(context, user, projectNode, null, $"project {program}-{code}").ConfigureAwait(false);
                return;
            case "export" when method is "GET" or "POST":
                await ExportAsync(context, program + "-" + code).ConfigureAwait(false);
                return;
            case "entities" when segments.Length > 3:
                var dry = segments[3] == "_dry_run";
                var ids = (dry ? segments.ElementAtOrDefault(4) ?? "" : segments[3]).Split(',', StringSplitOptions.RemoveEmptyEntries);
                if (method == "GET" && !dry)
                {
                    await GetEntitiesAsync(context, program, code, ids).ConfigureAwait(false);
                    return;
                }

                if (method == "DELETE")
                {
                    await DeleteEntitiesAsync(context, program + "-" + code, ids, dry).ConfigureAwait(false);
                    return;
                }

                break;
            case "_dictionary" when method == "GET":
                await DictionaryAsync(context, segments.ElementAtOrDefault(3)).ConfigureAwait(false);
                return;
        }

        await Http.MessageAsync(context, 404, "The requested URL was not found on the server.").ConfigureAwait(false);
    }

    /// <summary>Checks the bearer token: 401 with sheepdog's wording when it is missing or invalid.</summary>
    public async Task<TokenPrincipal?> AuthenticateAsync(HttpContext context, string missingHeaderMessage = "Authentication Error: Didn't receive JWT correctly")
    {
        var token = Http.Bearer(context, out var present);
        if (token is null)
        {
            await Http.MessageAsync(context, 401, present ? "Authentication Error: Didn't receive JWT correctly" : missingHeaderMessage).ConfigureAwait(false);
            return null;
        }

        var principal = tokens.Authenticate(token, out var error);
        if (principal is null)
        {
            await Http.MessageAsync(context, 401, "Authentication Error: " + error).ConfigureAwait(false);
        }

        return principal;
    }

    private static JsonObject Links(IEnumerable<string> links) => new() { ["links"] = new JsonArray([.. links.Select(l => (JsonNode)l)]) };

    private static Task NotAllowedAsync(HttpContext context) =>
        Http.MessageAsync(context, 405, "The method is not allowed for the requested URL.");

    private T GraphStoreRead<T>(Func<Microsoft.Data.Sqlite.SqliteConnection, T> read)
    {
        using var connection = store.Open();
        return read(connection);
    }

    private StoredNode? FindProgram(string name) =>
        GraphStoreRead(c => GraphStore.FindById(c, Uuid5.Create(Uuid5.ProgramNamespace, name)));

    private List<string> ListNames(string type, string? program) => GraphStoreRead(c =>
        GraphStore.ListByType(c, type, null)
            .Select(n => (Node: n, Props: JsonNode.Parse(n.Props)))
            .Where(x => program is null || x.Node.ProjectId?.StartsWith(program + "-", StringComparison.Ordinal) == true)
            .Select(x => (string?)x.Props?[type == "program" ? "name" : "code"] ?? "")
            .Order(StringComparer.Ordinal)
            .ToList());

    private async Task<JsonObject?> ReadJsonObjectAsync(HttpContext context)
    {
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            return BodyReader.Read(body, "application/json", dictionary).FirstOrDefault() as JsonObject;
        }
        catch (FormatException ex)
        {
            await Http.MessageAsync(context, 400, ex.Message).ConfigureAwait(false);
            return null;
        }
    }

    private async Task CreateProgramAsync(HttpContext context, CommonsUser user)
    {
        if (!user.IsAdmin)
        {
            await Http.MessageAsync(context, 403, Access.Denied).ConfigureAwait(false);
            return;
        }

        if (context.Request.Body is null || await ReadJsonObjectAsync(context).ConfigureAwait(false) is not { } doc)
        {
            if (!context.Response.HasStarted)
            {
                await Http.MessageAsync(context, 400, "Unable to parse json: expected a JSON object").ConfigureAwait(false);
            }

            return;
        }

        var name = (string?)doc["name"];
        if ((string?)doc["type"] != "program" || string.IsNullOrEmpty(name) || doc["dbgap_accession_number"] is null)
        {
            await Http.MessageAsync(context, 400, "Program registration requires 'type': 'program', a 'name' and a 'dbgap_accession_number'").ConfigureAwait(false);
            return;
        }

        var id = Uuid5.Create(Uuid5.ProgramNamespace, name);
        var props = new JsonObject
        {
            ["dbgap_accession_number"] = doc["dbgap_accession_number"]!.DeepClone(),
            ["name"] = name,
        };
        var created = await store.WriteAsync((connection, transaction) =>
        {
            var existing = GraphStore.FindById(connection, id, transaction);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = existing is null
                ? "INSERT INTO nodes(id, type, project_id, submitter_id, created, updated, state, props) VALUES($id, 'program', NULL, NULL, $now, $now, NULL, $props)"
                : "UPDATE nodes SET updated = $now, props = $props WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$now", submissions.Timestamp());
            command.Parameters.AddWithValue("$props", props.ToJsonString());
            command.ExecuteNonQuery();
            transaction.Commit();
            return existing is null;
        }, context.RequestAborted).ConfigureAwait(false);
        await Http.JsonAsync(context, 200, new JsonObject
        {
            ["id"] = id,
            ["message"] = created ? "Program registered." : "Program is updated!",
            ["name"] = name,
        }).ConfigureAwait(false);
    }

    private async Task CreateProjectAsync(HttpContext context, CommonsUser user, string program, string programId, bool createOnly)
    {
        if (!user.IsAdmin)
        {
            await Http.MessageAsync(context, 403, Access.Denied).ConfigureAwait(false);
            return;
        }

        if (await ReadJsonObjectAsync(context).ConfigureAwait(false) is not { } doc)
        {
            if (!context.Response.HasStarted)
            {
                await Http.MessageAsync(context, 400, "Unable to parse json: expected a JSON object").ConfigureAwait(false);
            }

            return;
        }

        var transactionId = store.NextCounter("transaction_id");
        var code = (string?)doc["code"];
        var outcome = new EntityOutcome { Type = "project" };
        outcome.UniqueKeys.Add(new JsonObject { ["code"] = code });
        doc.Remove("state");
        doc.Remove("released");
        doc["type"] = "project";
        doc["programs"] = new JsonObject { ["id"] = programId };
        var node = dictionary.Nodes["project"];
        foreach (var error in node.Validate(doc))
        {
            outcome.AddError(error);
        }

        var document = await store.WriteAsync((connection, transaction) =>
        {
            if (outcome.Valid && code is not null)
            {
                var id = Uuid5.Create(Uuid5.ProjectNamespace, code);
                var existing = GraphStore.FindById(connection, id, transaction);
                outcome.Id = id;
                outcome.Action = existing is null ? "create" : "update";
                if (existing is not null && existing.ProjectId != program + "-" + code)
                {
                    outcome.AddError(new RecordError(["code"], $"Project {code} already exists in program {existing.ProjectId}", RecordErrorTypes.NotUnique));
                }
                else if (existing is not null && createOnly)
                {
                    outcome.AddError(new RecordError(["code"], $"project with {{'code': {SubmissionService.PyStr(code)}}} already exists in the DB", RecordErrorTypes.Error));
                }
                else
                {
                    var props = existing is null ? new JsonObject { ["state"] = "open" } : JsonNode.Parse(existing.Props)!.AsObject();
                    foreach (var (key, value) in doc)
                    {
                        if (key is not ("type" or "programs" or "id"))
                        {
                            props[key] = value?.DeepClone();
                        }
                    }

                    var sorted = new JsonObject(props.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
                    using var command = connection.CreateCommand();
                    command.Transaction = transaction;
                    command.CommandText = existing is null
                        ? "INSERT INTO nodes(id, type, project_id, submitter_id, created, updated, state, props) VALUES($id, 'project', $pid, NULL, $now, $now, 'open', $props); INSERT OR IGNORE INTO edges(src, link, dst) VALUES($id, 'programs', $program);"
                        : "UPDATE nodes SET updated = $now, props = $props WHERE id = $id";
                    command.Parameters.AddWithValue("$id", id);
                    command.Parameters.AddWithValue("$pid", program + "-" + code);
                    command.Parameters.AddWithValue("$now", submissions.Timestamp());
                    command.Parameters.AddWithValue("$props", sorted.ToJsonString());
                    command.Parameters.AddWithValue("$program", programId);
                    command.ExecuteNonQuery();
                    transaction.Commit();
                }
            }

            return TransactionDocument.Submission(transactionId, [outcome], [], dryRun: false, committed: outcome.Valid);
        }, context.RequestAborted).ConfigureAwait(false);
        await Http.JsonAsync(context, (int)document["code"]!, document).ConfigureAwait(false);
    }

    private async Task SubmitAsync(HttpContext context, string program, string code, bool createOnly, bool dryRun)
    {
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        List<JsonNode?> documents;
        try
        {
            documents = BodyReader.Read(body, context.Request.ContentType, dictionary);
        }
        catch (FormatException ex)
        {
            await Http.MessageAsync(context, 400, ex.Message).ConfigureAwait(false);
            return;
        }

        var document = await submissions.SubmitAsync(program, code, documents, [], createOnly, dryRun, context.RequestAborted).ConfigureAwait(false);
        await Http.JsonAsync(context, (int)document["code"]!, document).ConfigureAwait(false);
    }

    private async Task ExportAsync(HttpContext context, string projectId)
    {
        var query = context.Request.Query;
        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ids"] = query["ids"].ToString(),
            ["node_label"] = query["node_label"].ToString(),
            ["format"] = query["format"].ToString(),
            ["with_children"] = query["with_children"].ToString(),
        };
        if (context.Request.Method == "POST" && context.Request.ContentLength is > 0)
        {
            try
            {
                if (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false) is JsonObject body)
                {
                    foreach (var key in parameters.Keys.ToList())
                    {
                        if (body[key] is { } value)
                        {
                            parameters[key] = value is JsonArray list ? string.Join(',', list.Select(v => (string?)v)) : value.ToString();
                        }
                    }
                }
            }
            catch (JsonException ex)
            {
                await Http.MessageAsync(context, 400, "Unable to parse json: " + ex.Message).ConfigureAwait(false);
                return;
            }
        }

        var tsv = !string.Equals(parameters["format"], "json", StringComparison.OrdinalIgnoreCase);
        var ids = (parameters["ids"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        ExportFile file;
        if (ids.Length > 0)
        {
            var records = exports.FindRecords(projectId, ids, string.Equals(parameters["with_children"], "true", StringComparison.OrdinalIgnoreCase));
            if (records.Count == 0)
            {
                await Http.MessageAsync(context, 404, $"Unable to find {string.Join(", ", ids)}").ConfigureAwait(false);
                return;
            }

            file = exports.ExportRecords(records, tsv);
        }
        else if (!string.IsNullOrEmpty(parameters["node_label"]))
        {
            var label = parameters["node_label"]!;
            if (!dictionary.TryGetNode(label, out var node) || node.Category == "internal")
            {
                await Http.MessageAsync(context, 400, $"dictionary does not have node with type {label}").ConfigureAwait(false);
                return;
            }

            file = exports.ExportNode(projectId, label, tsv);
        }
        else
        {
            await Http.MessageAsync(context, 400, "expected either `ids` or `node_label` parameter").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = file.ContentType;
        context.Response.Headers.ContentDisposition = $"attachment; filename={file.FileName}";
        await file.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task GetEntitiesAsync(HttpContext context, string program, string code, string[] ids)
    {
        var projectId = program + "-" + code;
        var result = new JsonArray();
        var missing = new List<string>();
        using (var connection = store.Open())
        {
            var links = GraphStore.LinksOf(connection, ids);
            foreach (var id in ids)
            {
                var node = GraphStore.FindById(connection, id);
                if (node is null || node.ProjectId != projectId)
                {
                    missing.Add(id);
                    continue;
                }

                result.Add(new JsonObject { ["program"] = program, ["project"] = code, ["properties"] = EntityProperties(node, links.GetValueOrDefault(id)) });
            }
        }

        if (missing.Count > 0)
        {
            await Http.MessageAsync(context, 400, $"Not found: {string.Join(", ", missing)}").ConfigureAwait(false);
            return;
        }

        await Http.JsonAsync(context, 200, new JsonObject { ["entities"] = result }).ConfigureAwait(false);
    }

    private JsonObject EntityProperties(StoredNode node, List<StoredLink>? links)
    {
        var layout = exports.Layout(node.Type);
        var props = JsonNode.Parse(node.Props)!.AsObject();
        var all = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["id"] = node.Id,
            ["type"] = node.Type,
            ["project_id"] = node.ProjectId,
            ["submitter_id"] = node.SubmitterId,
            ["created_datetime"] = node.Created,
            ["updated_datetime"] = node.Updated,
            ["state"] = node.State,
        };
        foreach (var name in layout.Properties)
        {
            all[name] = props[name]?.DeepClone();
        }

        foreach (var link in layout.Links)
        {
            var parents = links?.Where(l => l.Link == link.Name).ToList() ?? [];
            if (parents.Count > 0)
            {
                var key = RecordLayout.ParentKey(link);
                all[link.Name] = new JsonArray([.. parents.Select(p => (JsonNode)new JsonObject { ["id"] = p.TargetId, [key] = key == "code" ? p.TargetCode : p.TargetSubmitterId })]);
            }
        }

        return new JsonObject(all.Select(p => KeyValuePair.Create(p.Key, p.Value)));
    }

    private async Task DeleteEntitiesAsync(HttpContext context, string projectId, string[] ids, bool dryRun)
    {
        var transactionId = store.NextCounter("transaction_id");
        var document = await store.WriteAsync((connection, transaction) =>
        {
            var outcomes = new List<EntityOutcome>();
            var dependents = new List<string>();
            var deleting = ids.ToHashSet(StringComparer.Ordinal);
            var found = new List<StoredNode>();
            foreach (var id in ids)
            {
                var outcome = new EntityOutcome { Action = "delete" };
                outcomes.Add(outcome);
                var node = GraphStore.FindById(connection, id, transaction);
                if (node is null || node.ProjectId != projectId || node.Type is "project" or "program")
                {
                    outcome.Errors.Add(new JsonObject { ["id"] = id, ["keys"] = new JsonArray("id"), ["message"] = "Entity not found.", ["type"] = RecordErrorTypes.NotFound });
                    continue;
                }

                found.Add(node);
                outcome.Id = node.Id;
                outcome.Type = node.Type;
                outcome.UniqueKeys.Add(new JsonObject { ["project_id"] = node.ProjectId, ["submitter_id"] = node.SubmitterId });
                // Like sheepdog, name the first dependent found ("at least 1 other(s)").
                var blocking = Descendants(connection, transaction, node.Id).Where(d => !deleting.Contains(d.Id)).Take(1).ToList();
                if (blocking.Count > 0)
                {
                    dependents.AddRange(blocking.Select(b => b.Id));
                    outcome.Errors.Add(new JsonObject
                    {
                        ["dependents"] = new JsonArray([.. blocking.Select(b => (JsonNode)new JsonObject { ["id"] = b.Id, ["type"] = b.Type })]),
                        ["keys"] = new JsonArray(),
                        ["message"] = $"Unable to delete entity because at least {blocking.Count} other(s) directly or indirectly depend on it. You can only delete this entity by deleting its dependents prior to, or during the same transaction as this one.",
                        ["type"] = RecordErrorTypes.InvalidLink,
                    });
                }
            }

            if (outcomes.All(o => o.Valid) && !dryRun)
            {
                foreach (var node in found)
                {
                    GraphStore.Delete(connection, transaction, node.Id);
                }

                transaction.Commit();
            }

            return TransactionDocument.Deletion(transactionId, outcomes, dependents.Distinct(StringComparer.Ordinal).ToList(), dryRun);
        }, context.RequestAborted).ConfigureAwait(false);
        await Http.JsonAsync(context, (int)document["code"]!, document).ConfigureAwait(false);
    }

    private static List<(string Id, string Type)> Descendants(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction, string id)
    {
        var result = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { id };
        var queue = new Queue<string>([id]);
        while (queue.Count > 0)
        {
            foreach (var child in GraphStore.Children(connection, queue.Dequeue(), transaction))
            {
                if (seen.Add(child.Id))
                {
                    result.Add(child);
                    queue.Enqueue(child.Id);
                }
            }
        }

        return result;
    }

    private async Task DeleteContainerAsync(HttpContext context, CommonsUser user, StoredNode node, string? childType, string label)
    {
        if (!user.IsAdmin)
        {
            await Http.MessageAsync(context, 403, Access.Denied).ConfigureAwait(false);
            return;
        }

        var deleted = await store.WriteAsync((connection, transaction) =>
        {
            using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = childType is null
                ? "SELECT COUNT(*) FROM nodes WHERE project_id = $p AND type <> 'project'"
                : "SELECT COUNT(*) FROM edges WHERE dst = $id";
            count.Parameters.AddWithValue("$p", node.ProjectId ?? "");
            count.Parameters.AddWithValue("$id", node.Id);
            if ((long)count.ExecuteScalar()! > 0)
            {
                return false;
            }

            GraphStore.Delete(connection, transaction, node.Id);
            transaction.Commit();
            return true;
        }, context.RequestAborted).ConfigureAwait(false);
        if (deleted)
        {
            context.Response.StatusCode = 204;
            return;
        }

        await Http.MessageAsync(context, 400, $"ERROR: can not delete {label}; it is not empty").ConfigureAwait(false);
    }

    private async Task DictionaryAsync(HttpContext context, string? entry)
    {
        if (entry is null)
        {
            await Http.JsonAsync(context, 200, Links([.. dictionary.Nodes.Keys.Select(n => $"{Prefix}/_dictionary/{n}"), $"{Prefix}/_dictionary/_all"])).ConfigureAwait(false);
            return;
        }

        if (entry == "_all")
        {
            await Http.JsonAsync(context, 200, dictionary.ToAllDocument()).ConfigureAwait(false);
            return;
        }

        if (!dictionary.TryGetNode(entry, out var node))
        {
            await Http.MessageAsync(context, 404, $"Entry {entry} not in dictionary").ConfigureAwait(false);
            return;
        }

        await Http.JsonAsync(context, 200, node.Schema.DeepClone()).ConfigureAwait(false);
    }
}
