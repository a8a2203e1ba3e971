using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml.Linq;
using Dtp.Net;
using Microsoft.Extensions.Logging;

namespace Dtp.Storage.Irods;

/// <summary>A reply to an API request: its status integer, its body and how many byte-stream bytes it carried.</summary>
internal readonly record struct IrodsReply(int IntInfo, XElement? Body, int ByteStreamLength);

/// <summary>
/// One authenticated connection to an iRODS server speaking the XML protocol: startup pack, TLS negotiation, login,
/// then one request and one reply at a time. Not thread-safe; <see cref="IrodsClient"/> pools them.
/// </summary>
internal sealed partial class IrodsConnection : IAsyncDisposable
{
    /// <summary>The release we announce; 4.2.9 and later get standard apostrophe escaping from the server.</summary>
    public const string ClientRelease = "rods4.3.0";

    private const int AuthRequestApi = 703;
    private const int AuthResponseApi = 704;
    private const int PamAuthRequestApi = 725;
    private const int ServerToClientCollectionStatus = 99999996;
    private const int ClientToServerCollectionStatusReply = 99999997;
    private const int MaxPasswordLength = 50;

    private readonly TcpClient tcp;
    private readonly IrodsClientOptions options;
    private readonly ILogger logger;
    private Stream stream;

    private IrodsConnection(TcpClient tcp, IrodsClientOptions options, ILogger logger)
    {
        this.tcp = tcp;
        this.options = options;
        this.logger = logger;
        stream = tcp.GetStream();
    }

    /// <summary>Gets the release the server announced, such as <c>rods4.3.4</c>.</summary>
    public string ServerRelease { get; private set; } = string.Empty;

    /// <summary>Gets whether the connection runs inside TLS.</summary>
    public bool IsTls { get; private set; }

    /// <summary>Gets whether the connection failed mid-message and must not be reused.</summary>
    public bool IsBroken { get; private set; }

    private string Address => $"{options.Host}:{options.Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Connects, negotiates TLS and logs in.</summary>
    public static async Task<IrodsConnection> OpenAsync(IrodsClientOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var tcp = new TcpClient { NoDelay = true, ReceiveBufferSize = 1 << 20, SendBufferSize = 1 << 20 };
        IrodsConnection? connection = null;
        try
        {
            await tcp.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
            connection = new IrodsConnection(tcp, options, logger);
            await connection.StartAsync(timeout.Token).ConfigureAwait(false);
            await connection.LoginAsync(timeout.Token).ConfigureAwait(false);
            LogConnected(logger, connection.Address, connection.ServerRelease, connection.IsTls);
            return connection;
        }
        catch (Exception ex) when (ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            tcp.Dispose();
            throw new DtpException($"Cannot connect to the iRODS server {options.Host}:{options.Port}: {ex.Message}", DtpErrorKind.Remote, isTransient: ex is not System.Security.Authentication.AuthenticationException, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            tcp.Dispose();
            throw new DtpException($"The iRODS server {options.Host}:{options.Port} did not complete the login within {options.ConnectTimeout.TotalSeconds} s.", DtpErrorKind.Remote, isTransient: true, ex);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }
            else
            {
                tcp.Dispose();
            }

            throw;
        }
    }

