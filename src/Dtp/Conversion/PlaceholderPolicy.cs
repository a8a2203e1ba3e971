namespace Dtp.Conversion;

/// <summary>What default mode writes for a required property that has no value in the source.</summary>
public enum PlaceholderPolicy
{
    /// <summary>Leave the property out; the record then fails validation and a finding names the missing property.</summary>
    Omit,

    /// <summary>
    /// Write <c>"NA"</c> (as <c>["NA"]</c> for list properties) where the dictionary accepts that text, and report it as a
    /// warning; properties that cannot hold it (numbers, enums without "NA") are left out and reported as errors.
    /// </summary>
    NotAvailable,
}
