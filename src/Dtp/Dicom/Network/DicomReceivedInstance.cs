namespace Dtp.Dicom.Network;

/// <summary>A data set received by a C-STORE (as SCP, or as C-GET sub-operation), still encoded as it arrived.</summary>
/// <param name="SopClassUid">The SOP class (Affected SOP Class UID of the request).</param>
/// <param name="SopInstanceUid">The SOP instance (Affected SOP Instance UID of the request).</param>
/// <param name="TransferSyntaxUid">The transfer syntax the data set is encoded in (the presentation context's).</param>
/// <param name="Dataset">The encoded data set, without file meta information.</param>
/// <param name="CallingAeTitle">The AE title of the sender.</param>
public sealed record DicomReceivedInstance(string SopClassUid, string SopInstanceUid, string TransferSyntaxUid, ReadOnlyMemory<byte> Dataset, string CallingAeTitle)
{
    /// <summary>Returns the data set as a Part 10 file's bytes: preamble, <c>DICM</c>, a file meta group naming the SOP class, instance and transfer syntax, then the data set unchanged.</summary>
    public byte[] ToPart10() => DicomFile.EncodeRaw(SopClassUid, SopInstanceUid, TransferSyntaxUid, Dataset.Span);
}

/// <summary>What a C-GET or C-MOVE achieved: the final status and the sub-operation counts.</summary>
/// <param name="Status">The final DIMSE status (0x0000 success, 0xB000 warning: some sub-operations failed, 0xFE00 cancelled, others failure).</param>
/// <param name="Completed">Sub-operations completed.</param>
/// <param name="Failed">Sub-operations failed.</param>
/// <param name="Warning">Sub-operations completed with a warning.</param>
public sealed record DicomRetrieveResult(ushort Status, int Completed, int Failed, int Warning);
