using System.Text.Json.Nodes;

namespace Dtp.Upload;

/// <summary>What an upload wrote: the dataset id, the Gen3 records per node, and the files pushed to the store and verified there.</summary>
/// <param name="DatasetId">The dataset's id: its experiment's <c>submitter_id</c>.</param>
/// <param name="Program">The Gen3 program.</param>
/// <param name="Project">The Gen3 project code.</param>
/// <param name="Store">The store's description (kind and address, never a credential).</param>
/// <param name="RecordsPerNode">The Gen3 records written per node type (the experiment included).</param>
/// <param name="FilesPushed">The data files stored, by their path in the SDS folder.</param>
/// <param name="BytesPushed">Their bytes.</param>
/// <param name="FilesVerified">How many of them the store lists afterwards with the size (and checksum, where it gives one) sent.</param>
/// <param name="Skipped">Files left out on purpose (non-DICOM files of a PACS upload with <see cref="UploaderOptions.SkipNonDicom"/>).</param>
public sealed record UploadSummary(string DatasetId, string Program, string Project, string Store, IReadOnlyDictionary<string, int> RecordsPerNode,
    IReadOnlyList<string> FilesPushed, long BytesPushed, int FilesVerified, IReadOnlyList<string> Skipped)
{
    /// <summary>Returns the summary as JSON (the CLI's <c>--json</c> output).</summary>
    /// <returns>The JSON object.</returns>
    public JsonObject ToJson() => new()
    {
        ["dataset_id"] = DatasetId,
        ["program"] = Program,
        ["project"] = Project,
        ["store"] = Store,
        ["records"] = new JsonObject(RecordsPerNode.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["files"] = FilesPushed.Count,
        ["bytes"] = BytesPushed,
        ["verified"] = FilesVerified,
        ["skipped"] = new JsonArray([.. Skipped.Select(s => (JsonNode)s)]),
    };
}

/// <summary>
/// An upload that failed after it had written something: the message says why, <see cref="Written"/> says exactly what is in the
/// commons and the store, for <see cref="Deleter"/> to remove.
/// </summary>
public sealed class UploadException : DtpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the upload stopped.</param>
    /// <param name="written">What had been written when it stopped.</param>
    /// <param name="kind">Whether a service failed (remote) or the input was bad (local).</param>
    /// <param name="innerException">The failure.</param>
    public UploadException(string message, UploadSummary written, DtpErrorKind kind, Exception? innerException = null)
        : base(message, kind, isTransient: false, innerException)
    {
        Written = written;
    }

    /// <summary>Gets what had been written: records per node and files pushed.</summary>
    public UploadSummary Written { get; }
}
