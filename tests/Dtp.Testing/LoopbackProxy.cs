using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Dtp.Testing;

/// <summary>
/// A relay on 127.0.0.1 for tests: either an HTTP forward proxy (<c>CONNECT host:port</c> tunnels for HTTPS, absolute-form
/// requests for plain HTTP), as <c>HTTPS_PROXY</c>/<c>HTTP_PROXY</c> point at, or a TLS terminator that serves HTTPS with a
/// given certificate in front of a plain HTTP server (a PACS behind a TLS gateway). Dispose to stop it.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private const int MaxHead = 16 * 1024;

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<string> requests = new();
    private readonly ConcurrentDictionary<Task, bool> relays = new();
    private readonly (string Host, int Port)? upstream;
    private readonly X509Certificate2? certificate;
    private readonly Task acceptLoop;

    private LoopbackProxy((string Host, int Port)? upstream, X509Certificate2? certificate)
    {
        this.upstream = upstream;
        this.certificate = certificate;
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Gets the loopback port.</summary>
    public int Port { get; }

    /// <summary>Gets the proxy's URL (<c>http://127.0.0.1:port</c>) or, for a TLS terminator, <c>https://127.0.0.1:port/</c>.</summary>
    public Uri Address => new(string.Create(CultureInfo.InvariantCulture, $"{(certificate is null ? "http" : "https")}://127.0.0.1:{Port}/"));

    /// <summary>Gets the first line of every request a forward proxy received, e.g. <c>CONNECT 127.0.0.1:4431 HTTP/1.1</c>.</summary>
    public IReadOnlyList<string> Requests => [.. requests];

    /// <summary>Starts an HTTP forward proxy.</summary>
    public static LoopbackProxy StartForward() => new(null, null);

    /// <summary>Starts a TLS terminator that serves <paramref name="certificate"/> and relays the plain bytes to <paramref name="upstream"/>.</summary>
    public static LoopbackProxy StartTls(Uri upstream, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        return new((upstream.Host, upstream.Port), certificate);
    }

    /// <summary>Rewrites an upstream URL to go through a TLS terminator (same path, this proxy's scheme, host and port).</summary>
    public Uri Rewrite(Uri upstreamUri) => new(Address, upstreamUri.PathAndQuery);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        await acceptLoop;
        await Task.WhenAll(relays.Keys);
        stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var relay = Task.Run(() => RelayAsync(client));
            relays[relay] = true;
            _ = relay.ContinueWith(t => relays.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                Stream inbound = client.GetStream();
                if (certificate is not null)
                {
                    var tls = new SslStream(inbound);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, stopping.Token);
                    inbound = tls;
                }

                byte[] pending = [];
                var target = upstream;
                if (target is null)
                {
                    (target, pending) = await ReadProxyRequestAsync(inbound);
                    if (target is null)
                    {
                        return;
                    }
                }

                using var outbound = new TcpClient();
                await outbound.ConnectAsync(target.Value.Host, target.Value.Port, stopping.Token);
                var upstreamStream = outbound.GetStream();
                await upstreamStream.WriteAsync(pending, stopping.Token);
                using var done = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
                var up = PumpAsync(inbound, upstreamStream, done.Token);
                var down = PumpAsync(upstreamStream, inbound, done.Token);
                await Task.WhenAny(up, down);
                await done.CancelAsync();
                await Task.WhenAll(up, down);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
            {
                // A client that gave up (an untrusted certificate, a cut connection) ends its relay.
            }
        }
    }

    /// <summary>Reads a forward-proxy request head: CONNECT answers 200 and tunnels; an absolute-form request is passed on as it is.</summary>
    private async Task<((string Host, int Port)? Target, byte[] Pending)> ReadProxyRequestAsync(Stream inbound)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < MaxHead && !(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await inbound.ReadAsync(one, stopping.Token) == 0)
            {
                return (null, []);
            }

            head.Add(one[0]);
        }

        var text = Encoding.ASCII.GetString([.. head]);
        var line = text[..text.IndexOf('\r', StringComparison.Ordinal)];
        requests.Enqueue(line);
        var parts = line.Split(' ');
        if (parts[0] == "CONNECT")
        {
            var colon = parts[1].LastIndexOf(':');
            await inbound.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), stopping.Token);
            return ((parts[1][..colon], int.Parse(parts[1][(colon + 1)..], CultureInfo.InvariantCulture)), []);
        }

        var uri = new Uri(parts[1]);
        return ((uri.Host, uri.Port), [.. head]);
    }

    private static async Task PumpAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, cancellationToken);
            await to.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side closed.
        }
    }
}
