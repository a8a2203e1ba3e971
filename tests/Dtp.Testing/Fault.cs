namespace Dtp.Testing;

/// <summary>What the <see cref="FaultProxy"/> does to one connection.</summary>
public sealed class Fault
{
    private Fault(FaultKind kind, string description)
    {
        Kind = kind;
        Description = description;
    }

    /// <summary>Gets the connection passed through untouched.</summary>
    public static Fault None { get; } = new(FaultKind.None, "pass through");

    /// <summary>Gets a connection accepted and closed at once (FIN), before any byte is read or sent.</summary>
    public static Fault Drop { get; } = new(FaultKind.Drop, "drop");

    /// <summary>Gets a connection accepted and reset at once (RST).</summary>
    public static Fault Reset { get; } = new(FaultKind.Reset, "reset");

    /// <summary>Gets a connection accepted, read and never answered, until the proxy is disposed.</summary>
    public static Fault Hang { get; } = new(FaultKind.Hang, "hang");

    internal FaultKind Kind { get; }

    internal long Bytes { get; private init; }

    internal TimeSpan Delay { get; private init; }

    internal int Status { get; private init; }

    internal int? RetryAfterSeconds { get; private init; }

    internal string Description { get; }

    /// <summary>Passes the connection through, then closes it (FIN) once <paramref name="bytes"/> bytes of the response have gone to the client.</summary>
    public static Fault CutResponseAfter(long bytes) =>
        new(FaultKind.CutResponse, $"cut the response after {bytes} bytes") { Bytes = bytes };

    /// <summary>Passes the connection through, then resets it (RST) once <paramref name="bytes"/> bytes of the response have gone to the client.</summary>
    public static Fault ResetResponseAfter(long bytes) =>
        new(FaultKind.ResetResponse, $"reset the response after {bytes} bytes") { Bytes = bytes };

    /// <summary>Passes the connection through, then resets it once <paramref name="bytes"/> bytes of the request have reached the server.</summary>
    public static Fault CutRequestAfter(long bytes) =>
        new(FaultKind.CutRequest, $"cut the request after {bytes} bytes") { Bytes = bytes };

    /// <summary>Waits <paramref name="delay"/> before connecting to the server, then passes the connection through.</summary>
    public static Fault Delayed(TimeSpan delay) =>
        new(FaultKind.Delay, $"delay {delay.TotalMilliseconds} ms") { Delay = delay };

    /// <summary>
    /// Answers the first HTTP request itself with <paramref name="status"/> and an HTML body, as a failing gateway does,
    /// then closes the connection; <paramref name="retryAfterSeconds"/> adds a Retry-After header.
    /// </summary>
    public static Fault HttpError(int status, int? retryAfterSeconds = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        return new(FaultKind.HttpError, $"answer HTTP {status}") { Status = status, RetryAfterSeconds = retryAfterSeconds };
    }

    /// <summary>
    /// Passes requests through, except that a request whose Content-Length exceeds <paramref name="bytes"/> is answered by
    /// the proxy with <paramref name="status"/> and an HTML body (as nginx's <c>client_max_body_size</c> does) and the
    /// connection closed. Requests must carry Content-Length (no chunked bodies).
    /// </summary>
    public static Fault RejectBodiesOver(long bytes, int status = 413)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        return new(FaultKind.RejectLargeBodies, $"answer HTTP {status} to bodies over {bytes} bytes") { Bytes = bytes, Status = status };
    }

    /// <inheritdoc/>
    public override string ToString() => Description;
}

internal enum FaultKind
{
    None,
    Drop,
    Reset,
    Hang,
    CutResponse,
    ResetResponse,
    CutRequest,
    Delay,
    HttpError,
    RejectLargeBodies,
}
