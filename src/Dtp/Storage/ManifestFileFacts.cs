using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dtp.Storage;

/// <summary>The UIDs that identify one DICOM instance in a PACS.</summary>
/// <param name="StudyInstanceUid">The Study Instance UID, dotted.</param>
/// <param name="SeriesInstanceUid">The Series Instance UID, dotted.</param>
/// <param name="SopInstanceUid">The SOP Instance UID, dotted.</param>
public sealed record DicomInstanceUids(string StudyInstanceUid, string SeriesInstanceUid, string SopInstanceUid);

/// <summary>
/// What dtp's uploader records about a data file in its Gen3 manifest row, so that a later download can verify the file and,
/// for a PACS, give the instance back its name: size, SHA-256 and the DICOM UIDs. The facts live in the row's
/// <c>supplemental_json_metadata</c> text under the key <c>dtp</c>, next to whatever else the curator put there.
/// </summary>
/// <param name="Size">The file's size in bytes.</param>
/// <param name="Sha256">The SHA-256 of the file's bytes, lower-case hexadecimal.</param>
/// <param name="Dicom">The DICOM UIDs, for a DICOM file stored in a PACS; otherwise null.</param>
public sealed record ManifestFileFacts(long Size, string Sha256, DicomInstanceUids? Dicom = null)
{
    private const string Key = "dtp";

    /// <summary>Reads the facts from a manifest row's <c>supplemental_json_metadata</c>.</summary>
    /// <param name="supplementalJsonMetadata">The property's text; null, blank, text that is not a JSON object, and objects without dtp's key hold no facts.</param>
    /// <param name="facts">The facts, when found.</param>
    /// <returns>True when the text holds well-formed facts.</returns>
    public static bool TryRead(string? supplementalJsonMetadata, out ManifestFileFacts? facts)
    {
        facts = null;
        if (ParseObject(supplementalJsonMetadata)?[Key] is not JsonObject dtp
            || dtp["size"] is not JsonValue size || !size.TryGetValue(out long length) || length < 0
            || dtp["sha256"] is not JsonValue sha || !sha.TryGetValue(out string? hash) || !IsSha256(hash))
        {
            return false;
        }

        DicomInstanceUids? uids = null;
        if (dtp["dicom"] is JsonObject dicom)
        {
            if (Text(dicom, "study_instance_uid") is not { } study || Text(dicom, "series_instance_uid") is not { } series
                || Text(dicom, "sop_instance_uid") is not { } sop)
            {
                return false;
            }

            uids = new DicomInstanceUids(study, series, sop);
        }

        facts = new ManifestFileFacts(length, hash, uids);
        return true;
    }

    /// <summary>
    /// Writes the facts into a manifest row's <c>supplemental_json_metadata</c>, keeping the other members of a JSON object
    /// already there; text that is not a JSON object is kept under the key <c>text</c>.
    /// </summary>
    /// <param name="existing">The property's current text, or null.</param>
    /// <returns>The new text: a compact JSON object.</returns>
    public string WriteInto(string? existing)
    {
        var root = ParseObject(existing);
        if (root is null)
        {
            root = [];
            if (!string.IsNullOrWhiteSpace(existing))
            {
                root["text"] = existing;
            }
        }

        var dtp = new JsonObject { ["size"] = Size, ["sha256"] = Sha256 };
        if (Dicom is { } uids)
        {
            dtp["dicom"] = new JsonObject
            {
                ["study_instance_uid"] = uids.StudyInstanceUid,
                ["series_instance_uid"] = uids.SeriesInstanceUid,
                ["sop_instance_uid"] = uids.SopInstanceUid,
            };
        }

        root[Key] = dtp;
        return root.ToJsonString();
    }

    /// <summary>
    /// Takes dtp's facts out of a manifest row's <c>supplemental_json_metadata</c>, giving back what the curator put there:
    /// the other members, or the text <see cref="WriteInto"/> kept under <c>text</c>.
    /// </summary>
    /// <param name="supplementalJsonMetadata">The property's text, or null.</param>
    /// <returns>The text without dtp's key (a compact JSON object when other members remain); null when nothing else remains;
    /// the text itself when it holds no dtp key.</returns>
    public static string? RemoveFrom(string? supplementalJsonMetadata)
    {
        if (ParseObject(supplementalJsonMetadata) is not { } root || !root.Remove(Key))
        {
            return supplementalJsonMetadata;
        }

        return root.Count switch
        {
            0 => null,
            1 when root["text"] is JsonValue value && value.TryGetValue(out string? text) => text,
            _ => root.ToJsonString(),
        };
    }

    private static JsonObject? ParseObject(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue(out string? s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    private static bool IsSha256(string? hash) =>
        hash is { Length: 64 } && hash.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
