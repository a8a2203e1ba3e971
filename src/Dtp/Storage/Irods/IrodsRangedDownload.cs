using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Dtp.Storage.Irods;

/// <summary>
/// Downloads one data object over several pooled connections into its <c>.part</c> file. The bytes still missing are cut into
/// blocks that the connections take in offset order (each connection keeps the object open and seeks to its next block), and
/// each block is written at its offset and its chunks are handed, in memory, to one task that hashes them in file order, so the
/// checksum covers every byte in order and finishes a few chunks after the last byte arrives; when the hash lags, the
/// connections wait before starting blocks ahead of it (holding no connection meanwhile), which bounds the memory. The byte ranges not yet
/// written are kept in a sidecar (<c>&lt;file&gt;.part.ranges</c>, written atomically and only ever claiming bytes already
/// written), from which an interrupted download resumes every range; a <c>.part</c> without a sidecar is a contiguous prefix.
/// </summary>
internal sealed partial class IrodsRangedDownload : IDisposable
{
    /// <summary>
    /// How many read requests make one block, the unit the connections take in turn (8 MiB with the default 1 MiB reads): small
    /// enough that the hash follows the arriving bytes closely, large enough that one seek per block costs nothing.
    /// </summary>
    private const int ChunksPerBlock = 8;

    /// <summary>How many bytes arrive between two saves of the sidecar (a killed process fetches at most this much again, plus the blocks in flight).</summary>
    private const long SaveEvery = 64L << 20;

    private readonly IrodsClient client;
    private readonly IrodsDataObject dataObject;
    private readonly string partial;
    private readonly string sidecar;
    private readonly ILogger logger;
    private readonly SemaphoreSlim arrived = new(0);
    private readonly SemaphoreSlim room = new(0);
    private readonly SemaphoreSlim saving = new(1, 1);
    private readonly long maxRetained;
    private Segment[] segments = [];
    private Segment[] pending = [];
    private int nextPending = -1;
    private long transferred;
    private long savedAt;
    private long retained;
    private int hashedSegment;
    private int connections;

    /// <param name="client">The client whose pooled connections fetch the blocks.</param>
    /// <param name="dataObject">The object, as listed.</param>
    /// <param name="partial">The <c>.part</c> file.</param>
    /// <param name="sidecar">The sidecar that records which ranges of the <c>.part</c> file are still missing.</param>
    /// <param name="logger">Where retries and discarded partial files are logged.</param>
    /// <param name="retainedChunks">
    /// How many arrived chunks may wait in memory for the hash (16 MiB with 1 MiB reads); beyond that, only the block the hash is
    /// on goes ahead, and the other connections wait before their next block.
    /// </param>
    public IrodsRangedDownload(IrodsClient client, IrodsDataObject dataObject, string partial, string sidecar, ILogger logger, int retainedChunks = 16)
    {
        maxRetained = (long)retainedChunks * client.Options.ChunkSize;
        this.client = client;
        this.dataObject = dataObject;
        this.partial = partial;
        this.sidecar = sidecar;
        this.logger = logger;
    }

    private string? Modified => dataObject.ModifyTime?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Fetches every byte the <c>.part</c> file lacks and hashes the whole file in order.</summary>
    /// <param name="algorithm">The checksum's algorithm (<c>sha2</c> or <c>md5</c>), or <see langword="null"/> for no hash.</param>
    /// <param name="cancellationToken">Cancels the download; the <c>.part</c> file and its sidecar stay for a later resume.</param>
    /// <returns>How many bytes went over the network, and the lower-case hex digest (or <see langword="null"/>).</returns>
    public async Task<(long Count, string? Digest)> RunAsync(string? algorithm, CancellationToken cancellationToken)
    {
        var missing = LoadMissing();
        segments = Plan(missing, dataObject.Size, (long)client.Options.ChunkSize * ChunksPerBlock);
        pending = [.. segments.Where(s => !s.WrittenBefore)];

        // The sidecar goes first: from here on the .part file may have holes, and only the sidecar says where.
        await SaveAsync(wait: true).ConfigureAwait(false);
        using var handle = OpenPartial();
        if (RandomAccess.GetLength(handle) != dataObject.Size)
        {
            RandomAccess.SetLength(handle, dataObject.Size);
        }

        using var hash = IrodsClient.CreateHash(algorithm);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connections = Math.Min(client.Options.MaxConnections, pending.Length);
        LogRanged(logger, dataObject.Path, pending.Length, connections);
        var tasks = Enumerable.Range(0, connections).Select(_ => Guard(FetchAsync(handle, hash is not null, stop.Token), stop)).ToList();
        if (hash is not null)
        {
            tasks.Add(Guard(Task.Run(() => HashAsync(handle, hash, stop.Token), stop.Token), stop));
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // One failure stops the others; theirs are cancellations, so the first real one is what the caller sees.
            var failure = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).FirstOrDefault(e => e is not OperationCanceledException);
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            throw;
        }
        finally
        {
            await SaveAsync(wait: true).ConfigureAwait(false);
            foreach (var segment in pending)
            {
                while (segment.Arrivals.TryDequeue(out var left))
                {
                    ArrayPool<byte>.Shared.Return(left.Buffer);
                }
            }
        }

