using System.Security.Cryptography.X509Certificates;
using Dtp.Gen3.Dictionary;

namespace Dtp.Commons;

/// <summary>Settings of an embedded commons.</summary>
public sealed class CommonsOptions
{
    /// <summary>The port <c>dtp serve</c> listens on unless told otherwise.</summary>
    public const int DefaultPort = 8080;

    /// <summary>Gets or sets the folder holding the SQLite database, the signing key and the credentials files; created when absent. The default value is <c>dtp-commons</c>.</summary>
    public string DataDirectory { get; set; } = "dtp-commons";

    /// <summary>Gets or sets the TCP port; 0 picks a free one. The default value is 8080.</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Gets or sets the address to listen on. The default value is <c>127.0.0.1</c>.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Gets or sets the data dictionary. The default value is <see langword="null"/>: the SDS dictionary shipped with dtp.</summary>
    public Gen3Dictionary? Dictionary { get; set; }

    /// <summary>
    /// Gets or sets the server certificate, with its private key; when set, the commons serves HTTPS only. The default value is
    /// <see langword="null"/>: plain HTTP (loopback use).
    /// </summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Gets or sets the clock for token times and record timestamps. The default value is <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
