using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dtp.Storage.Irods;

/// <summary>
/// A client of one iRODS zone over the native protocol (XML packing): stat, GenQuery listings, reads, writes, checksums and
/// collection management. Thread-safe: each call borrows one of a small pool of authenticated connections.
/// </summary>
public sealed partial class IrodsClient : IAsyncDisposable
{
    internal const int DataObjCreateApi = 601;
    internal const int DataObjOpenApi = 602;
    internal const int DataObjUnlinkApi = 615;
    internal const int DataObjChecksumApi = 629;
    internal const int ObjStatApi = 633;
    internal const int DataObjCloseApi = 673;
    internal const int DataObjLseekApi = 674;
    internal const int DataObjReadApi = 675;
    internal const int DataObjWriteApi = 676;
    internal const int RmCollApi = 679;
    internal const int CollCreateApi = 681;
    internal const int GenQueryApi = 702;

    private const int ORdOnly = 0;
    private const int OWrOnly = 1;
    private const int OCreat = 64;
    private const int OTrunc = 512;
    private const int PutOperation = 1;

    private const int CollName = 501;
    private const int CollParentName = 502;
    private const int DataId = 401;
    private const int DataName = 403;
    private const int DataSize = 407;
    private const int DataChecksum = 415;
    private const int DataModifyTime = 420;

    private readonly IrodsClientOptions options;
    private readonly ILogger logger;
    private readonly SemaphoreSlim slots;
    private readonly ConcurrentBag<IrodsConnection> idle = [];
    private volatile bool disposed;

    /// <summary>Creates a client; it connects when first used.</summary>
    /// <param name="options">The server, the user and the connection settings; validated here.</param>
    /// <param name="logger">Where requests are logged at Debug level.</param>
    /// <exception cref="ArgumentException">A required option is missing or out of range.</exception>
    public IrodsClient(IrodsClientOptions options, ILogger<IrodsClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        slots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
    }

    /// <summary>Gets the options the client was created with.</summary>
    public IrodsClientOptions Options => options;

    /// <summary>Gets a description for messages: user, zone and address (never the password).</summary>
    public string Name => $"iRODS {options.UserName}#{options.Zone}@{options.Host}:{options.Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Connects and logs in now, so that a wrong password shows before any work starts.</summary>
    /// <param name="cancellationToken">Cancels the login.</param>
    /// <returns>The release the server announced, such as <c>rods4.3.4</c>.</returns>
    /// <exception cref="IrodsException">The server refused the login (e.g. <c>CAT_INVALID_AUTHENTICATION</c>).</exception>
    /// <exception cref="DtpException">The server is unreachable or the TLS policies cannot agree.</exception>
    public Task<string> LoginAsync(CancellationToken cancellationToken = default) =>
        WithConnectionAsync(c => Task.FromResult(c.ServerRelease), cancellationToken);

    /// <summary>Describes a data object or collection (<c>OBJ_STAT</c>).</summary>
    /// <param name="path">An absolute logical path.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The description, or <see langword="null"/> when nothing exists at the path.</returns>
    /// <exception cref="IrodsException">The server refused the request.</exception>
    public Task<IrodsObjectInfo?> StatAsync(string path, CancellationToken cancellationToken = default)
    {
        IrodsPath.ThrowIfInvalid(path);
        return WithConnectionAsync(async connection =>
        {
            try
            {
                var reply = await connection.CallAsync(ObjStatApi, DataObjInp(path, 0, 0), default, default, $"stat of {path}", cancellationToken).ConfigureAwait(false);
                var stat = reply.Body ?? throw new IrodsException($"The {Name} sent no RodsObjStat_PI for {path}.");
                return new IrodsObjectInfo(path, reply.IntInfo == 2 ? IrodsObjectKind.Collection : IrodsObjectKind.DataObject,
                    IrodsXml.Long(stat, "objSize"), NullIfEmpty(IrodsXml.Str(stat, "chksum")),
                    IrodsPath.ParseTime(IrodsXml.Str(stat, "modifyTime")), IrodsXml.Str(stat, "ownerName") ?? string.Empty);
            }
            catch (IrodsException ex) when (ex.Is(IrodsErrors.UserFileDoesNotExist))
            {
                return null;
            }
        }, cancellationToken);
    }

