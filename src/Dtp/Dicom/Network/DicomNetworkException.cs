namespace Dtp.Dicom.Network;

/// <summary>A DICOM network operation failed: the peer refused or aborted the association, a timeout passed, or a DIMSE status reported failure.</summary>
public sealed class DicomNetworkException : DtpException
{
    /// <summary>Creates an exception.</summary>
    public DicomNetworkException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public DicomNetworkException(string message)
        : base(message, DtpErrorKind.Remote)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public DicomNetworkException(string message, Exception? innerException)
        : base(message, DtpErrorKind.Remote, innerException: innerException)
    {
    }

    /// <summary>Creates an exception with a message, whether a retry may help, the DIMSE status (if any) and a cause.</summary>
    public DicomNetworkException(string message, bool isTransient, ushort? status = null, Exception? innerException = null)
        : base(message, DtpErrorKind.Remote, isTransient, innerException)
    {
        Status = status;
    }

    /// <summary>Gets the DIMSE status that caused the failure, or <see langword="null"/> when the association failed.</summary>
    public ushort? Status { get; }
}
