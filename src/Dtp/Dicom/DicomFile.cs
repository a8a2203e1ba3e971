using System.Buffers;
using System.Buffers.Binary;
using Dtp.IO;

namespace Dtp.Dicom;

/// <summary>
/// A DICOM Part 10 file (PS3.10 chapter 7): a 128-byte preamble, <c>DICM</c>, the file meta information (group 0002,
/// explicit VR little endian, with its group length) and the data set in the file's transfer syntax.
/// </summary>
public sealed class DicomFile
{
    private const int PreambleLength = 128;

    /// <summary>Creates a file for a data set; the meta information is derived from the data set's SOP class and instance.</summary>
    /// <param name="dataset">The data set (without group 0002).</param>
    /// <param name="transferSyntax">The transfer syntax the data set is written in.</param>
    public DicomFile(DicomDataset dataset, DicomTransferSyntax transferSyntax)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(transferSyntax);
        Dataset = dataset;
        TransferSyntax = transferSyntax;
        Meta = new DicomDataset()
            .SetBytes(DicomTag.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 })
            .SetString(DicomTag.MediaStorageSOPClassUID, DicomVR.UI, dataset.GetString(DicomTag.SOPClassUID) ?? string.Empty)
            .SetString(DicomTag.MediaStorageSOPInstanceUID, DicomVR.UI, dataset.GetString(DicomTag.SOPInstanceUID) ?? string.Empty)
            .SetString(DicomTag.ImplementationClassUID, DicomVR.UI, DicomUid.ImplementationClassUid)
            .SetString(DicomTag.ImplementationVersionName, DicomVR.SH, DicomUid.ImplementationVersionName);
    }

    private DicomFile(DicomDataset meta, DicomDataset dataset, DicomTransferSyntax transferSyntax)
    {
        Meta = meta;
        Dataset = dataset;
        TransferSyntax = transferSyntax;
    }

    /// <summary>Gets the file meta information (group 0002); the group length and transfer syntax are written from the file itself.</summary>
    public DicomDataset Meta { get; }

    /// <summary>Gets the data set.</summary>
    public DicomDataset Dataset { get; }

    /// <summary>Gets the transfer syntax of the data set.</summary>
    public DicomTransferSyntax TransferSyntax { get; }

    /// <summary>Reads a Part 10 file from memory; values refer to <paramref name="data"/> without copying where possible.</summary>
    /// <param name="data">The file's bytes.</param>
    /// <param name="source">The file's name or URL for error messages.</param>
    /// <returns>The file.</returns>
    /// <exception cref="DtpException">The bytes are not a DICOM Part 10 file or are malformed; the message names <paramref name="source"/>.</exception>
    public static DicomFile Read(ReadOnlyMemory<byte> data, string source = "DICOM data") => Read(data, source, stopBeforeGroup: null);

    /// <summary>
    /// Reads the file meta information and the data set's elements below group 0x0021 (patient, study, series and instance
    /// identification) from the start of a file; the rest of the data set is not read.
    /// </summary>
    /// <param name="data">The file's first bytes (a few kilobytes usually suffice) or all of it.</param>
    /// <param name="source">The file's name or URL for error messages.</param>
    /// <returns>The file with a partial data set.</returns>
    /// <exception cref="DtpException">The bytes are not a DICOM Part 10 file or end inside those elements.</exception>
    public static DicomFile ReadHeader(ReadOnlyMemory<byte> data, string source = "DICOM data") => Read(data, source, stopBeforeGroup: 0x0021);

    private static DicomFile Read(ReadOnlyMemory<byte> data, string source, ushort? stopBeforeGroup)
    {
        if (data.Length < PreambleLength + 4 || !data.Span.Slice(PreambleLength, 4).SequenceEqual("DICM"u8))
        {
            throw new DtpException($"{source} is not a DICOM Part 10 file: no \"DICM\" after a 128-byte preamble.", DtpErrorKind.Local);
        }

        try
        {
            var body = data[(PreambleLength + 4)..];
            var (meta, metaLength) = DicomCodec.DecodePrefix(body, DicomTransferSyntax.ExplicitVRLittleEndian, stopBeforeGroup: 0x0003);
            var uid = meta.GetString(DicomTag.TransferSyntaxUID)
                ?? throw new DtpException($"{source} has no transfer syntax UID (0002,0010) in its file meta information.", DtpErrorKind.Local);
            var syntax = DicomTransferSyntax.FromUid(uid);
            meta.Remove(DicomTag.FileMetaInformationGroupLength);
            meta.Remove(DicomTag.TransferSyntaxUID);
            var dataset = stopBeforeGroup is { } stop
                ? DicomCodec.DecodePrefix(body[metaLength..], syntax, stop).Dataset
                : DicomCodec.Decode(body[metaLength..], syntax);
            return new DicomFile(meta, dataset, syntax);
        }
        catch (DtpException ex) when (!ex.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new DtpException($"{source}: {ex.Message}", ex.Kind, ex.IsTransient, ex);
        }
    }

    /// <summary>Reads a Part 10 file from disk.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The file.</returns>
    /// <exception cref="DtpException">The file cannot be read or is not a well-formed DICOM Part 10 file.</exception>
    public static async Task<DicomFile> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DtpException($"Cannot read {path}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }

        return Read(bytes, path);
    }

    /// <summary>Encodes the file.</summary>
    /// <param name="output">Receives the bytes.</param>
    /// <param name="sequenceLength">How sequences in the data set are delimited.</param>
    public void WriteTo(IBufferWriter<byte> output, DicomSequenceLength sequenceLength = DicomSequenceLength.Undefined)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteHeaderTo(output);
        DicomCodec.Encode(Dataset, TransferSyntax, output, sequenceLength);
    }

    private void WriteHeaderTo(IBufferWriter<byte> output)
    {
        var meta = new DicomDataset();
        foreach (var element in Meta)
        {
            meta.Set(element);
        }

        meta.SetString(DicomTag.TransferSyntaxUID, DicomVR.UI, TransferSyntax.Uid);
        var metaSyntax = DicomTransferSyntax.ExplicitVRLittleEndian;
        meta.Remove(DicomTag.FileMetaInformationGroupLength);
        meta.SetUInt32(DicomTag.FileMetaInformationGroupLength, checked((uint)DicomCodec.EncodedLength(meta, metaSyntax)));

        var preamble = output.GetSpan(PreambleLength + 4)[..(PreambleLength + 4)];
        preamble[..PreambleLength].Clear();
        "DICM"u8.CopyTo(preamble[PreambleLength..]);
        output.Advance(PreambleLength + 4);
        DicomCodec.Encode(meta, metaSyntax, output);
    }

    /// <summary>
    /// Returns a Part 10 file's bytes for a data set that is already encoded (e.g. received over the network): preamble,
    /// <c>DICM</c>, file meta information with the SOP class, instance, transfer syntax and dtp's implementation UID, then
    /// the data set's bytes unchanged.
    /// </summary>
    /// <param name="sopClassUid">The SOP class UID.</param>
    /// <param name="sopInstanceUid">The SOP instance UID.</param>
    /// <param name="transferSyntaxUid">The transfer syntax the data set is encoded in.</param>
    /// <param name="dataset">The encoded data set.</param>
    public static byte[] EncodeRaw(string sopClassUid, string sopInstanceUid, string transferSyntaxUid, ReadOnlySpan<byte> dataset)
    {
        var header = new DicomFile(
            new DicomDataset().SetString(DicomTag.SOPClassUID, DicomVR.UI, sopClassUid).SetString(DicomTag.SOPInstanceUID, DicomVR.UI, sopInstanceUid),
            new DicomTransferSyntax(transferSyntaxUid, true, true));
        var buffer = new ArrayBufferWriter<byte>(dataset.Length + 512);
        header.WriteHeaderTo(buffer);
        buffer.Write(dataset);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes the file into a new array.</summary>
    /// <returns>The file's bytes.</returns>
    public byte[] ToArray(DicomSequenceLength sequenceLength = DicomSequenceLength.Undefined)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteTo(buffer, sequenceLength);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the file to disk through a temporary file.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="DtpException">The file exists and <paramref name="overwrite"/> is false, or it cannot be written.</exception>
    public Task SaveAsync(string path, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        var bytes = ToArray();
        return AtomicFile.WriteAsync(path, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask(), overwrite, cancellationToken: cancellationToken);
    }

    /// <summary>Gets whether the bytes start like a Part 10 file (preamble and <c>DICM</c>).</summary>
    public static bool HasPart10Header(ReadOnlySpan<byte> data) =>
        data.Length >= PreambleLength + 4 && data.Slice(PreambleLength, 4).SequenceEqual("DICM"u8) && BinaryPrimitives.ReadUInt16LittleEndian(data[(PreambleLength + 4)..]) == 2;
}
