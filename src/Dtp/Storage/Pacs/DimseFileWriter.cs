using Dtp.Dicom;
using Dtp.Dicom.Network;

namespace Dtp.Storage.Pacs;

/// <summary>
/// Files instances received over DICOM networking in the PACS layout (<see cref="PacsLayout"/>, the same as the DICOMweb
/// store): <c>&lt;destination&gt;/sub-&lt;study&gt;/sam-&lt;series&gt;/&lt;number&gt;-&lt;SOP instance&gt;.dcm</c>, each a Part 10
/// file in the transfer syntax it arrived in, written to a <c>.part</c> file and renamed when complete. Safe for concurrent use.
/// </summary>
/// <param name="destination">The folder that receives the study folders.</param>
public sealed class DimseFileWriter(string destination)
{
    private readonly string root = Path.GetFullPath(destination ?? throw new ArgumentNullException(nameof(destination)));
    private int written;

    /// <summary>Gets the number of files written so far.</summary>
    public int Written => Volatile.Read(ref written);

    /// <summary>Writes one instance (an existing file of the same instance is replaced).</summary>
    /// <param name="instance">The received instance.</param>
    /// <param name="cancellationToken">Cancels the write; the <c>.part</c> file is removed.</param>
    /// <returns>The file's path relative to the destination, with <c>/</c> separators.</returns>
    /// <exception cref="DtpException">The data set lacks its study, series or SOP instance UID, or cannot be written.</exception>
    public async Task<string> WriteAsync(DicomReceivedInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var source = $"instance {instance.SopInstanceUid} from {instance.CallingAeTitle}";
        DicomDataset header;
        try
        {
            header = DicomCodec.DecodePrefix(instance.Dataset, DicomTransferSyntax.FromUid(instance.TransferSyntaxUid), 0x0021).Dataset;
        }
        catch (DtpException ex)
        {
            throw new DtpException($"{source}: {ex.Message}", DtpErrorKind.Remote, innerException: ex);
        }

        var study = header.GetString(DicomTag.StudyInstanceUID);
        var series = header.GetString(DicomTag.SeriesInstanceUID);
        var sop = header.GetString(DicomTag.SOPInstanceUID) ?? instance.SopInstanceUid;
        if (!DicomUid.IsValid(study) || !DicomUid.IsValid(series) || !DicomUid.IsValid(sop))
        {
            throw new DtpException($"{source} lacks a valid Study, Series or SOP Instance UID, so it cannot be filed.", DtpErrorKind.Remote);
        }

        var relative = PacsLayout.SubjectFolder(study!) + "/" + PacsLayout.RelativePath(series!, header.GetInt32(DicomTag.InstanceNumber), sop);
        var target = Path.Combine(root, relative);
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        var part = Path.Combine(folder, $".{Guid.NewGuid():N}.part");
        try
        {
            await File.WriteAllBytesAsync(part, instance.ToPart10(), cancellationToken).ConfigureAwait(false);
            File.Move(part, target, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DtpException($"Cannot write {target}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }
        finally
        {
            File.Delete(part);
        }

        Interlocked.Increment(ref written);
        return relative;
    }
}