    /// <summary>Sends an API request and reads its reply, throwing <see cref="IrodsException"/> for a negative status.</summary>
    /// <param name="api">The API number.</param>
    /// <param name="body">The XML body, or <see langword="null"/> for none.</param>
    /// <param name="byteStream">Bytes sent after the body (file data for a write).</param>
    /// <param name="byteStreamTarget">Where the reply's byte stream goes (file data for a read).</param>
    /// <param name="operation">What is being done, for error messages.</param>
    /// <param name="cancellationToken">Cancels the call; the connection is then broken.</param>
    public async Task<IrodsReply> CallAsync(int api, string? body, ReadOnlyMemory<byte> byteStream, Memory<byte> byteStreamTarget, string operation, CancellationToken cancellationToken)
    {
        await SendRequestAsync(api, body, byteStream, operation, cancellationToken).ConfigureAwait(false);
        return await ReceiveReplyAsync(byteStreamTarget, operation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends an API request without waiting for its reply (the server answers requests in order, so reads can be pipelined).</summary>
    public async Task SendRequestAsync(int api, string? body, ReadOnlyMemory<byte> byteStream, string operation, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsBroken, this);
        try
        {
            await IrodsWire.WriteAsync(stream, IrodsWire.ApiRequest, body, byteStream, api, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            throw Lost(ex, operation);
        }
    }

    /// <summary>Reads the reply to the oldest request not yet answered.</summary>
    public async Task<IrodsReply> ReceiveReplyAsync(Memory<byte> byteStreamTarget, string operation, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsBroken, this);
        try
        {
            while (true)
            {
                var header = await IrodsWire.ReadHeaderAsync(stream, cancellationToken).ConfigureAwait(false);
                var message = await IrodsWire.ReadBytesAsync(stream, header.MessageLength, cancellationToken).ConfigureAwait(false);
                var error = await IrodsWire.ReadBytesAsync(stream, header.ErrorLength, cancellationToken).ConfigureAwait(false);
                if (header.ByteStreamLength > byteStreamTarget.Length)
                {
                    IsBroken = true;
                    throw new IrodsException($"The iRODS server {Address} sent {header.ByteStreamLength} bytes for {operation}; at most {byteStreamTarget.Length} were asked for.");
                }

                if (header.ByteStreamLength > 0)
                {
                    await stream.ReadExactlyAsync(byteStreamTarget[..header.ByteStreamLength], cancellationToken).ConfigureAwait(false);
                }

                if (header.IntInfo == ServerToClientCollectionStatus)
                {
                    // Progress of a long collection operation: acknowledge and wait for the next reply.
                    var ack = new byte[4];
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ack, ClientToServerCollectionStatusReply);
                    await stream.WriteAsync(ack, cancellationToken).ConfigureAwait(false);
                    await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (header.IntInfo < 0)
                {
                    throw new IrodsException(header.IntInfo, operation, IrodsWire.ErrorMessage(error));
                }

                var xml = message.Length == 0 ? null : IrodsWire.ParseXml(message, RootName(message));
                return new IrodsReply(header.IntInfo, xml, header.ByteStreamLength);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            throw Lost(ex, operation);
        }
    }

    /// <summary>Marks the connection unusable, so that it is closed rather than pooled.</summary>
    public void MarkBroken() => IsBroken = true;

    /// <summary>Sends <c>RODS_DISCONNECT</c> when the connection is healthy, then closes it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!IsBroken)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await IrodsWire.WriteAsync(stream, IrodsWire.Disconnect, null, ReadOnlyMemory<byte>.Empty, 0, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The server may already have gone; closing is all that is left to do.
            }
        }