    /// <summary>Lists the data objects of a collection through GenQuery, page by page, one entry per object (not per replica).</summary>
    /// <param name="collection">An absolute collection path.</param>
    /// <param name="recursive">Whether objects of sub-collections at any depth are included.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The objects, in no guaranteed order; none when the collection is empty or absent.</returns>
    /// <remarks>The enumeration holds one pooled connection until it ends.</remarks>
    public async IAsyncEnumerable<IrodsDataObject> ListDataObjectsAsync(string collection, bool recursive = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IrodsPath.ThrowIfInvalid(collection);
        collection = collection.TrimEnd('/');
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int[] select = [CollName, DataName, DataSize, DataChecksum, DataModifyTime, DataId];
        var conditions = new List<(int, string)> { (CollName, $"= {IrodsPath.Quote(collection)}") };
        await foreach (var row in QueryAsync(select, conditions, cancellationToken).ConfigureAwait(false))
        {
            if (seen.Add(row[5]))
            {
                yield return ToDataObject(row);
            }
        }

        if (!recursive)
        {
            yield break;
        }

        var prefix = collection + "/";
        conditions = [(CollName, $"like {IrodsPath.Quote(prefix + "%")}")];
        await foreach (var row in QueryAsync(select, conditions, cancellationToken).ConfigureAwait(false))
        {
            // "like" treats _ as a wildcard too: keep only true descendants.
            if (row[0].StartsWith(prefix, StringComparison.Ordinal) && seen.Add(row[5]))
            {
                yield return ToDataObject(row);
            }
        }
    }

    /// <summary>Lists the sub-collections of a collection through GenQuery.</summary>
    /// <param name="collection">An absolute collection path.</param>
    /// <param name="recursive">Whether sub-collections at any depth are included.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The absolute paths of the sub-collections.</returns>
    /// <remarks>The enumeration holds one pooled connection until it ends.</remarks>
    public async IAsyncEnumerable<string> ListCollectionsAsync(string collection, bool recursive = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IrodsPath.ThrowIfInvalid(collection);
        collection = collection.TrimEnd('/');
        var prefix = collection + "/";
        var condition = recursive ? (CollName, $"like {IrodsPath.Quote(prefix + "%")}") : (CollParentName, $"= {IrodsPath.Quote(collection)}");
        await foreach (var row in QueryAsync([CollName], [condition], cancellationToken).ConfigureAwait(false))
        {
            if (row[0].StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return row[0];
            }
        }
    }

    /// <summary>Runs a GenQuery (API 702) and streams its rows, following the continuation index from page to page.</summary>
    /// <param name="select">The column ids to select (e.g. 501 COLL_NAME, 403 DATA_NAME).</param>
    /// <param name="conditions">Column ids with condition texts such as <c>= '/tempZone/home'</c> or <c>like '/tempZone/%'</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>Each row's values in the order of <paramref name="select"/>; none when nothing matched.</returns>
    /// <remarks>The enumeration holds one pooled connection until it ends; stopping early closes the query on the server.</remarks>
    public async IAsyncEnumerable<string[]> QueryAsync(IReadOnlyList<int> select, IReadOnlyList<(int Column, string Condition)> conditions,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(select);
        ArgumentNullException.ThrowIfNull(conditions);
        var connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        var continuation = 0;
        try
        {
            while (true)
            {
                var request = GenQueryInp(options.QueryPageSize, continuation, select, conditions);
                IrodsReply reply;
                try
                {
                    reply = await connection.CallAsync(GenQueryApi, request, default, default, "a catalog query", cancellationToken).ConfigureAwait(false);
                }
                catch (IrodsException ex) when (ex.Is(IrodsErrors.CatNoRowsFound))
                {
                    continuation = 0;
                    yield break;
                }

                var output = reply.Body ?? throw new IrodsException($"The {Name} sent no GenQueryOut_PI.");
                var rowCount = IrodsXml.Int(output, "rowCnt");
                var attributeCount = IrodsXml.Int(output, "attriCnt");
                continuation = IrodsXml.Int(output, "continueInx");
                var columns = output.Elements("SqlResult_PI").Take(attributeCount)
                    .ToDictionary(c => IrodsXml.Int(c, "attriInx"), c => c.Elements("value").Select(v => v.Value).ToArray());
                LogPage(logger, rowCount, continuation);
                for (var row = 0; row < rowCount; row++)
                {
                    var values = new string[select.Count];
                    for (var i = 0; i < select.Count; i++)
                    {
                        values[i] = columns.TryGetValue(select[i], out var column) && row < column.Length ? column[row] : string.Empty;
                    }

                    yield return values;
                }

                if (continuation <= 0)
                {
                    yield break;
                }
            }
        }
        finally
        {
            if (continuation > 0 && !connection.IsBroken)
            {
                // Abandoned part-way: maxRows 0 closes the statement on the server.
                try
                {
                    await connection.CallAsync(GenQueryApi, GenQueryInp(0, continuation, select, conditions), default, default, "closing a catalog query", CancellationToken.None).ConfigureAwait(false);
                }
                catch (IrodsException)
                {
                    // The statement is gone either way.
                }
            }

            Return(connection);
        }
    }

