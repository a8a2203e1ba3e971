using System.Security.Cryptography.X509Certificates;

namespace Dtp.Testing.Irods;

/// <summary>How an <see cref="IrodsTestServer"/> behaves: zone, users, TLS policy, paging and replicas.</summary>
public sealed class IrodsTestServerOptions
{
    /// <summary>Gets or sets the zone name. The default value is <c>tempZone</c>.</summary>
    public string Zone { get; set; } = "tempZone";

    /// <summary>Gets the users allowed to log in with native authentication, by name, with their iRODS passwords.</summary>
    public Dictionary<string, string> Users { get; } = new(StringComparer.Ordinal) { ["rods"] = "rods" };

    /// <summary>Gets the users PAM would accept, with their PAM passwords; empty means the server has no PAM.</summary>
    public Dictionary<string, string> PamUsers { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets the server's TLS policy (<c>CS_NEG_REFUSE</c>, <c>CS_NEG_DONT_CARE</c> or <c>CS_NEG_REQUIRE</c>). The default value is <c>CS_NEG_REFUSE</c>.</summary>
    public string ClientServerPolicy { get; set; } = "CS_NEG_REFUSE";

    /// <summary>Gets or sets the server certificate (with its private key) used when TLS is negotiated.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Gets or sets the largest GenQuery page the server returns, whatever the client asks. The default value is 256 (iRODS's MAX_SQL_ROWS).</summary>
    public int MaxPageSize { get; set; } = 256;

    /// <summary>Gets or sets how many replicas each data object has; GenQuery returns one row per replica. The default value is 1.</summary>
    public int Replicas { get; set; } = 1;

    /// <summary>Gets or sets the folder that holds the zone; a temporary one (deleted with the server) when <see langword="null"/>.</summary>
    public string? RootFolder { get; set; }
}

/// <summary>One message the server received, reduced to what the wire-conformance test compares.</summary>
/// <param name="Connection">The connection's number, counting from 1.</param>
/// <param name="Type">The header type, e.g. <c>RODS_API_REQ</c>.</param>
/// <param name="IntInfo">The header's intInfo: the API number of a request.</param>
/// <param name="Elements">The body's element names in document order, nested structs included (empty without a body).</param>
/// <param name="Body">The body's XML text.</param>
public sealed record CapturedMessage(int Connection, string Type, int IntInfo, IReadOnlyList<string> Elements, string Body);