        await CloseAsync().ConfigureAwait(false);
    }

    private Exception Lost(Exception ex, string operation)
    {
        IsBroken = true;
        return ex is OperationCanceledException
            ? ex
            : new DtpException($"Lost the connection to the iRODS server {Address} during {operation}: {ex.Message}", DtpErrorKind.Remote, isTransient: true, ex);
    }

    private static string RootName(byte[] xml)
    {
        var text = Encoding.UTF8.GetString(xml, 0, Math.Min(xml.Length, 200)).TrimStart();
        var end = text.IndexOfAny(['>', ' ', '/'], 1);
        return text.Length > 1 && text[0] == '<' && end > 1 ? text[1..end] : string.Empty;
    }

    private async ValueTask CloseAsync()
    {
        IsBroken = true;
        await stream.DisposeAsync().ConfigureAwait(false);
        tcp.Dispose();
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        // reconnFlag is left out (servers read it as 0), as python-irodsclient does: the wire-conformance test holds us to its messages.
        var startup = IrodsXml.Begin("StartupPack_PI")
            .Int("irodsProt", 1).Int("connectCnt", 0)
            .Str("proxyUser", options.UserName).Str("proxyRcatZone", options.Zone)
            .Str("clientUser", options.UserName).Str("clientRcatZone", options.Zone)
            .Str("relVersion", ClientRelease).Str("apiVersion", "d")
            .Str("option", $"{options.ApplicationName};request_server_negotiation")
            .End("StartupPack_PI");
        await IrodsWire.WriteAsync(stream, IrodsWire.Connect, startup, ReadOnlyMemory<byte>.Empty, 0, cancellationToken).ConfigureAwait(false);

        var (header, body) = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        var useTls = false;
        if (header.Type == IrodsWire.Negotiation)
        {
            var serverPolicy = IrodsXml.Str(IrodsWire.ParseXml(body, "CS_NEG_PI"), "result") ?? string.Empty;
            var result = Negotiate(options.ClientServerPolicy, serverPolicy);
            var reply = IrodsXml.Begin("CS_NEG_PI")
                .Int("status", result is null ? 0 : 1)
                .Str("result", $"cs_neg_result_kw={result ?? "CS_NEG_FAILURE"};")
                .End("CS_NEG_PI");
            await IrodsWire.WriteAsync(stream, IrodsWire.Negotiation, reply, ReadOnlyMemory<byte>.Empty, 0, cancellationToken).ConfigureAwait(false);
            if (result is null)
            {
                throw new IrodsException(IrodsErrors.ClientNegotiationError, $"the connection to {Address}",
                    $"the client's TLS policy {PolicyName(options.ClientServerPolicy)} and the server's {serverPolicy} cannot agree");
            }

            useTls = result == "CS_NEG_USE_SSL";
            (header, body) = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (options.ClientServerPolicy == IrodsClientServerPolicy.Require)
        {
            throw new IrodsException(IrodsErrors.ClientNegotiationError, $"the connection to {Address}", "TLS is required but the server did not negotiate");
        }

        if (header.Type != IrodsWire.Version)
        {
            throw new IrodsException($"The iRODS server {Address} answered the startup pack with {header.Type}; expected {IrodsWire.Version}.");
        }

        if (header.IntInfo < 0)
        {
            throw new IrodsException(header.IntInfo, $"the connection to {Address}");
        }

        var version = IrodsWire.ParseXml(body, "Version_PI");
        var status = IrodsXml.Int(version, "status");
        if (status < 0)
        {
            throw new IrodsException(status, $"the connection to {Address}");
        }

        ServerRelease = IrodsXml.Str(version, "relVersion") ?? string.Empty;
        if (useTls)
        {
            await StartTlsAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(IrodsHeader Header, byte[] Body)> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var header = await IrodsWire.ReadHeaderAsync(stream, cancellationToken).ConfigureAwait(false);
        var body = await IrodsWire.ReadBytesAsync(stream, header.MessageLength, cancellationToken).ConfigureAwait(false);
        var error = await IrodsWire.ReadBytesAsync(stream, header.ErrorLength, cancellationToken).ConfigureAwait(false);
        await IrodsWire.ReadBytesAsync(stream, header.ByteStreamLength, cancellationToken).ConfigureAwait(false);
        if (header.IntInfo < 0 && body.Length == 0)
        {
            throw new IrodsException(header.IntInfo, $"the connection to {Address}", IrodsWire.ErrorMessage(error));
        }

        return (header, body);
    }

    /// <summary>The negotiation table of iRODS: the result for a client and a server policy, or <see langword="null"/> when they cannot agree.</summary>
    internal static string? Negotiate(IrodsClientServerPolicy client, string server) => (client, server.Trim()) switch
    {
        (IrodsClientServerPolicy.Require, "CS_NEG_REFUSE") or (IrodsClientServerPolicy.Refuse, "CS_NEG_REQUIRE") => null,
        (IrodsClientServerPolicy.Refuse, "CS_NEG_REFUSE" or "CS_NEG_DONT_CARE") or (IrodsClientServerPolicy.DontCare, "CS_NEG_REFUSE") => "CS_NEG_USE_TCP",
        (_, "CS_NEG_REQUIRE" or "CS_NEG_DONT_CARE") => "CS_NEG_USE_SSL",
        _ => null,
    };

    private static string PolicyName(IrodsClientServerPolicy policy) => policy switch
    {
        IrodsClientServerPolicy.Require => "CS_NEG_REQUIRE",
        IrodsClientServerPolicy.DontCare => "CS_NEG_DONT_CARE",
        _ => "CS_NEG_REFUSE",
    };

    private async Task StartTlsAsync(CancellationToken cancellationToken)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        var authentication = new SslClientAuthenticationOptions { TargetHost = options.Host };
        if (options.CaCertificateFile is { } caFile)
        {
            authentication.RemoteCertificateValidationCallback = CertificateAuthority.CreateValidator(caFile);
        }

        await ssl.AuthenticateAsClientAsync(authentication, cancellationToken).ConfigureAwait(false);
        stream = ssl;
        IsTls = true;

        // The encryption settings and shared secret a server expects; they only key encrypted parallel-transfer portals.
        const int keySize = 32;
        var settings = IrodsWire.PackHeader("AES-256-CBC", keySize, 8, 16, 0);
        await stream.WriteAsync(settings, cancellationToken).ConfigureAwait(false);
        var secretHeader = IrodsWire.PackHeader("SHARED_SECRET", keySize, 0, 0, 0);
        await stream.WriteAsync(secretHeader, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(RandomNumberGenerator.GetBytes(keySize), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task LoginAsync(CancellationToken cancellationToken)
    {
        var password = options.Password;
        if (options.AuthenticationScheme == IrodsAuthenticationScheme.Pam)
        {
            if (!IsTls)
            {
                throw new DtpException(
                    $"PAM authentication sends the password itself, so it needs TLS, but the connection to {Address} is plain TCP (set irods_client_server_policy to CS_NEG_REQUIRE, or use a server that requires TLS).",
                    DtpErrorKind.Local);
            }

            var pam = IrodsXml.Begin("pamAuthRequestInp_PI")
                .Str("pamUser", options.UserName).Str("pamPassword", options.Password).Int("timeToLive", options.PamTimeToLiveHours)
                .End("pamAuthRequestInp_PI");
            var pamReply = await CallAsync(PamAuthRequestApi, pam, ReadOnlyMemory<byte>.Empty, Memory<byte>.Empty, $"PAM authentication of {options.UserName}", cancellationToken).ConfigureAwait(false);
            password = pamReply.Body is null ? null : IrodsXml.Str(pamReply.Body, "irodsPamPassword");
            if (string.IsNullOrEmpty(password))
            {
                throw new IrodsException($"The iRODS server {Address} accepted the PAM password but sent no iRODS password.");
            }
        }

        var challengeReply = await CallAsync(AuthRequestApi, null, ReadOnlyMemory<byte>.Empty, Memory<byte>.Empty, $"the login of {options.UserName}", cancellationToken).ConfigureAwait(false);
        var challengeText = challengeReply.Body is null ? null : IrodsXml.Str(challengeReply.Body, "challenge");
        if (challengeText is null)
        {
            throw new IrodsException($"The iRODS server {Address} sent no authentication challenge.");
        }

        var response = ChallengeResponse(Convert.FromBase64String(challengeText), password);
        var answer = IrodsXml.Begin("authResponseInp_PI").Bin("response", response).Str("username", options.UserName).End("authResponseInp_PI");
        await CallAsync(AuthResponseApi, answer, ReadOnlyMemory<byte>.Empty, Memory<byte>.Empty, $"the login of {options.UserName}#{options.Zone}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The native scheme's answer: MD5 over the 64-byte challenge and the password NUL-padded to 50 bytes,
    /// with every zero byte of the digest replaced by one.
    /// </summary>
    internal static byte[] ChallengeResponse(ReadOnlySpan<byte> challenge, string password)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        if (passwordBytes.Length > MaxPasswordLength)
        {
            throw new DtpException($"The iRODS password is {passwordBytes.Length} bytes long; iRODS allows at most {MaxPasswordLength}.", DtpErrorKind.Local);
        }

        var input = new byte[challenge.Length + MaxPasswordLength];
        challenge.CopyTo(input);
        passwordBytes.CopyTo(input, challenge.Length);
#pragma warning disable CA5351 // The iRODS native scheme is defined with MD5; nothing else is accepted by the server.
        var digest = MD5.HashData(input);
#pragma warning restore CA5351
        for (var i = 0; i < digest.Length; i++)
        {
            if (digest[i] == 0)
            {
                digest[i] = 1;
            }
        }

        return digest;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Logged in to iRODS {Address} ({Release}, TLS {Tls})")]
    private static partial void LogConnected(ILogger logger, string address, string release, bool tls);
}
