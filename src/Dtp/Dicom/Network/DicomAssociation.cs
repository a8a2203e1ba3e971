using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace Dtp.Dicom.Network;

/// <summary>A DIMSE message: a command set, the presentation context it travelled on and its data set's bytes (if any).</summary>
/// <param name="ContextId">The presentation context.</param>
/// <param name="Command">The command set (group 0000).</param>
/// <param name="Data">The data set, encoded in the context's transfer syntax, or <see langword="null"/>.</param>
internal sealed record DimseMessage(byte ContextId, DicomDataset Command, byte[]? Data);

/// <summary>Timeouts and limits of an association.</summary>
public sealed class DicomTimeouts
{
    /// <summary>Gets or sets how long a TCP connection may take. The default value is 10 seconds.</summary>
    public TimeSpan Connect { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the ARTIM timer: how long to wait for an association's accept/reject, request or release answer. The default value is 30 seconds.</summary>
    public TimeSpan Artim { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long a read may wait for the peer's next PDU once associated. The default value is 5 minutes.</summary>
    public TimeSpan Read { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// An established DICOM association (PS3.8) over TCP: sends and receives DIMSE messages in P-DATA-TF PDUs fragmented to the
/// peer's maximum PDU length, releases or aborts. Used by <see cref="DicomClient"/> and <see cref="DicomStorageServer"/>.
/// </summary>
internal sealed class DicomAssociation : IAsyncDisposable
{
    /// <summary>The maximum PDU length dtp announces.</summary>
    public const uint OwnMaxPduLength = 256 * 1024;

    private const int MaxAcceptedPdu = 64 * 1024 * 1024;
    private readonly TcpClient tcp;
    private readonly Stream stream;
    private readonly DicomTimeouts timeouts;
    private readonly Dictionary<byte, DicomPresentationContext> contexts;
    private readonly int peerMaxPdu;
    private bool closed;

    private DicomAssociation(TcpClient tcp, DicomTimeouts timeouts, string peer, IEnumerable<DicomPresentationContext> contexts, uint peerMaxPdu, string localAeTitle, string remoteAeTitle)
    {
        this.tcp = tcp;
        stream = tcp.GetStream();
        this.timeouts = timeouts;
        Peer = peer;
        this.contexts = contexts.ToDictionary(c => c.Id);
        this.peerMaxPdu = peerMaxPdu is 0 or > 16 * 1024 * 1024 ? 16 * 1024 * 1024 : (int)Math.Max(peerMaxPdu, 1024);
        LocalAeTitle = localAeTitle;
        RemoteAeTitle = remoteAeTitle;
    }

    /// <summary>Gets the peer for messages, e.g. <c>ORTHANC@127.0.0.1:4242 (as DTP)</c>.</summary>
    public string Peer { get; }

    /// <summary>Gets our AE title.</summary>
    public string LocalAeTitle { get; }

    /// <summary>Gets the peer's AE title.</summary>
    public string RemoteAeTitle { get; }

    /// <summary>Gets the negotiated presentation contexts.</summary>
    public IReadOnlyCollection<DicomPresentationContext> Contexts => contexts.Values;

    /// <summary>Connects and negotiates an association as requestor.</summary>
    /// <exception cref="DicomNetworkException">The connection failed, the association was rejected or the peer did not answer in time.</exception>
    public static async Task<DicomAssociation> ConnectAsync(
        string host, int port, string callingAeTitle, string calledAeTitle, IReadOnlyList<DicomPresentationContext> proposed,
        DicomTimeouts timeouts, CancellationToken cancellationToken)
    {
        var peer = $"{calledAeTitle}@{host}:{port} (calling AE title {callingAeTitle})";
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connect.CancelAfter(timeouts.Connect);
                try
                {
                    await tcp.ConnectAsync(host, port, connect.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new DicomNetworkException($"Connecting to {peer} timed out after {timeouts.Connect.TotalSeconds:0.#} s.", isTransient: true);
                }
                catch (SocketException ex)
                {
                    throw new DicomNetworkException($"Cannot connect to {peer}: {ex.Message}.", isTransient: true, innerException: ex);
                }
            }

            var request = new AssociateData { CalledAeTitle = calledAeTitle, CallingAeTitle = callingAeTitle, MaxPduLength = OwnMaxPduLength };
            request.Contexts.AddRange(proposed);
            foreach (var context in proposed.Where(c => c.RequestorIsScp))
            {
                request.Roles[context.AbstractSyntax] = (false, true);
            }

            var stream = tcp.GetStream();
            await WritePduAsync(stream, PduType.AssociateRequest, request.Encode(accept: false), cancellationToken).ConfigureAwait(false);
            var answer = await ReadPduAsync(stream, timeouts.Artim, peer, "the association answer", cancellationToken).ConfigureAwait(false);
            switch (answer.Type)
            {
                case PduType.AssociateAccept:
                    var accepted = AssociateData.Decode(answer.Body, accept: true);
                    var negotiated = accepted.Contexts
                        .Select(a => proposed.FirstOrDefault(p => p.Id == a.Id) is { } p ? p with { Result = a.Result, AcceptedTransferSyntax = a.AcceptedTransferSyntax } : null)
                        .OfType<DicomPresentationContext>()
                        .ToList();
                    return new DicomAssociation(tcp, timeouts, peer, negotiated, accepted.MaxPduLength, callingAeTitle, calledAeTitle);
                case PduType.AssociateReject when answer.Body.Length >= 4:
                    throw new DicomNetworkException(
                        $"{peer} rejected the association ({(answer.Body[1] == 1 ? "permanent" : "transient")}): {RejectReason(answer.Body[2], answer.Body[3])}.",
                        isTransient: answer.Body[1] == 2);
                case PduType.Abort:
                    throw new DicomNetworkException($"{peer} aborted the association request: {AbortReason(answer.Body)}.", isTransient: true);
                default:
                    throw new DicomNetworkException($"{peer} answered the association request with an unexpected PDU of type {(byte)answer.Type}.");
            }
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Waits for an A-ASSOCIATE-RQ on an accepted connection and answers it.</summary>
    /// <param name="tcp">The connection (owned by the association from now on).</param>
    /// <param name="decide">Given the request, returns the negotiated contexts, or a rejection (result, source, reason).</param>
    /// <param name="timeouts">The timeouts.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The association, or <see langword="null"/> when it was rejected.</returns>
    public static async Task<DicomAssociation?> AcceptAsync(
        TcpClient tcp, Func<AssociateData, (IReadOnlyList<DicomPresentationContext>? Contexts, (byte Result, byte Source, byte Reason) Reject)> decide,
        DicomTimeouts timeouts, CancellationToken cancellationToken)
    {
        tcp.NoDelay = true;
        var stream = tcp.GetStream();
        var remote = tcp.Client.RemoteEndPoint?.ToString() ?? "?";
        try
        {
            var pdu = await ReadPduAsync(stream, timeouts.Artim, $"the peer at {remote}", "an association request", cancellationToken).ConfigureAwait(false);
            if (pdu.Type != PduType.AssociateRequest)
            {
                await WritePduAsync(stream, PduType.Abort, [0, 0, 2, 2], cancellationToken).ConfigureAwait(false);
                tcp.Dispose();
                return null;
            }

            var request = AssociateData.Decode(pdu.Body, accept: false);
            var (negotiated, reject) = decide(request);
            if (negotiated is null)
            {
                await WritePduAsync(stream, PduType.AssociateReject, [0, reject.Result, reject.Source, reject.Reason], cancellationToken).ConfigureAwait(false);
                tcp.Dispose();
                return null;
            }

            var answer = new AssociateData { CalledAeTitle = request.CalledAeTitle, CallingAeTitle = request.CallingAeTitle, MaxPduLength = OwnMaxPduLength };
            answer.Contexts.AddRange(negotiated);
            foreach (var (sopClass, (scu, _)) in request.Roles)
            {
                answer.Roles[sopClass] = (scu, false);
            }

            await WritePduAsync(stream, PduType.AssociateAccept, answer.Encode(accept: true), cancellationToken).ConfigureAwait(false);
            return new DicomAssociation(tcp, timeouts, $"{request.CallingAeTitle}@{remote} (called AE title {request.CalledAeTitle})", negotiated, request.MaxPduLength, request.CalledAeTitle, request.CallingAeTitle);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Returns an accepted context for the SOP class, preferring the transfer syntax given, or <see langword="null"/>.</summary>
    public DicomPresentationContext? FindContext(string abstractSyntax, string? transferSyntax = null)
    {
        var accepted = contexts.Values.Where(c => c.Result == 0 && c.AbstractSyntax == abstractSyntax).ToList();
        return accepted.FirstOrDefault(c => c.AcceptedTransferSyntax == transferSyntax) ?? accepted.FirstOrDefault();
    }

    /// <summary>Returns the negotiated context with the id.</summary>
    public DicomPresentationContext? GetContext(byte id) => contexts.GetValueOrDefault(id);

    /// <summary>Sends a command (implicit VR little endian) and optionally a data set already encoded in the context's transfer syntax.</summary>
    public async Task SendAsync(byte contextId, DicomDataset command, ReadOnlyMemory<byte>? data, CancellationToken cancellationToken)
    {
        command.Remove(DimseTags.CommandGroupLength);
        command.SetUInt16(DimseTags.CommandDataSetType, data is null ? (ushort)0x0101 : (ushort)0x0000);
        var length = DicomCodec.EncodedLength(command, DicomTransferSyntax.ImplicitVRLittleEndian);
        command.SetUInt32(DimseTags.CommandGroupLength, checked((uint)length));
        var encoded = DicomCodec.Encode(command, DicomTransferSyntax.ImplicitVRLittleEndian);
        await SendFragmentsAsync(contextId, encoded, isCommand: true, cancellationToken).ConfigureAwait(false);
        if (data is { } bytes)
        {
            await SendFragmentsAsync(contextId, bytes, isCommand: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Receives the next DIMSE message; answers a release request and returns <see langword="null"/> then.</summary>
    /// <exception cref="DicomNetworkException">The peer aborted, closed the connection, sent something unexpected or was silent too long.</exception>
    public async Task<DimseMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        ArrayBufferWriter<byte>? command = null;
        ArrayBufferWriter<byte>? data = null;
        byte contextId = 0;
        DicomDataset? commandSet = null;
        while (true)
        {
            var pdu = await ReadPduAsync(stream, timeouts.Read, Peer, "the next message", cancellationToken).ConfigureAwait(false);
            switch (pdu.Type)
            {
                case PduType.Data:
                    break;
                case PduType.ReleaseRequest:
                    await WritePduAsync(stream, PduType.ReleaseResponse, new byte[4], cancellationToken).ConfigureAwait(false);
                    closed = true;
                    return null;
                case PduType.Abort:
                    closed = true;
                    throw new DicomNetworkException($"{Peer} aborted the association: {AbortReason(pdu.Body)}.", isTransient: true);
                default:
                    await AbortAsync(CancellationToken.None).ConfigureAwait(false);
                    throw new DicomNetworkException($"{Peer} sent an unexpected PDU of type {(byte)pdu.Type} during the association; aborted.");
            }

            var offset = 0;
            var body = pdu.Body;
            while (offset + 6 <= body.Length)
            {
                var itemLength = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset));
                if (itemLength < 2 || offset + 4 + itemLength > body.Length)
                {
                    await AbortAsync(CancellationToken.None).ConfigureAwait(false);
                    throw new DicomNetworkException($"{Peer} sent a malformed P-DATA-TF PDU; aborted.");
                }

                contextId = body[offset + 4];
                var header = body[offset + 5];
                var fragment = body.AsSpan(offset + 6, itemLength - 2);
                offset += 4 + itemLength;
                var isCommand = (header & 1) == 1;
                var isLast = (header & 2) == 2;
                var target = isCommand ? command ??= new ArrayBufferWriter<byte>() : data ??= new ArrayBufferWriter<byte>(256 * 1024);
                target.Write(fragment);
                if (!isLast)
                {
                    continue;
                }

                if (isCommand)
                {
                    commandSet = DicomCodec.Decode(command!.WrittenMemory.ToArray(), DicomTransferSyntax.ImplicitVRLittleEndian);
                    if (commandSet.GetUInt16(DimseTags.CommandDataSetType) == 0x0101)
                    {
                        return new DimseMessage(contextId, commandSet, null);
                    }
                }
                else if (commandSet is not null)
                {
                    return new DimseMessage(contextId, commandSet, data!.WrittenSpan.ToArray());
                }
            }
        }
    }

    /// <summary>Releases the association (A-RELEASE-RQ, waits for A-RELEASE-RP) and closes the connection.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (closed)
        {
            return;
        }

        closed = true;
        try
        {
            await WritePduAsync(stream, PduType.ReleaseRequest, new byte[4], cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var pdu = await ReadPduAsync(stream, timeouts.Artim, Peer, "the release answer", cancellationToken).ConfigureAwait(false);
                if (pdu.Type is PduType.ReleaseResponse or PduType.Abort)
                {
                    return;
                }
            }
        }
        catch (DicomNetworkException)
        {
            // the peer closed without answering: the association is over either way
        }
    }

    /// <summary>Sends an A-ABORT (service user) and closes the connection.</summary>
    public async Task AbortAsync(CancellationToken cancellationToken)
    {
        if (closed)
        {
            return;
        }

        closed = true;
        try
        {
            await WritePduAsync(stream, PduType.Abort, [0, 0, 0, 0], cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // already gone
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!closed)
        {
            await AbortAsync(CancellationToken.None).ConfigureAwait(false);
        }

        tcp.Dispose();
    }

    private async Task SendFragmentsAsync(byte contextId, ReadOnlyMemory<byte> bytes, bool isCommand, CancellationToken cancellationToken)
    {
        var maxFragment = peerMaxPdu - 6;
        var offset = 0;
        do
        {
            var length = Math.Min(maxFragment, bytes.Length - offset);
            var last = offset + length == bytes.Length;
            var pdu = new byte[6 + 4 + 2 + length];
            pdu[0] = (byte)PduType.Data;
            BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)(6 + length));
            BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(6), (uint)(2 + length));
            pdu[10] = contextId;
            pdu[11] = (byte)((isCommand ? 1 : 0) | (last ? 2 : 0));
            bytes.Span.Slice(offset, length).CopyTo(pdu.AsSpan(12));
            await WriteAsync(stream, pdu, Peer, cancellationToken).ConfigureAwait(false);
            offset += length;
        }
        while (offset < bytes.Length);
    }

    private static async Task WritePduAsync(Stream stream, PduType type, byte[] body, CancellationToken cancellationToken)
    {
        var pdu = new byte[6 + body.Length];
        pdu[0] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)body.Length);
        body.CopyTo(pdu, 6);
        await WriteAsync(stream, pdu, "the peer", cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteAsync(Stream stream, byte[] bytes, string peer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new DicomNetworkException($"Sending to {peer} failed: {ex.Message}", isTransient: true, innerException: ex);
        }
    }

    private static async Task<Pdu> ReadPduAsync(Stream stream, TimeSpan timeout, string peer, string waitingFor, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            var header = new byte[6];
            await stream.ReadExactlyAsync(header, timer.Token).ConfigureAwait(false);
            var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2));
            if (length > MaxAcceptedPdu)
            {
                throw new DicomNetworkException($"{peer} sent a PDU of {length} bytes, more than the {MaxAcceptedPdu} dtp accepts.");
            }

            var body = new byte[length];
            await stream.ReadExactlyAsync(body, timer.Token).ConfigureAwait(false);
            return new Pdu((PduType)header[0], body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DicomNetworkException($"{peer} sent nothing for {timeout.TotalSeconds:0.#} s while dtp waited for {waitingFor}.", isTransient: true);
        }
        catch (EndOfStreamException ex)
        {
            throw new DicomNetworkException($"{peer} closed the connection while dtp waited for {waitingFor}.", isTransient: true, innerException: ex);
        }
        catch (IOException ex)
        {
            throw new DicomNetworkException($"Reading from {peer} failed while dtp waited for {waitingFor}: {ex.Message}", isTransient: true, innerException: ex);
        }
    }

    private static string RejectReason(byte source, byte reason) => (source, reason) switch
    {
        (1, 2) => "application context name not supported",
        (1, 3) => "calling AE title not recognized",
        (1, 7) => "called AE title not recognized",
        (1, _) => "rejected by the service user, no reason given",
        (2, 2) => "protocol version not supported",
        (2, _) => "rejected by the ACSE service provider, no reason given",
        (3, 1) => "temporary congestion",
        (3, 2) => "local limit exceeded",
        _ => $"source {source}, reason {reason}",
    };

    private static string AbortReason(byte[] body) => body.Length < 4 ? "no reason given" : (body[2], body[3]) switch
    {
        (0, _) => "aborted by the service user",
        (2, 1) => "unrecognized PDU",
        (2, 2) => "unexpected PDU",
        (2, 4) => "unrecognized PDU parameter",
        (2, 5) => "unexpected PDU parameter",
        (2, 6) => "invalid PDU parameter value",
        _ => $"source {body[2]}, reason {body[3]}",
    };
}
