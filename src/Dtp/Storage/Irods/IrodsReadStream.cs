using System.Buffers;

namespace Dtp.Storage.Irods;

/// <summary>
/// Reads an open data object chunk by chunk (<c>DATA_OBJ_READ</c>) and closes it when disposed. Two read requests are kept in
/// flight, so the server reads and sends the next chunk while the caller consumes this one; when the object's size is known,
/// no request is made past its end.
/// </summary>
internal sealed class IrodsReadStream : Stream
{
    private const int Pipeline = 2;

    private readonly IrodsClient client;
    private readonly IrodsConnection connection;
    private readonly int descriptor;
    private readonly string path;
    private readonly int chunkSize;
    private readonly Queue<int> inFlight = new();
    private long unrequested;
    private byte[]? buffer;
    private int bufferOffset;
    private int bufferCount;
    private bool endOfFile;
    private bool closed;

    /// <param name="client">The client the connection goes back to.</param>
    /// <param name="connection">The connection holding the open descriptor.</param>
    /// <param name="descriptor">The descriptor (l1descInx).</param>
    /// <param name="path">The object's path, for messages.</param>
    /// <param name="chunkSize">The size of each read request.</param>
    /// <param name="remaining">How many bytes are left to read, or -1 when unknown.</param>
    public IrodsReadStream(IrodsClient client, IrodsConnection connection, int descriptor, string path, int chunkSize, long remaining)
    {
        this.client = client;
        this.connection = connection;
        this.descriptor = descriptor;
        this.path = path;
        this.chunkSize = chunkSize;
        unrequested = remaining;
    }

    public override bool CanRead => !closed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(closed, this);
        if (destination.IsEmpty)
        {
            return 0;
        }

        if (bufferCount > 0)
        {
            return TakeBuffered(destination.Span);
        }

        if (endOfFile)
        {
            return 0;
        }

        if (destination.Length >= chunkSize)
        {
            return await ReadChunkAsync(destination[..chunkSize], cancellationToken).ConfigureAwait(false);
        }

        buffer ??= ArrayPool<byte>.Shared.Rent(chunkSize);
        bufferOffset = 0;
        bufferCount = await ReadChunkAsync(buffer.AsMemory(0, chunkSize), cancellationToken).ConfigureAwait(false);
        return TakeBuffered(destination.Span);
    }

    /// <summary>Moves to another part of the object (<c>DATA_OBJ_LSEEK</c>); only between reads, with none in flight and nothing buffered.</summary>
    /// <param name="offset">The first byte wanted.</param>
    /// <param name="end">Where reading stops, or -1 for the object's end.</param>
    /// <param name="cancellationToken">Cancels the seek.</param>
    public async Task SeekAsync(long offset, long end, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(closed, this);
        if (inFlight.Count > 0 || bufferCount > 0)
        {
            throw new InvalidOperationException($"Cannot seek in {path} while a read is in flight.");
        }

        var seek = IrodsClient.OpenedDataObjInp(descriptor, 0, whence: 0, offset);
        await connection.CallAsync(IrodsClient.DataObjLseekApi, seek, default, default, $"seeking in {path}", cancellationToken).ConfigureAwait(false);
        unrequested = end < 0 ? -1 : Math.Max(0, end - offset);
        endOfFile = false;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the iRODS stream asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                if (!connection.IsBroken)
                {
                    // Replies to requests still in flight come first; then the descriptor is closed.
                    if (inFlight.Count > 0)
                    {
                        buffer ??= ArrayPool<byte>.Shared.Rent(chunkSize);
                        while (inFlight.TryDequeue(out _))
                        {
                            await connection.ReceiveReplyAsync(buffer.AsMemory(0, chunkSize), $"reading {path}", CancellationToken.None).ConfigureAwait(false);
                        }
                    }

                    await connection.CallAsync(IrodsClient.DataObjCloseApi, IrodsClient.OpenedDataObjInp(descriptor, 0, 0, 0), default, default,
                        $"closing {path}", CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (DtpException)
            {
                // A close that fails after reading leaves nothing to recover; a broken connection is dropped, not pooled.
                connection.MarkBroken();
            }
            finally
            {
                ReturnBuffer();
                client.Return(connection);
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !closed)
        {
            // Synchronous disposal cannot send the close request; dropping the connection makes the server release the descriptor.
            closed = true;
            connection.MarkBroken();
            ReturnBuffer();
            client.Return(connection);
        }

        base.Dispose(disposing);
    }

    private void ReturnBuffer()
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
            bufferCount = 0;
        }
    }

    private async Task<int> ReadChunkAsync(Memory<byte> target, CancellationToken cancellationToken)
    {
        while (inFlight.Count < Pipeline && unrequested != 0)
        {
            var length = unrequested < 0 ? chunkSize : (int)Math.Min(chunkSize, unrequested);
            await connection.SendRequestAsync(IrodsClient.DataObjReadApi, IrodsClient.OpenedDataObjInp(descriptor, length, 0, 0), default,
                $"reading {path}", cancellationToken).ConfigureAwait(false);
            inFlight.Enqueue(length);
            if (unrequested > 0)
            {
                unrequested -= length;
            }
        }

        if (!inFlight.TryDequeue(out _))
        {
            endOfFile = true;
            return 0;
        }

        var reply = await connection.ReceiveReplyAsync(target, $"reading {path}", cancellationToken).ConfigureAwait(false);
        if (reply.ByteStreamLength == 0)
        {
            endOfFile = true;
        }

        return reply.ByteStreamLength;
    }

    private int TakeBuffered(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, bufferCount);
        buffer.AsSpan(bufferOffset, count).CopyTo(destination);
        bufferOffset += count;
        bufferCount -= count;
        return count;
    }
}
