using System.Globalization;

namespace Dtp.Storage.Irods;

/// <summary>An iRODS server refused a request; <see cref="Code"/> keeps the server's error code.</summary>
public sealed class IrodsException : DtpException
{
    /// <summary>Creates an error for an iRODS error code.</summary>
    /// <param name="code">The server's (negative) error code.</param>
    /// <param name="operation">What was asked, naming the path or user concerned.</param>
    /// <param name="serverMessage">The message the server sent with the code, if any.</param>
    public IrodsException(int code, string operation, string? serverMessage = null)
        : base(Describe(code, operation, serverMessage), DtpErrorKind.Remote, isTransient: false)
    {
        Code = code;
        ErrorName = IrodsErrors.NameOf(code);
        ServerMessage = serverMessage;
    }

    /// <summary>Creates an error with a message.</summary>
    public IrodsException()
        : this(IrodsErrors.SysInternalErr, "an iRODS request")
    {
    }

    /// <summary>Creates an error with a message.</summary>
    public IrodsException(string message)
        : base(message)
    {
        ErrorName = string.Empty;
    }

    /// <summary>Creates an error with a message and a cause.</summary>
    public IrodsException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ErrorName = string.Empty;
    }

    /// <summary>Gets the server's error code, for example -826000 for <c>CAT_INVALID_AUTHENTICATION</c>.</summary>
    public int Code { get; }

    /// <summary>Gets the symbolic name of <see cref="Code"/> (its errno part ignored), or an empty string when unknown.</summary>
    public string ErrorName { get; }

    /// <summary>Gets the message the server sent with the code, if any.</summary>
    public string? ServerMessage { get; }

    /// <summary>Gets whether the code is <paramref name="code"/>, ignoring an appended errno (e.g. -310002 is -310000).</summary>
    /// <param name="code">A base error code such as <see cref="IrodsErrors.UserFileDoesNotExist"/>.</param>
    /// <returns>Whether the codes match.</returns>
    public bool Is(int code) => IrodsErrors.BaseCode(Code) == code;

    private static string Describe(int code, string operation, string? serverMessage)
    {
        var name = IrodsErrors.NameOf(code);
        var what = name.Length == 0 ? code.ToString(CultureInfo.InvariantCulture) : $"{name} ({code.ToString(CultureInfo.InvariantCulture)})";
        var hint = IrodsErrors.BaseCode(code) switch
        {
            IrodsErrors.CatInvalidAuthentication or IrodsErrors.CatInvalidUser or IrodsErrors.PamAuthPasswordFailed =>
                " Authentication failed: check the user name, zone and password.",
            IrodsErrors.UserFileDoesNotExist or IrodsErrors.CatUnknownCollection or IrodsErrors.CatUnknownFile or IrodsErrors.ObjPathDoesNotExist =>
                " The path does not exist.",
            _ => string.Empty,
        };
        var detail = string.IsNullOrWhiteSpace(serverMessage) ? string.Empty : $" Server said: {serverMessage.Trim()}";
        return $"iRODS refused {operation}: {what}.{hint}{detail}";
    }
}