        return (Interlocked.Read(ref transferred), hash is null ? null : Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        arrived.Dispose();
        room.Dispose();
        saving.Dispose();
    }

    private static async Task Guard(Task task, CancellationTokenSource stop)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Cuts the file into segments in offset order: the written ranges whole, the missing ones into blocks on block boundaries.</summary>
    private static Segment[] Plan(IReadOnlyList<(long Start, long End)> missing, long size, long blockSize)
    {
        var result = new List<Segment>();
        long position = 0;
        foreach (var (start, end) in missing.Append((size, size)))
        {
            if (start > position)
            {
                result.Add(new Segment(result.Count, position, start, writtenBefore: true));
            }

            for (var from = start; from < end;)
            {
                var to = Math.Min(end, (from / blockSize + 1) * blockSize);
                result.Add(new Segment(result.Count, from, to, writtenBefore: false));
                from = to;
            }

            position = end;
        }

        return [.. result];
    }

    /// <summary>Takes blocks in offset order and fetches each into place, keeping the object open on one connection between blocks.</summary>
    private async Task FetchAsync(SafeFileHandle handle, bool hashing, CancellationToken cancellationToken)
    {
        var chunk = client.Options.ChunkSize;
        var buffer = ArrayPool<byte>.Shared.Rent(chunk);
        Stream? source = null;
        try
        {
            int index;
            while ((index = Interlocked.Increment(ref nextPending)) < pending.Length)
            {
                var segment = pending[index];
                if (hashing && MustWait(segment))
                {
                    // No connection is held while waiting: the blocks the hash waits for may need one (another download's too).
                    if (source is not null)
                    {
                        await source.DisposeAsync().ConfigureAwait(false);
                        source = null;
                    }

                    while (MustWait(segment))
                    {
                        await room.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                for (var attempt = 1; segment.Done < segment.Length; attempt++)
                {
                    try
                    {
                        var from = segment.Start + segment.Done;
                        if (source is null)
                        {
                            source = await client.OpenReadAsync(dataObject.Path, from, segment.End, cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            await ((IrodsReadStream)source).SeekAsync(from, segment.End, cancellationToken).ConfigureAwait(false);
                        }

                        while (segment.Done < segment.Length)
                        {
                            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(chunk, segment.Length - segment.Done)), cancellationToken).ConfigureAwait(false);
                            if (read == 0)
                            {
                                throw new DtpException($"The {client.Name} ended {dataObject.Path} at byte {segment.Start + segment.Done}; iRODS lists {dataObject.Size} bytes.", DtpErrorKind.Remote);
                            }

                            WriteAt(handle, buffer.AsSpan(0, read), segment.Start + segment.Done);

                            // Counted only once written: the sidecar never claims a byte that is not in the file.
                            Volatile.Write(ref segment.Done, segment.Done + read);
                            if (hashing)
                            {
                                // The chunk goes to the hash as it is; this connection reads on into a fresh buffer.
                                Interlocked.Add(ref retained, read);
                                segment.Arrivals.Enqueue(new Arrival(buffer, read));
                                Signal(arrived);
                                buffer = ArrayPool<byte>.Shared.Rent(chunk);
                            }

                            if (Interlocked.Add(ref transferred, read) - Interlocked.Read(ref savedAt) >= SaveEvery)
                            {
                                await SaveAsync(wait: false).ConfigureAwait(false);
                            }
                        }
                    }
                    catch (DtpException ex) when (ex.IsTransient && attempt < IrodsClient.TransferAttempts)
                    {
                        IrodsClient.LogRetry(logger, dataObject.Path, attempt, ex.Message);
                        if (source is not null)
                        {
                            await source.DisposeAsync().ConfigureAwait(false);
                            source = null;
                        }
                    }
                }
            }
        }
        finally
        {
            if (source is not null)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }

            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Whether a connection must wait before starting a block: when the chunks waiting for the hash fill the room given to them,
    /// only the block the hash is on (or an earlier one) goes ahead, so the hash is never starved and memory stays bounded.
    /// </summary>
    private bool MustWait(Segment segment) =>
        Interlocked.Read(ref retained) >= maxRetained && segment.Index > Volatile.Read(ref hashedSegment);

    /// <summary>Wakes the waiters of a semaphore used as a signal (up to <paramref name="waiters"/>; a count already there wakes them as well, and they look again).</summary>
    private static void Signal(SemaphoreSlim signal, int waiters = 1)
    {
        if (waiters > 0 && signal.CurrentCount == 0)
        {
            signal.Release(waiters);
        }
    }

    /// <summary>Hashes the file in order: segments written before this run from the file, the others chunk by chunk from memory as they arrive.</summary>
    private async Task HashAsync(SafeFileHandle handle, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var chunk = client.Options.ChunkSize;
        var buffer = ArrayPool<byte>.Shared.Rent(chunk);
        try
        {
            foreach (var segment in segments)
            {
                Volatile.Write(ref hashedSegment, segment.Index);
                Signal(room, connections);
                for (var position = segment.Start; position < segment.End;)
                {
                    if (segment.WrittenBefore)
                    {
                        var span = buffer.AsSpan(0, (int)Math.Min(chunk, segment.End - position));
                        ReadAt(handle, span, position);
                        hash.AppendData(span);
                        position += span.Length;
                    }
                    else if (segment.Arrivals.TryDequeue(out var arrival))
                    {
                        hash.AppendData(arrival.Buffer, 0, arrival.Count);
                        ArrayPool<byte>.Shared.Return(arrival.Buffer);
                        Interlocked.Add(ref retained, -arrival.Count);
                        Signal(room, connections);
                        position += arrival.Count;
                    }
                    else
                    {
                        await arrived.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void WriteAt(SafeFileHandle handle, ReadOnlySpan<byte> data, long offset)
    {
        try
        {
            RandomAccess.Write(handle, data, offset);
        }
        catch (IOException ex)
        {
            throw new DtpException($"Cannot write {partial}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }
    }

    private void ReadAt(SafeFileHandle handle, Span<byte> data, long offset)
    {
        try
        {
            var read = 0;
            while (read < data.Length)
            {
                var count = RandomAccess.Read(handle, data[read..], offset + read);
                read += count > 0 ? count : throw new IOException("the file is shorter than the bytes written to it");
            }
        }
        catch (IOException ex)
        {
            throw new DtpException($"Cannot read back {partial}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }
    }

    private SafeFileHandle OpenPartial()
    {
        try
        {
            return File.OpenHandle(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DtpException($"Cannot write {partial}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }
    }

    /// <summary>
    /// Returns the byte ranges still to fetch: from the sidecar when it is valid for this object and this <c>.part</c> file; the
    /// bytes after a <c>.part</c> file's end when there is no sidecar; everything otherwise (discarding what cannot be trusted).
    /// </summary>
    private List<(long Start, long End)> LoadMissing()
    {
        var size = dataObject.Size;
        var length = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (File.Exists(sidecar))
        {
            var missing = ReadSidecar(length);
            if (missing is not null)
            {
                return missing;
            }

            LogDiscarded(logger, partial);
            File.Delete(partial);
            File.Delete(sidecar);
            return size > 0 ? [(0, size)] : [];
        }

        if (length > size)
        {
            File.Delete(partial);
            length = 0;
        }

        return length < size ? [(length, size)] : [];
    }

    /// <summary>Reads the sidecar; <see langword="null"/> when it is unreadable, describes another version of the object, or claims bytes past the file's end.</summary>
    private List<(long Start, long End)>? ReadSidecar(long length)
    {
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(sidecar));
            if (node?["size"]?.GetValue<long>() != dataObject.Size
                || node["checksum"]?.GetValue<string>() != dataObject.Checksum
                || node["modified"]?.GetValue<string>() != Modified
                || node["missing"] is not JsonArray ranges)
            {
                return null;
            }

            var missing = new List<(long Start, long End)>();
            long position = 0;
            foreach (var range in ranges)
            {
                if (range is not JsonArray { Count: 2 } pair || pair[0] is not JsonValue first || pair[1] is not JsonValue second)
                {
                    return null;
                }

                var (start, end) = (first.GetValue<long>(), second.GetValue<long>());
                if (start < position || end <= start || end > dataObject.Size)
                {
                    return null;
                }

                missing.Add((start, end));
                position = end;
            }

            // Every byte the sidecar counts as written must lie inside the file.
            var writtenEnd = missing.Count > 0 && missing[^1].End == dataObject.Size ? missing[^1].Start : dataObject.Size;
            return length >= writtenEnd ? missing : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or IOException)
        {
            return null;
        }
    }

    /// <summary>Writes the sidecar from the segments' progress (conservative: a count is only raised after its bytes are written).</summary>
    /// <param name="wait">Whether to wait for a save in progress; otherwise this save is skipped when one is running.</param>
    private async Task SaveAsync(bool wait)
    {
        if (!wait && !saving.Wait(0))
        {
            return;
        }

        if (wait)
        {
            await saving.WaitAsync().ConfigureAwait(false);
        }

        try
        {
            Interlocked.Exchange(ref savedAt, Interlocked.Read(ref transferred));
            var missing = new JsonArray();
            long openStart = -1, openEnd = -1;
            foreach (var segment in segments)
            {
                var from = segment.Start + Volatile.Read(ref segment.Done);
                if (from >= segment.End)
                {
                    continue;
                }

                if (from == openEnd)
                {
                    openEnd = segment.End;
                    continue;
                }

                if (openStart >= 0)
                {
                    missing.Add(new JsonArray(openStart, openEnd));
                }

                (openStart, openEnd) = (from, segment.End);
            }

            if (openStart >= 0)
            {
                missing.Add(new JsonArray(openStart, openEnd));
            }

            var document = new JsonObject
            {
                ["size"] = dataObject.Size,
                ["checksum"] = dataObject.Checksum,
                ["modified"] = Modified,
                ["missing"] = missing,
            };
            await AtomicFile.WriteTextAsync(sidecar, document.ToJsonString(), overwrite: true).ConfigureAwait(false);
        }
        finally
        {
            saving.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Downloading {Path}: {Blocks} blocks over {Connections} connections")]
    private static partial void LogRanged(ILogger logger, string path, int blocks, int connections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The progress record of {Partial} does not fit the object or the file; downloading it again from the start")]
    private static partial void LogDiscarded(ILogger logger, string partial);

    /// <summary>A byte range of the file and how much of it, from its start, is written.</summary>
    private sealed class Segment(int index, long start, long end, bool writtenBefore)
    {
        public long Done = writtenBefore ? end - start : 0;

        /// <summary>Gets the segment's place in the file's order of segments.</summary>
        public int Index { get; } = index;

        public long Start { get; } = start;

        public long End { get; } = end;

        public long Length => End - Start;

        /// <summary>Gets whether the segment was in the file before this run (the hash reads it from the file).</summary>
        public bool WrittenBefore { get; } = writtenBefore;

        /// <summary>Gets the chunks written in this run, in order, waiting for the hash.</summary>
        public ConcurrentQueue<Arrival> Arrivals { get; } = new();
    }

    /// <summary>A written chunk waiting for the hash.</summary>
    private readonly record struct Arrival(byte[] Buffer, int Count);
}
