namespace Dtp;

/// <summary>Says whether a failure came from a remote service or from local input.</summary>
public enum DtpErrorKind
{
    /// <summary>A remote service failed or refused: unreachable, authentication, not found, rejected.</summary>
    Remote,

    /// <summary>Bad local input: a file, a configuration or a value the caller gave.</summary>
    Local,
}

/// <summary>The root of every error dtp reports on purpose; its message is meant for the user.</summary>
public class DtpException : Exception
{
    /// <summary>Creates an error about a remote service.</summary>
    public DtpException()
        : this("dtp failed.")
    {
    }

    /// <summary>Creates an error about a remote service with the given message.</summary>
    public DtpException(string message)
        : this(message, DtpErrorKind.Remote)
    {
    }

    /// <summary>Creates an error about a remote service with the given message and cause.</summary>
    public DtpException(string message, Exception? innerException)
        : this(message, DtpErrorKind.Remote, isTransient: false, innerException)
    {
    }

    /// <summary>Creates an error of the given kind.</summary>
    /// <param name="message">What went wrong, naming the file, key, URL or record concerned.</param>
    /// <param name="kind">Whether a remote service or local input is at fault.</param>
    /// <param name="isTransient">Whether trying again later may succeed.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public DtpException(string message, DtpErrorKind kind, bool isTransient = false, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        IsTransient = isTransient;
    }

    /// <summary>Gets whether a remote service or local input is at fault.</summary>
    public DtpErrorKind Kind { get; }

    /// <summary>Gets whether trying again later may succeed.</summary>
    public bool IsTransient { get; }
}
