namespace Dtp.Storage.Irods;

/// <summary>How the client proves who it is.</summary>
public enum IrodsAuthenticationScheme
{
    /// <summary>iRODS's own challenge-response with the iRODS password (<c>native</c>).</summary>
    Native,

    /// <summary>The password goes to the server inside TLS and is checked by PAM (<c>pam_password</c>, <c>pam</c>).</summary>
    Pam,
}

/// <summary>The client's side of the TLS negotiation (<c>irods_client_server_policy</c>).</summary>
public enum IrodsClientServerPolicy
{
    /// <summary><c>CS_NEG_REFUSE</c>: plain TCP only.</summary>
    Refuse,

    /// <summary><c>CS_NEG_DONT_CARE</c>: TLS when the server requires or allows it.</summary>
    DontCare,

    /// <summary><c>CS_NEG_REQUIRE</c>: TLS or nothing.</summary>
    Require,
}

/// <summary>Where an iRODS server is and how to log in to it.</summary>
public sealed class IrodsClientOptions
{
    /// <summary>Gets or sets the server's host name (the TLS certificate must name it).</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>Gets or sets the server's port. The default value is 1247.</summary>
    public int Port { get; set; } = 1247;

    /// <summary>Gets or sets the user name.</summary>
    public string UserName { get; set; } = string.Empty;

    /// <summary>Gets or sets the user's zone.</summary>
    public string Zone { get; set; } = string.Empty;

    /// <summary>Gets or sets the password (the iRODS password for native authentication, the PAM password for PAM).</summary>
    public string Password { get; set; } = string.Empty;

    /// <summary>Gets or sets the authentication scheme. The default value is <see cref="IrodsAuthenticationScheme.Native"/>.</summary>
    public IrodsAuthenticationScheme AuthenticationScheme { get; set; } = IrodsAuthenticationScheme.Native;

    /// <summary>Gets or sets the TLS policy. The default value is <see cref="IrodsClientServerPolicy.DontCare"/>: TLS when the server wants it.</summary>
    public IrodsClientServerPolicy ClientServerPolicy { get; set; } = IrodsClientServerPolicy.DontCare;

    /// <summary>Gets or sets a PEM file of CA certificates to trust instead of the system's (<c>irods_ssl_ca_certificate_file</c>).</summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>Gets or sets how many connections the client keeps open at most (parallel transfers use one each). The default value is 4.</summary>
    public int MaxConnections { get; set; } = 4;

    /// <summary>Gets or sets the size of each read or write request (two reads are kept in flight). The default value is 1 MiB, which measured faster than 4 MiB.</summary>
    public int ChunkSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Gets or sets the size from which one data object is downloaded over several connections at once (up to
    /// <see cref="MaxConnections"/>), when <see cref="MaxConnections"/> is more than 1. The default value is 64 MiB: below it,
    /// logging in the extra connections and keeping the ranges record cost about what the parallel transfer saves.
    /// </summary>
    public long ParallelThreshold { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets how many rows one GenQuery page asks for. The default value is 500.</summary>
    public int QueryPageSize { get; set; } = 500;

    /// <summary>Gets or sets how long a PAM-issued iRODS password should live, in hours; 0 lets the server decide. The default value is 0.</summary>
    public int PamTimeToLiveHours { get; set; }

    /// <summary>Gets or sets the time allowed to connect and log in. The default value is 30 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the application name sent in the startup pack. The default value is <c>dtp</c>.</summary>
    public string ApplicationName { get; set; } = "dtp";

    /// <summary>Throws when a required setting is missing or out of range.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Host);
        ArgumentException.ThrowIfNullOrWhiteSpace(UserName);
        ArgumentException.ThrowIfNullOrWhiteSpace(Zone);
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkSize, 4096);
        ArgumentOutOfRangeException.ThrowIfLessThan(QueryPageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ParallelThreshold, 1);
    }
}
