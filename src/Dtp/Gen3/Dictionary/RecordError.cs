namespace Dtp.Gen3.Dictionary;

/// <summary>An error found in one record, with sheepdog's error type and message.</summary>
/// <param name="Keys">The record properties the error is about (may be empty).</param>
/// <param name="Message">The message, worded as sheepdog words it.</param>
/// <param name="Type">One of the <see cref="RecordErrorTypes"/>.</param>
public sealed record RecordError(IReadOnlyList<string> Keys, string Message, string Type);

/// <summary>The entity error types sheepdog reports.</summary>
public static class RecordErrorTypes
{
    /// <summary>An uncategorised error (e.g. additional properties, a key that already exists).</summary>
    public const string Error = "ERROR";

    /// <summary>A link that cannot be resolved or would break multiplicity or dependents.</summary>
    public const string InvalidLink = "INVALID_LINK";

    /// <summary>A property value the schema rejects.</summary>
    public const string InvalidValue = "INVALID_VALUE";

    /// <summary>A required property is absent.</summary>
    public const string MissingProperty = "MISSING_PROPERTY";

    /// <summary>A unique key is taken.</summary>
    public const string NotUnique = "NOT_UNIQUE";

    /// <summary>An entity the request names does not exist.</summary>
    public const string NotFound = "NOT_FOUND";

    /// <summary>The record's type is missing or unknown.</summary>
    public const string InvalidType = "INVALID_TYPE";
}
