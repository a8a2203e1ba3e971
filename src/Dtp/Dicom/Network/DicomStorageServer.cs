using System.Net;
using System.Net.Sockets;

namespace Dtp.Dicom.Network;

/// <summary>How a <see cref="DicomStorageServer"/> listens.</summary>
public sealed class DicomStorageServerOptions
{
    /// <summary>Gets or sets the server's AE title; associations calling another title are rejected ("called AE title not recognized").</summary>
    public required string AeTitle { get; set; }

    /// <summary>Gets or sets the address to listen on. The default value is the IPv4 loopback address.</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>Gets or sets the port; 0 picks a free one. The default value is 0.</summary>
    public int Port { get; set; }

    /// <summary>Gets the timeouts.</summary>
    public DicomTimeouts Timeouts { get; init; } = new();
}

/// <summary>
/// A storage SCP (PS3.4 B) with verification: accepts associations called by its AE title, answers C-ECHO, and hands each
/// C-STORE's data set (in the transfer syntax it arrived in) to a callback. Serves a C-MOVE destination and <c>dtp pacs listen</c>.
/// </summary>
public sealed class DicomStorageServer : IAsyncDisposable
{
    private const string StoragePrefix = "1.2.840.10008.5.1.4.1.1.";
    private readonly TcpListener listener;
    private readonly DicomStorageServerOptions options;
    private readonly Func<DicomReceivedInstance, CancellationToken, Task> onInstance;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task acceptLoop;
    private readonly List<Task> connections = [];

    private DicomStorageServer(TcpListener listener, DicomStorageServerOptions options, Func<DicomReceivedInstance, CancellationToken, Task> onInstance)
    {
        this.listener = listener;
        this.options = options;
        this.onInstance = onInstance;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Gets the port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Gets the server's AE title.</summary>
    public string AeTitle => options.AeTitle;

    /// <summary>Starts listening.</summary>
    /// <param name="options">Where to listen and under which AE title.</param>
    /// <param name="onInstance">Receives each stored instance; an exception makes the C-STORE answer a failure status with the message as error comment.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="DicomNetworkException">The port cannot be bound.</exception>
    public static DicomStorageServer Start(DicomStorageServerOptions options, Func<DicomReceivedInstance, CancellationToken, Task> onInstance)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onInstance);
        var listener = new TcpListener(options.Address, options.Port);
        try
        {
            listener.Start();
        }
        catch (SocketException ex)
        {
            throw new DicomNetworkException($"Cannot listen on {options.Address}:{options.Port} as {options.AeTitle}: {ex.Message}.", ex);
        }

        return new DicomStorageServer(listener, options, onInstance);
    }

    /// <summary>Stops listening, aborts open associations and waits for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        listener.Stop();
        await acceptLoop.ConfigureAwait(false);
        Task[] open;
        lock (connections)
        {
            open = [.. connections];
        }

        await Task.WhenAll(open).ConfigureAwait(false);
        stopping.Dispose();
    }

    /// <summary>Answers a C-STORE request: passes the data set on and sends the response; returns the callback's exception, if any.</summary>
    internal static async Task<Exception?> StoreAsync(DicomAssociation association, DimseMessage message, Func<DicomReceivedInstance, CancellationToken, Task> onInstance, CancellationToken cancellationToken)
    {
        var context = association.GetContext(message.ContextId);
        Exception? error = null;
        ushort status = 0;
        string? comment = null;
        if (context?.AcceptedTransferSyntax is not { } syntax || message.Data is null)
        {
            status = 0xC000;
            comment = "no data set or unknown presentation context";
        }
        else
        {
            try
            {
                var instance = new DicomReceivedInstance(
                    message.Command.GetString(DimseTags.AffectedSopClassUid) ?? context.AbstractSyntax,
                    message.Command.GetString(DimseTags.AffectedSopInstanceUid) ?? string.Empty,
                    syntax,
                    message.Data,
                    association.RemoteAeTitle);
                await onInstance(instance, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                error = ex;
                status = 0xA700;
                comment = ex.Message.Length > 64 ? ex.Message[..64] : ex.Message;
            }
        }

        var response = DimseTags.Response(message.Command, DimseTags.CStoreResponse, status);
        if (comment is not null)
        {
            response.SetString(DimseTags.ErrorComment, DicomVR.LO, comment);
        }

        await association.SendAsync(message.ContextId, response, null, cancellationToken).ConfigureAwait(false);
        return error;
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await listener.AcceptTcpClientAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var task = ServeAsync(tcp);
            lock (connections)
            {
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(task);
            }
        }
    }

    private async Task ServeAsync(TcpClient tcp)
    {
        var token = stopping.Token;
        try
        {
            await using var association = await DicomAssociation.AcceptAsync(tcp, Negotiate, options.Timeouts, token).ConfigureAwait(false);
            if (association is null)
            {
                return;
            }

            while (await association.ReceiveAsync(token).ConfigureAwait(false) is { } message)
            {
                var field = message.Command.GetUInt16(DimseTags.CommandField);
                if (field == DimseTags.CStoreRequest)
                {
                    await StoreAsync(association, message, onInstance, token).ConfigureAwait(false);
                }
                else
                {
                    var status = field == DimseTags.CEchoRequest ? (ushort)0 : (ushort)0x0211;
                    var response = DimseTags.Response(message.Command, (ushort)((field ?? 0) | 0x8000), status);
                    await association.SendAsync(message.ContextId, response, null, token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is DicomNetworkException or OperationCanceledException or IOException or ObjectDisposedException or InvalidDataException)
        {
            // the association ended badly; the server keeps serving others
        }
    }

    private (IReadOnlyList<DicomPresentationContext>? Contexts, (byte, byte, byte) Reject) Negotiate(AssociateData request)
    {
        if (!string.Equals(request.CalledAeTitle, options.AeTitle, StringComparison.Ordinal))
        {
            return (null, (1, 1, 7));
        }

        var contexts = request.Contexts.Select(c =>
        {
            if (c.AbstractSyntax != DicomNetworkUids.Verification && !c.AbstractSyntax.StartsWith(StoragePrefix, StringComparison.Ordinal))
            {
                return c with { Result = 3 };
            }

            var syntax = c.TransferSyntaxes.FirstOrDefault(DicomNetworkUids.IsSupported);
            return syntax is null ? c with { Result = 4 } : c with { Result = 0, AcceptedTransferSyntax = syntax };
        }).ToList();
        return (contexts, default);
    }
}
