namespace Dtp.Sds;

/// <summary>How serious a finding is.</summary>
public enum SdsSeverity
{
    /// <summary>Worth knowing; the dataset is still valid.</summary>
    Warning,

    /// <summary>The dataset does not conform to its SDS version.</summary>
    Error,
}

/// <summary>One problem found while reading or validating a dataset, pointing at the file and cell concerned.</summary>
/// <param name="Severity">Whether it is an error or a warning.</param>
/// <param name="Code">A stable kebab-case code (see <see cref="SdsFindingCodes"/>).</param>
/// <param name="Location">The file, sheet, row and column concerned.</param>
/// <param name="Message">A plain-English sentence for the curator.</param>
public sealed record SdsFinding(SdsSeverity Severity, string Code, SdsLocation Location, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{(Severity == SdsSeverity.Error ? "error" : "warning")}: {Location}: {Message}";
}

/// <summary>The codes of <see cref="SdsFinding"/>s.</summary>
public static class SdsFindingCodes
{
    /// <summary>A required value or column is empty or absent.</summary>
    public const string MissingValue = "missing-value";

    /// <summary>A required metadata file is absent.</summary>
    public const string MissingFile = "missing-file";

    /// <summary>A value is not one of the allowed values or does not have the required form.</summary>
    public const string InvalidValue = "invalid-value";

    /// <summary>An entity id (<c>sub-</c>, <c>sam-</c>, ...) is malformed.</summary>
    public const string InvalidId = "invalid-id";

    /// <summary>An id or element appears more than once.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>A file cannot be read: not a workbook, empty, wrong encoding, wrong file type.</summary>
    public const string UnreadableFile = "unreadable-file";

    /// <summary>The layout of a file is odd: several sheets, values without header, wrong casing of a name.</summary>
    public const string Layout = "layout";

    /// <summary>Folders and metadata rows disagree, or a folder is not allowed where it is.</summary>
    public const string Structure = "structure";

    /// <summary>A manifest names a file that does not exist, or a file is missing from its manifest.</summary>
    public const string Manifest = "manifest";

    /// <summary>A file or folder name breaks the SDS 3.0 naming rules.</summary>
    public const string PathName = "path-name";

    /// <summary>Counts in dataset_description disagree with the metadata files.</summary>
    public const string Count = "count";
}
