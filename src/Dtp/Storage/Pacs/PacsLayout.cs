using System.Globalization;
using Dtp.Dicom;

namespace Dtp.Storage.Pacs;

/// <summary>
/// The folder layout of PACS data in a dataset: <c>sub-&lt;StudyInstanceUID&gt;/sam-&lt;SeriesInstanceUID&gt;/&lt;file&gt;</c>, with the
/// UIDs' dots written as <c>-</c> (SDS ids allow no dots; UIDs have no <c>-</c>, so the mapping reverses), and file names
/// <c>&lt;InstanceNumber, 6 digits&gt;-&lt;SOPInstanceUID&gt;.dcm</c>: stable across runs, unique, sorted by instance number.
/// </summary>
public static class PacsLayout
{
    /// <summary>Returns the subject folder name of a study: <c>sub-</c> and the UID with dots as dashes.</summary>
    public static string SubjectFolder(string studyInstanceUid) => "sub-" + ToId(studyInstanceUid);

    /// <summary>Returns the sample folder name of a series: <c>sam-</c> and the UID with dots as dashes.</summary>
    public static string SampleFolder(string seriesInstanceUid) => "sam-" + ToId(seriesInstanceUid);

    /// <summary>Returns an instance's file name: instance number (0 when absent) in 6 digits, a dash, the SOP Instance UID, <c>.dcm</c>.</summary>
    public static string FileName(int? instanceNumber, string sopInstanceUid) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Clamp(instanceNumber ?? 0, 0, 999_999):D6}-{ThrowIfInvalid(sopInstanceUid)}.dcm");

    /// <summary>Returns the relative path of an instance inside its study's folder: <c>sam-&lt;series&gt;/&lt;file&gt;</c>.</summary>
    public static string RelativePath(string seriesInstanceUid, int? instanceNumber, string sopInstanceUid) =>
        SampleFolder(seriesInstanceUid) + "/" + FileName(instanceNumber, sopInstanceUid);

    /// <summary>
    /// Reads a UID from a dotted UID, a dashed id, or a folder name with a <c>sub-</c> or <c>sam-</c> prefix.
    /// </summary>
    /// <exception cref="ArgumentException">The text is no valid UID in any of these forms.</exception>
    public static string ToUid(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var id = text.StartsWith("sub-", StringComparison.Ordinal) || text.StartsWith("sam-", StringComparison.Ordinal) ? text[4..] : text;
        return ThrowIfInvalid(id.Replace('-', '.'));
    }

    private static string ToId(string uid) => ThrowIfInvalid(uid).Replace('.', '-');

    private static string ThrowIfInvalid(string uid) =>
        DicomUid.IsValid(uid) ? uid : throw new ArgumentException($"\"{uid}\" is not a DICOM UID (digits and dots, at most 64 characters).", nameof(uid));
}
