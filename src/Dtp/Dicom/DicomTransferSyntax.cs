namespace Dtp.Dicom;

/// <summary>How a data set is encoded: its UID, whether VRs are explicit and the byte order.</summary>
/// <param name="Uid">The transfer syntax UID.</param>
/// <param name="IsExplicitVR">Whether each element carries its VR.</param>
/// <param name="IsLittleEndian">Whether numbers are little-endian.</param>
public sealed record DicomTransferSyntax(string Uid, bool IsExplicitVR, bool IsLittleEndian)
{
    /// <summary>Implicit VR Little Endian: the default transfer syntax of DICOM.</summary>
    public static readonly DicomTransferSyntax ImplicitVRLittleEndian = new(DicomUid.ImplicitVRLittleEndian, false, true);

    /// <summary>Explicit VR Little Endian.</summary>
    public static readonly DicomTransferSyntax ExplicitVRLittleEndian = new(DicomUid.ExplicitVRLittleEndian, true, true);

    /// <summary>Explicit VR Big Endian (retired).</summary>
    public static readonly DicomTransferSyntax ExplicitVRBigEndian = new(DicomUid.ExplicitVRBigEndian, true, false);

    /// <summary>
    /// Returns the transfer syntax with the UID. Every UID other than the two implicit/big-endian ones is read as explicit VR
    /// little endian, which holds for the compressed (encapsulated) syntaxes.
    /// </summary>
    /// <exception cref="DtpException">The syntax is deflated, which dtp does not decode.</exception>
    public static DicomTransferSyntax FromUid(string uid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uid);
        return uid switch
        {
            DicomUid.ImplicitVRLittleEndian => ImplicitVRLittleEndian,
            DicomUid.ExplicitVRLittleEndian => ExplicitVRLittleEndian,
            DicomUid.ExplicitVRBigEndian => ExplicitVRBigEndian,
            DicomUid.DeflatedExplicitVRLittleEndian => throw new DtpException(
                $"The transfer syntax {uid} (Deflated Explicit VR Little Endian) is not supported.", DtpErrorKind.Local),
            _ => new DicomTransferSyntax(uid, true, true),
        };
    }
}
