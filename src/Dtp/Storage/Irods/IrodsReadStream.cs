namespace Dtp.Storage.Irods;

/// <summary>Reads an open data object chunk by chunk (<c>DATA_OBJ_READ</c>) and closes it when disposed.</summary>
internal sealed class IrodsReadStream(IrodsClient client, IrodsConnection connection, int descriptor, string path, int chunkSize) : Stream
{
    private byte[]? buffer;
    private int bufferOffset;
    private int bufferCount;
    private bool endOfFile;
    private bool closed;

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

        buffer ??= new byte[chunkSize];
        bufferOffset = 0;
        bufferCount = await ReadChunkAsync(buffer, cancellationToken).ConfigureAwait(false);
        return TakeBuffered(destination.Span);
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
                    await connection.CallAsync(IrodsClient.DataObjCloseApi, IrodsClient.OpenedDataObjInp(descriptor, 0, 0, 0), default, default,
                        $"closing {path}", CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (DtpException)
            {
                // A close that fails after reading leaves nothing to recover; the connection is dropped if broken.
            }
            finally
            {
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
            client.Return(connection);
        }

        base.Dispose(disposing);
    }

    private async Task<int> ReadChunkAsync(Memory<byte> target, CancellationToken cancellationToken)
    {
        var request = IrodsClient.OpenedDataObjInp(descriptor, target.Length, 0, 0);
        var reply = await connection.CallAsync(IrodsClient.DataObjReadApi, request, default, target, $"reading {path}", cancellationToken).ConfigureAwait(false);
        if (reply.IntInfo == 0)
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
