using System.Text.Json.Nodes;
using Dtp.Gen3.Dictionary;

namespace Dtp.Commons.Sheepdog;

/// <summary>One entity of a sheepdog transaction and its outcome.</summary>
internal sealed class EntityOutcome
{
    public string? Id { get; set; }

    public string? Type { get; set; }

    public string? Action { get; set; }

    public JsonArray UniqueKeys { get; } = [];

    public List<JsonObject> Errors { get; } = [];

    public bool Valid => Errors.Count == 0;

    public void AddError(RecordError error) => Errors.Add(new JsonObject
    {
        ["keys"] = new JsonArray([.. error.Keys.Select(k => (JsonNode)k)]),
        ["message"] = error.Message,
        ["type"] = error.Type,
    });

    public JsonObject ToJson() => new()
    {
        ["action"] = Action,
        ["errors"] = new JsonArray([.. Errors]),
        ["id"] = Id,
        ["type"] = Type,
        ["unique_keys"] = UniqueKeys.DeepClone(),
        ["valid"] = Valid,
        ["warnings"] = new JsonArray(),
    };
}

/// <summary>Builds sheepdog's transaction response documents (submission and deletion).</summary>
internal static class TransactionDocument
{
    public const string DryRunMessage = "Transaction would have been successful. User selected dry run option, transaction aborted, no data written to database.";

    public static JsonObject Submission(long transactionId, IReadOnlyList<EntityOutcome> entities, JsonArray transactionalErrors, bool dryRun, bool committed)
    {
        var entityErrors = entities.Count(e => !e.Valid);
        var success = entityErrors == 0 && transactionalErrors.Count == 0;
        var message = entityErrors > 0
            ? $"Transaction aborted due to {entityErrors} invalid {(entityErrors == 1 ? "entity" : "entities")}."
            : transactionalErrors.Count > 0
                ? $"Transaction aborted due to {transactionalErrors.Count} transactional error(s)."
                : dryRun ? DryRunMessage : "Transaction successful.";
        var counted = success && (committed || dryRun);
        return new JsonObject
        {
            ["code"] = success ? 200 : 400,
            ["created_entity_count"] = counted ? entities.Count(e => e.Action == "create") : 0,
            ["entities"] = new JsonArray([.. entities.Select(e => e.ToJson())]),
            ["entity_error_count"] = entityErrors,
            ["message"] = message,
            ["success"] = success,
            ["transaction_id"] = transactionId,
            ["transactional_error_count"] = transactionalErrors.Count,
            ["transactional_errors"] = transactionalErrors,
            ["updated_entity_count"] = counted ? entities.Count(e => e.Action == "update") : 0,
        };
    }

    public static JsonObject Deletion(long transactionId, IReadOnlyList<EntityOutcome> entities, IReadOnlyList<string> dependentIds, bool dryRun)
    {
        var entityErrors = entities.Count(e => !e.Valid);
        var success = entityErrors == 0;
        return new JsonObject
        {
            ["code"] = success ? 200 : 400,
            ["deleted_entity_count"] = success ? entities.Count : 0,
            ["dependent_ids"] = string.Join(',', dependentIds),
            ["entities"] = new JsonArray([.. entities.Select(e => e.ToJson())]),
            ["entity_error_count"] = entityErrors,
            ["message"] = !success ? "Deletion transaction failed." : dryRun
                ? $"Dry run successful. Would have deleted {entities.Count} entities"
                : $"Successfully deleted {entities.Count} entities",
            ["success"] = success,
            ["transaction_id"] = transactionId,
            ["transactional_error_count"] = 0,
            ["transactional_errors"] = new JsonArray(),
        };
    }
}
