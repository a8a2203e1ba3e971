using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dtp.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of any HTTP or TCP server that injects faults into chosen connections:
/// drops, resets, cuts after N bytes, delays, hangs, and HTTP error answers with HTML bodies (429 with Retry-After).
/// Faults apply per connection: queued ones (<see cref="FailNext"/>) first, then <see cref="DefaultFault"/>.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int MaxRequestHead = 64 * 1024;
    private const long MaxDrainedBody = 256L * 1024 * 1024;

    private readonly string upstreamHost;
    private readonly int upstreamPort;
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<Fault> queued = new();
    private readonly ConcurrentQueue<string> log = new();
    private readonly ConcurrentDictionary<int, Task> connections = new();
    private readonly Task acceptLoop;
    private int connectionCount;
    private volatile Fault defaultFault = Fault.None;

    private FaultProxy(string upstreamHost, int upstreamPort)
    {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Gets the loopback port the proxy listens on.</summary>
    public int Port { get; }

    /// <summary>Gets <c>http://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>Gets or sets the fault applied to connections when none is queued; the default value is <see cref="Fault.None"/>.</summary>
    public Fault DefaultFault
    {
        get => defaultFault;
        set => defaultFault = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets how many connections the proxy has accepted.</summary>
    public int ConnectionCount => Volatile.Read(ref connectionCount);

    /// <summary>Gets one line per accepted connection saying which fault it got.</summary>
    public IReadOnlyList<string> Log => [.. log];

    /// <summary>Starts a proxy in front of <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static FaultProxy Start(string host, int port)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        return new FaultProxy(host, port);
    }

    /// <summary>Starts a proxy in front of the host and port of <paramref name="upstream"/>.</summary>
    public static FaultProxy Start(Uri upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        return new FaultProxy(upstream.Host, upstream.Port);
    }

    /// <summary>Applies <paramref name="fault"/> to the next <paramref name="count"/> connections.</summary>
    public void FailNext(Fault fault, int count = 1)
    {
        ArgumentNullException.ThrowIfNull(fault);
        for (var i = 0; i < count; i++)
        {
            queued.Enqueue(fault);
        }
    }

    /// <summary>Returns <paramref name="upstreamUri"/> with its scheme, host and port replaced by the proxy's.</summary>
    public Uri Rewrite(Uri upstreamUri)
    {
        ArgumentNullException.ThrowIfNull(upstreamUri);
        return new UriBuilder(upstreamUri) { Scheme = "http", Host = "127.0.0.1", Port = Port }.Uri;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        try
        {
            await acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(connections.Values);
        stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await listener.AcceptSocketAsync(stopping.Token);
            var index = Interlocked.Increment(ref connectionCount);
            var fault = queued.TryDequeue(out var next) ? next : defaultFault;
            log.Enqueue($"#{index}: {fault}");
            connections[index] = Task.Run(() => HandleAsync(client, fault, index));
        }
    }

    private async Task HandleAsync(Socket client, Fault fault, int index)
    {
        var token = stopping.Token;
        try
        {
            switch (fault.Kind)
            {
                case FaultKind.Drop:
                    client.Shutdown(SocketShutdown.Both);
                    break;
                case FaultKind.Reset:
                    Abort(client);
                    break;
                case FaultKind.Hang:
                    await DrainUntilClosedAsync(client, token);
                    break;
                case FaultKind.HttpError:
                    await AnswerHttpErrorAsync(client, fault, token);
                    break;
                case FaultKind.RejectLargeBodies:
                    await RejectLargeBodiesAsync(client, fault, token);
                    break;
                case FaultKind.Delay:
                    await Task.Delay(fault.Delay, token);
                    await PumpAsync(client, fault, token);
                    break;
                default:
                    await PumpAsync(client, fault, token);
                    break;
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // A peer going away is what this proxy is for; nothing to report.
        }
        finally
        {
            client.Dispose();
            connections.TryRemove(index, out _);
        }
    }

    private async Task PumpAsync(Socket client, Fault fault, CancellationToken token)
    {
        using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await upstream.ConnectAsync(upstreamHost, upstreamPort, token);
        var requestLimit = fault.Kind == FaultKind.CutRequest ? fault.Bytes : long.MaxValue;
        var responseLimit = fault.Kind is FaultKind.CutResponse or FaultKind.ResetResponse ? fault.Bytes : long.MaxValue;
        void EndConnection()
        {
            // A limit was reached: end the connection the way the fault says.
            if (fault.Kind == FaultKind.CutResponse)
            {
                client.Shutdown(SocketShutdown.Both);
            }
            else
            {
                Abort(client);
            }

            Abort(upstream);
        }

        try
        {
            await Task.WhenAll(
                CopyAsync(client, upstream, requestLimit, EndConnection, token),
                CopyAsync(upstream, client, responseLimit, EndConnection, token));
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Copies until end of stream (then half-closes the target) or until <paramref name="limit"/> bytes (then calls <paramref name="onLimit"/>).</summary>
    private static async Task CopyAsync(Socket source, Socket target, long limit, Action onLimit, CancellationToken token)
    {
        var buffer = new byte[81920];
        long sent = 0;
        while (true)
        {
            var read = await source.ReceiveAsync(buffer, SocketFlags.None, token);
            if (read == 0)
            {
                target.Shutdown(SocketShutdown.Send);
                return;
            }

            var allowed = (int)Math.Min(read, limit - sent);
            await SendAllAsync(target, buffer.AsMemory(0, allowed), token);
            sent += allowed;
            if (sent >= limit)
            {
                onLimit();
                return;
            }
        }
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken token)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, token);
            data = data[sent..];
        }
    }

    private static async Task DrainUntilClosedAsync(Socket client, CancellationToken token)
    {
        var buffer = new byte[8192];
        while (await client.ReceiveAsync(buffer, SocketFlags.None, token) > 0)
        {
        }
    }

    private static async Task AnswerHttpErrorAsync(Socket client, Fault fault, CancellationToken token)
    {
        await ReadRequestAsync(client, token);
        await WriteHttpErrorAsync(client, fault.Status, fault.RetryAfterSeconds, token);
    }

    private static async Task WriteHttpErrorAsync(Socket client, int status, int? retryAfterSeconds, CancellationToken token)
    {
        var reason = ReasonPhrase(status);
        var body = $"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>fault-proxy</center>\r\n</body>\r\n</html>\r\n";
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}\r\n")
            .Append("Content-Type: text/html; charset=utf-8\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n")
            .Append("Connection: close\r\n");
        if (retryAfterSeconds is { } seconds)
        {
            head.Append(CultureInfo.InvariantCulture, $"Retry-After: {seconds}\r\n");
        }

        head.Append("\r\n").Append(body);
        await SendAllAsync(client, Encoding.UTF8.GetBytes(head.ToString()), token);
        client.Shutdown(SocketShutdown.Both);
    }

    /// <summary>Relays request after request (each read whole by its Content-Length); answers the first one too large itself.</summary>
    private async Task RejectLargeBodiesAsync(Socket client, Fault fault, CancellationToken token)
    {
        using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await upstream.ConnectAsync(upstreamHost, upstreamPort, token);
        var responses = CopyAsync(upstream, client, long.MaxValue, () => { }, token);
        var pending = new List<byte>();
        var buffer = new byte[81920];
        try
        {
            while (true)
            {
                int headEnd;
                while ((headEnd = IndexOf(pending, "\r\n\r\n"u8)) < 0)
                {
                    var read = await client.ReceiveAsync(buffer, SocketFlags.None, token);
                    if (read == 0)
                    {
                        upstream.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    pending.AddRange(buffer.AsSpan(0, read));
                }

                var head = Encoding.ASCII.GetString([.. pending.GetRange(0, headEnd)]);
                var length = head.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(p => long.Parse(p[1].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();
                var total = headEnd + 4 + length;
                while (pending.Count < total)
                {
                    var read = await client.ReceiveAsync(buffer, SocketFlags.None, token);
                    if (read == 0)
                    {
                        return;
                    }

                    pending.AddRange(buffer.AsSpan(0, read));
                }

                if (length > fault.Bytes)
                {
                    await WriteHttpErrorAsync(client, fault.Status, null, token);
                    Abort(upstream);
                    return;
                }

                await SendAllAsync(upstream, pending.GetRange(0, (int)total).ToArray(), token);
                pending.RemoveRange(0, (int)total);
            }
        }
        finally
        {
            try
            {
                await responses;
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Reads one HTTP request head and drains its body (by Content-Length, or to the last chunk).</summary>
    private static async Task ReadRequestAsync(Socket client, CancellationToken token)
    {
        var received = new List<byte>();
        var buffer = new byte[8192];
        int headEnd;
        while ((headEnd = IndexOf(received, "\r\n\r\n"u8)) < 0)
        {
            var read = await client.ReceiveAsync(buffer, SocketFlags.None, token);
            if (read == 0 || received.Count > MaxRequestHead)
            {
                return;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        var head = Encoding.ASCII.GetString([.. received], 0, headEnd);
        var bodySoFar = received.Count - headEnd - 4;
        var lines = head.Split("\r\n");
        var contentLength = lines.Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => long.Parse(p[1].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();
        var chunked = lines.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        if (chunked)
        {
            var tail = received.Skip(headEnd + 4).ToList();
            while (IndexOf(tail, "0\r\n\r\n"u8) < 0 && tail.Count < MaxDrainedBody)
            {
                var read = await client.ReceiveAsync(buffer, SocketFlags.None, token);
                if (read == 0)
                {
                    return;
                }

                tail.AddRange(buffer.AsSpan(0, read));
                if (tail.Count > 16)
                {
                    tail.RemoveRange(0, tail.Count - 16);
                }
            }

            return;
        }

        for (long remaining = Math.Min(contentLength, MaxDrainedBody) - bodySoFar; remaining > 0;)
        {
            var read = await client.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), SocketFlags.None, token);
            if (read == 0)
            {
                return;
            }

            remaining -= read;
        }
    }

    private static int IndexOf(List<byte> haystack, ReadOnlySpan<byte> needle) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(haystack).IndexOf(needle);

    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
}
