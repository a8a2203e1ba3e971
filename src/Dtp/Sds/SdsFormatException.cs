namespace Dtp.Sds;

/// <summary>A metadata file cannot be read at all (not a workbook, wrong file type, malformed JSON).</summary>
public sealed class SdsFormatException : DtpException
{
    /// <summary>Creates an error about a file that cannot be read.</summary>
    public SdsFormatException()
        : this("The SDS metadata file cannot be read.", new SdsLocation("?"))
    {
    }

    /// <summary>Creates an error with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SdsFormatException(string message)
        : this(message, new SdsLocation("?"))
    {
    }

    /// <summary>Creates an error with a message and cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SdsFormatException(string message, Exception? innerException)
        : this(message, new SdsLocation("?"), innerException)
    {
    }

    /// <summary>Creates an error about the file at <paramref name="location"/>.</summary>
    /// <param name="message">What went wrong; it names the file.</param>
    /// <param name="location">The file (and cell, when known).</param>
    /// <param name="innerException">The cause, if any.</param>
    public SdsFormatException(string message, SdsLocation location, Exception? innerException = null)
        : base(message, DtpErrorKind.Local, isTransient: false, innerException)
    {
        Location = location;
    }

    /// <summary>Gets the file (and cell, when known) that cannot be read.</summary>
    public SdsLocation Location { get; }
}
