namespace Dtp.Gen3;

/// <summary>What <see cref="Gen3Submitter"/> did: counts, the batches sent and whether each landed, and every error.</summary>
/// <param name="Success">Whether every record was accepted (for a dry run: would have been).</param>
/// <param name="DryRun">Whether this was a dry run (nothing written).</param>
/// <param name="RecordCount">How many records the input held.</param>
/// <param name="CreatedCount">How many records sheepdog created.</param>
/// <param name="UpdatedCount">How many existing records sheepdog updated.</param>
/// <param name="NotAttempted">How many records were not sent because an earlier batch was rejected (or a pre-check failed).</param>
/// <param name="Batches">The batches sheepdog answered, in order.</param>
/// <param name="Errors">Entity and transaction errors, and pre-check errors, in order.</param>
public sealed record SubmissionResult(bool Success, bool DryRun, int RecordCount, int CreatedCount, int UpdatedCount, int NotAttempted,
    IReadOnlyList<SubmissionBatch> Batches, IReadOnlyList<SubmissionError> Errors);

/// <summary>One request of a submission. A batch is one sheepdog transaction: it lands whole or not at all.</summary>
/// <param name="Offset">The index of its first record in dependency order.</param>
/// <param name="Count">How many records it held.</param>
/// <param name="Landed">Whether its records were written.</param>
/// <param name="TransactionId">sheepdog's transaction id, if it gave one.</param>
/// <param name="Message">sheepdog's message, e.g. <c>Transaction successful.</c>.</param>
public sealed record SubmissionBatch(int Offset, int Count, bool Landed, long? TransactionId, string Message);

/// <summary>An error about one entity (or, with <see cref="Entity"/> <see langword="null"/>, about a whole transaction).</summary>
/// <param name="Entity">The entity's <c>submitter_id</c>, if known.</param>
/// <param name="NodeType">The entity's node type, if known.</param>
/// <param name="Keys">The properties concerned.</param>
/// <param name="Message">sheepdog's (or the pre-check's) message.</param>
/// <param name="Type">The error type, e.g. <c>INVALID_VALUE</c>, <c>MISSING_PROPERTY</c>, <c>NOT_UNIQUE</c>, <c>INVALID_LINK</c>.</param>
/// <param name="Source">Where the entity came from: <c>file:line</c> or <c>file[index]</c>.</param>
public sealed record SubmissionError(string? Entity, string? NodeType, IReadOnlyList<string> Keys, string Message, string Type, string? Source);
