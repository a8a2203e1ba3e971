namespace Dtp.Dicom.Network;

/// <summary>UIDs of DICOM networking: application context, service classes and the transfer syntaxes dtp negotiates.</summary>
public static class DicomNetworkUids
{
    /// <summary>The DICOM application context name.</summary>
    public const string ApplicationContext = "1.2.840.10008.3.1.1.1";

    /// <summary>Verification SOP class (C-ECHO).</summary>
    public const string Verification = "1.2.840.10008.1.1";

    /// <summary>Study Root Query/Retrieve Information Model - FIND.</summary>
    public const string StudyRootFind = "1.2.840.10008.5.1.4.1.2.2.1";

    /// <summary>Study Root Query/Retrieve Information Model - MOVE.</summary>
    public const string StudyRootMove = "1.2.840.10008.5.1.4.1.2.2.2";

    /// <summary>Study Root Query/Retrieve Information Model - GET.</summary>
    public const string StudyRootGet = "1.2.840.10008.5.1.4.1.2.2.3";

    /// <summary>The uncompressed transfer syntaxes, preferred first.</summary>
    public static IReadOnlyList<string> Uncompressed { get; } = [DicomUid.ExplicitVRLittleEndian, DicomUid.ImplicitVRLittleEndian];

    /// <summary>
    /// Transfer syntaxes proposed each in its own presentation context so that an instance arrives as it is stored: explicit VR
    /// big endian, JPEG baseline, extended, lossless (process 14 and SV1), JPEG-LS lossless and near-lossless, JPEG 2000 lossless
    /// and lossy, RLE lossless.
    /// </summary>
    public static IReadOnlyList<string> Other { get; } =
    [
        DicomUid.ExplicitVRBigEndian,
        "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70",
        "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91",
        "1.2.840.10008.1.2.5",
    ];

    /// <summary>Gets whether dtp accepts data sets in the transfer syntax (everything above; deflate is not).</summary>
    public static bool IsSupported(string transferSyntax) => Uncompressed.Contains(transferSyntax) || Other.Contains(transferSyntax);
}