    /// <summary>Opens a data object for reading (open, optional seek, then reads of <see cref="IrodsClientOptions.ChunkSize"/> bytes).</summary>
    /// <param name="path">The data object's absolute path.</param>
    /// <param name="offset">The first byte wanted.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>A forward-only stream that holds one pooled connection until disposed.</returns>
    /// <exception cref="IrodsException">The object does not exist or cannot be read.</exception>
    public Task<Stream> OpenReadAsync(string path, long offset = 0, CancellationToken cancellationToken = default) =>
        OpenReadAsync(path, offset, -1, cancellationToken);

    /// <summary>Opens a data object for reading from <paramref name="offset"/>; with <paramref name="end"/> known (the object's size or a range's end), no read is made past it.</summary>
    internal async Task<Stream> OpenReadAsync(string path, long offset, long end, CancellationToken cancellationToken)
    {
        IrodsPath.ThrowIfInvalid(path);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var descriptor = (await connection.CallAsync(DataObjOpenApi, DataObjInp(path, ORdOnly, 0), default, default, $"opening {path}", cancellationToken).ConfigureAwait(false)).IntInfo;
            var stream = new IrodsReadStream(this, connection, descriptor, path, options.ChunkSize, end < 0 ? -1 : Math.Max(0, end - offset));
            if (offset > 0)
            {
                await stream.SeekAsync(offset, end, cancellationToken).ConfigureAwait(false);
            }

            return stream;
        }
        catch
        {
            Return(connection);
            throw;
        }
    }

    /// <summary>Writes a data object from a stream (open with create and truncate, writes, close), replacing any existing one.</summary>
    /// <param name="content">The bytes to store, read to their end and left open.</param>
    /// <param name="path">The data object's absolute path; its collection must exist.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>How many bytes were written.</returns>
    /// <exception cref="IrodsException">The server refused the write.</exception>
    public Task<long> WriteAsync(Stream content, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        IrodsPath.ThrowIfInvalid(path);
        return WithConnectionAsync(async connection =>
        {
            // The put operation type travels with the open and the close, so that the server's put policies fire.
            KeyValuePair<string, string>[] put = [new("oprType", "1")];
            var open = DataObjInp(path, OWrOnly | OCreat | OTrunc, PutOperation, put);
            var descriptor = (await connection.CallAsync(DataObjOpenApi, open, default, default, $"creating {path}", cancellationToken).ConfigureAwait(false)).IntInfo;
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(options.ChunkSize);
            long total = 0;
            try
            {
                while (true)
                {
                    var count = await content.ReadAtLeastAsync(buffer.AsMemory(0, options.ChunkSize), options.ChunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                    if (count == 0)
                    {
                        break;
                    }

                    var write = OpenedDataObjInp(descriptor, count, 0, 0);
                    var written = (await connection.CallAsync(DataObjWriteApi, write, buffer.AsMemory(0, count), default, $"writing {path}", cancellationToken).ConfigureAwait(false)).IntInfo;
                    if (written != count)
                    {
                        throw new IrodsException($"The {Name} wrote {written} of {count} bytes to {path}.");
                    }

                    total += count;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }

            await connection.CallAsync(DataObjCloseApi, OpenedDataObjInp(descriptor, 0, 0, 0, put), default, default, $"closing {path}", cancellationToken).ConfigureAwait(false);
            LogWritten(logger, path, total);
            return total;
        }, cancellationToken);
    }

    /// <summary>Returns the checksum iRODS holds for a data object, computing it first when there is none (<c>DATA_OBJ_CHKSUM</c>).</summary>
    /// <param name="path">The data object's absolute path.</param>
    /// <param name="force">Whether to recompute it even when one is stored.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The checksum, <c>sha2:</c> + base64 SHA-256 (or MD5 hex in zones that use MD5).</returns>
    /// <exception cref="IrodsException">The object does not exist.</exception>
    public Task<string> ComputeChecksumAsync(string path, bool force = false, CancellationToken cancellationToken = default) =>
        ChecksumAsync(path, force ? [new("forceChksum", string.Empty)] : [], cancellationToken);

    /// <summary>Has the server recompute a data object's checksum and compare it with the one it holds.</summary>
    /// <param name="path">The data object's absolute path.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The verified checksum.</returns>
    /// <exception cref="IrodsException">The data no longer matches its checksum (<c>USER_CHKSUM_MISMATCH</c>), or the object does not exist.</exception>
    public Task<string> VerifyChecksumAsync(string path, CancellationToken cancellationToken = default) =>
        ChecksumAsync(path, [new("verifyChksum", string.Empty)], cancellationToken);

    /// <summary>Creates a collection (<c>COLL_CREATE</c>).</summary>
    /// <param name="path">The collection's absolute path.</param>
    /// <param name="recursive">Whether missing parents are created too and an existing collection is accepted.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="IrodsException">The server refused.</exception>
    public Task CreateCollectionAsync(string path, bool recursive = true, CancellationToken cancellationToken = default)
    {
        IrodsPath.ThrowIfInvalid(path);
        return WithConnectionAsync(connection => connection.CallAsync(CollCreateApi,
            CollInp(path, recursive ? [new("recursiveOpr", string.Empty)] : []), default, default, $"creating collection {path}", cancellationToken), cancellationToken);
    }

    /// <summary>Removes a collection (<c>RM_COLL</c>), bypassing the trash.</summary>
    /// <param name="path">The collection's absolute path.</param>
    /// <param name="recursive">Whether its content is removed too; otherwise it must be empty.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="IrodsException">The server refused (e.g. <c>CAT_COLLECTION_NOT_EMPTY</c>).</exception>
    public Task RemoveCollectionAsync(string path, bool recursive = true, CancellationToken cancellationToken = default)
    {
        IrodsPath.ThrowIfInvalid(path);
        List<KeyValuePair<string, string>> keywords = [new("forceFlag", string.Empty)];
        if (recursive)
        {
            keywords.Insert(0, new("recursiveOpr", string.Empty));
        }

        return WithConnectionAsync(connection => connection.CallAsync(RmCollApi, CollInp(path, keywords), default, default, $"removing collection {path}", cancellationToken), cancellationToken);
    }

    /// <summary>Removes a data object (<c>DATA_OBJ_UNLINK</c>), bypassing the trash.</summary>
    /// <param name="path">The data object's absolute path.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="IrodsException">The server refused (e.g. the object does not exist).</exception>
    public Task RemoveDataObjectAsync(string path, CancellationToken cancellationToken = default)
    {
        IrodsPath.ThrowIfInvalid(path);
        return WithConnectionAsync(connection => connection.CallAsync(DataObjUnlinkApi, DataObjInp(path, 0, 0, [new("forceFlag", string.Empty)]),
            default, default, $"removing {path}", cancellationToken), cancellationToken);
    }

    /// <summary>Closes every pooled connection with <c>RODS_DISCONNECT</c>.</summary>
    /// <returns>A task that completes when all are closed.</returns>
    public async ValueTask DisposeAsync()
    {
        disposed = true;
        while (idle.TryTake(out var connection))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal async Task<IrodsConnection> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (idle.TryTake(out var pooled))
        {
            if (!pooled.IsBroken)
            {
                return pooled;
            }

            await pooled.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            return await IrodsConnection.OpenAsync(options, logger, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            slots.Release();
            throw;
        }
    }

    internal void Return(IrodsConnection connection)
    {
        if (connection.IsBroken || disposed)
        {
            _ = connection.DisposeAsync().AsTask();
        }
        else
        {
            idle.Add(connection);
        }

        slots.Release();
    }

    internal static string OpenedDataObjInp(int descriptor, int length, int whence, long offset, IReadOnlyList<KeyValuePair<string, string>>? keywords = null) =>
        IrodsXml.Begin("OpenedDataObjInp_PI")
            .Int("l1descInx", descriptor).Int("len", length).Int("whence", whence).Int("oprType", 0)
            .Int("offset", offset).Int("bytesWritten", 0).KeyValues(keywords)
            .End("OpenedDataObjInp_PI");

    private async Task<T> WithConnectionAsync<T>(Func<IrodsConnection, Task<T>> action, CancellationToken cancellationToken)
    {
        var connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await action(connection).ConfigureAwait(false);
        }
        finally
        {
            Return(connection);
        }
    }

    private Task<string> ChecksumAsync(string path, IReadOnlyList<KeyValuePair<string, string>> keywords, CancellationToken cancellationToken)
    {
        IrodsPath.ThrowIfInvalid(path);
        return WithConnectionAsync(async connection =>
        {
            var reply = await connection.CallAsync(DataObjChecksumApi, DataObjInp(path, 0, 0, keywords), default, default, $"the checksum of {path}", cancellationToken).ConfigureAwait(false);
            var checksum = reply.Body is null ? null : IrodsXml.Str(reply.Body, "myStr");
            return string.IsNullOrEmpty(checksum) ? throw new IrodsException($"The {Name} sent no checksum for {path}.") : checksum;
        }, cancellationToken);
    }

    private static IrodsDataObject ToDataObject(string[] row) =>
        new(IrodsPath.Combine(row[0], row[1]), long.TryParse(row[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : 0,
            NullIfEmpty(row[3]), IrodsPath.ParseTime(row[4]));

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string DataObjInp(string path, int openFlags, int operation, IReadOnlyList<KeyValuePair<string, string>>? keywords = null) =>
        IrodsXml.Begin("DataObjInp_PI")
            .Str("objPath", path).Int("createMode", 0).Int("openFlags", openFlags).Int("offset", 0).Int("dataSize", -1)
            .Int("numThreads", 0).Int("oprType", operation).KeyValues(keywords)
            .End("DataObjInp_PI");

    private static string CollInp(string path, IReadOnlyList<KeyValuePair<string, string>> keywords) =>
        IrodsXml.Begin("CollInpNew_PI").Str("collName", path).Int("flags", 0).Int("oprType", 0).KeyValues(keywords).End("CollInpNew_PI");

    private static string GenQueryInp(int maxRows, int continuation, IReadOnlyList<int> select, IReadOnlyList<(int Column, string Condition)> conditions)
    {
        var xml = IrodsXml.Begin("GenQueryInp_PI")
            .Int("maxRows", maxRows).Int("continueInx", continuation).Int("partialStartIndex", 0).Int("options", 0)
            .KeyValues(null)
            .Open("InxIvalPair_PI").Int("iiLen", select.Count);
        foreach (var column in select)
        {
            xml.Int("inx", column);
        }

        foreach (var _ in select)
        {
            xml.Int("ivalue", 1);
        }

        xml.Close("InxIvalPair_PI").Open("InxValPair_PI").Int("isLen", conditions.Count);
        foreach (var (column, _) in conditions)
        {
            xml.Int("inx", column);
        }

        foreach (var (_, condition) in conditions)
        {
            xml.Str("svalue", condition);
        }

        return xml.Close("InxValPair_PI").End("GenQueryInp_PI");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "GenQuery page of {Rows} rows (continuation {Continuation})")]
    private static partial void LogPage(ILogger logger, int rows, int continuation);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Wrote {Path} ({Bytes} bytes)")]
    private static partial void LogWritten(ILogger logger, string path, long bytes);
}
