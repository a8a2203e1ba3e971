using System.Buffers;
using System.Security.Cryptography;
using Dtp.IO;
using Microsoft.Extensions.Logging;

namespace Dtp.Storage.Irods;

/// <summary>Whole-file and whole-collection transfers: verified, resumable downloads and folder uploads.</summary>
public sealed partial class IrodsClient
{
    /// <summary>The suffix of a download in progress; a later download of the same file resumes from it.</summary>
    public const string PartialSuffix = ".part";

    /// <summary>The suffix of the record of which byte ranges a <c>.part</c> file still lacks, kept while a large object downloads over several connections.</summary>
    public const string PartialRangesSuffix = ".part.ranges";

    internal const int TransferAttempts = 3;

    /// <summary>
    /// Downloads a data object to a file: into <c>&lt;file&gt;.part</c> (resuming one left by an interrupted download), checked
    /// against the size and the checksum iRODS holds, then renamed into place. Lost connections are retried from where they stopped.
    /// An object of <see cref="IrodsClientOptions.ParallelThreshold"/> bytes or more comes over several connections at once, in blocks
    /// written at their offsets and hashed in order; which ranges are still missing is kept in <c>&lt;file&gt;.part.ranges</c> until the
    /// file is complete, so an interrupted download resumes each range.
    /// </summary>
    /// <param name="dataObject">The object, as listed (its size and checksum are what the file is checked against).</param>
    /// <param name="localPath">The file to write.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <param name="cancellationToken">Cancels the download; the <c>.part</c> file (and its ranges record) stays for a later resume.</param>
    /// <returns>How many bytes went over the network, and whether a checksum was verified.</returns>
    /// <exception cref="DtpException">The file exists and <paramref name="overwrite"/> is false, the data did not match its checksum, or the server failed.</exception>
    public async Task<(long Bytes, bool Verified)> DownloadAsync(IrodsDataObject dataObject, string localPath, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataObject);
        ArgumentException.ThrowIfNullOrWhiteSpace(localPath);
        var target = Path.GetFullPath(localPath);
        IO.AtomicFile.ThrowIfExists(target, overwrite);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + PartialSuffix;
        var sidecar = target + PartialRangesSuffix;
        var expected = IrodsPath.ToFileChecksum(dataObject.Checksum);
        long transferred = 0;
        string? actual;
        if (File.Exists(sidecar) || (options.MaxConnections > 1 && dataObject.Size >= options.ParallelThreshold))
        {
            using var ranged = new IrodsRangedDownload(this, dataObject, partial, sidecar, logger);
            (transferred, actual) = await ranged.RunAsync(expected?.Algorithm, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var (count, digest) = await DownloadPartAsync(dataObject, partial, expected?.Algorithm, cancellationToken).ConfigureAwait(false);
                    transferred += count;
                    actual = digest;
                    break;
                }
                catch (DtpException ex) when (ex.IsTransient && attempt < TransferAttempts)
                {
                    LogRetry(logger, dataObject.Path, attempt, ex.Message);
                }
            }
        }

        var length = new FileInfo(partial).Length;
        if (length != dataObject.Size)
        {
            DeletePartial(partial, sidecar);
            throw new DtpException($"Downloading {dataObject.Path} from the {Name} gave {length} bytes; iRODS lists {dataObject.Size}. The partial file was removed.", DtpErrorKind.Remote);
        }

        if (expected is not null && !string.Equals(actual, expected.Value, StringComparison.Ordinal))
        {
            DeletePartial(partial, sidecar);
            throw new IrodsException(IrodsErrors.UserChksumMismatch, $"the download of {dataObject.Path}",
                $"the {expected.Algorithm} of the downloaded bytes is {actual}; iRODS holds {expected.Value}; the partial file was removed");
        }

        // Complete: the sidecar goes first, as a complete .part file without one is read as complete.
        File.Delete(sidecar);
        File.Move(partial, target, overwrite);
        return (transferred, expected is not null);
    }

    /// <summary>
    /// Downloads a collection recursively into <paramref name="destination"/> (its files land in <c>destination/&lt;relative path&gt;</c>),
    /// several files at a time; files already complete and matching their checksum are skipped.
    /// </summary>
    /// <param name="collection">The collection's absolute path.</param>
    /// <param name="destination">The folder that receives the collection's content.</param>
    /// <param name="overwrite">Whether files that exist and differ may be replaced.</param>
    /// <param name="progress">Receives a report after each file (done or skipped as complete).</param>
    /// <param name="cancellationToken">Cancels the download; partial files stay for a later resume.</param>
    /// <returns>What was transferred.</returns>
    /// <exception cref="DtpException">A name would leave <paramref name="destination"/>, a file exists and differs, or the server failed.</exception>
    public async Task<IrodsTransferSummary> DownloadCollectionAsync(string collection, string destination, bool overwrite = false,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        IrodsPath.ThrowIfInvalid(collection);
        var root = Path.GetFullPath(destination);
        var prefix = collection.TrimEnd('/') + "/";
        var objects = await ListDataObjectsAsync(collection, recursive: true, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);

        // Every name is checked before anything is written: a hostile or odd name must not leave the destination.
        var plan = objects.Select(o => (Object: o, Local: DatasetPaths.Combine(root, o.Path[prefix.Length..]))).ToList();
        long bytes = 0;
        int skipped = 0, verified = 0, done = 0;
        var totalBytes = plan.Sum(p => p.Object.Size);
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = options.MaxConnections, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            if (await IsCompleteAsync(item.Object, item.Local, ct).ConfigureAwait(false))
            {
                Interlocked.Increment(ref skipped);
            }
            else
            {
                var (count, checkedSum) = await DownloadAsync(item.Object, item.Local, overwrite, ct).ConfigureAwait(false);
                Interlocked.Add(ref bytes, count);
                if (checkedSum)
                {
                    Interlocked.Increment(ref verified);
                }
            }

            progress?.Report(new TransferProgress(Interlocked.Increment(ref done), plan.Count, Interlocked.Read(ref bytes), totalBytes, item.Object.Path[prefix.Length..]));
        }).ConfigureAwait(false);
        return new IrodsTransferSummary(plan.Count, bytes, skipped, verified);
    }

    /// <summary>Uploads a file and has the server checksum it, comparing with the local SHA-256.</summary>
    /// <param name="localPath">The file to upload.</param>
    /// <param name="path">The data object's absolute path; its collection must exist.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The stored object as iRODS now describes it.</returns>
    /// <exception cref="DtpException">The file cannot be read, the server refused, or the stored checksum differs.</exception>
    public async Task<IrodsDataObject> UploadFileAsync(string localPath, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(localPath);
        FileStream file;
        try
        {
            file = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DtpException($"Cannot read {localPath}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }

        await using (file.ConfigureAwait(false))
        {
            using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var hashing = new HashingReadStream(file, hasher);
            var size = await WriteAsync(hashing, path, cancellationToken).ConfigureAwait(false);
            var local = "sha2:" + Convert.ToBase64String(hasher.GetHashAndReset());
            var stored = await ComputeChecksumAsync(path, force: true, cancellationToken).ConfigureAwait(false);
            if (stored.StartsWith("sha2:", StringComparison.Ordinal) && stored != local)
            {
                throw new IrodsException(IrodsErrors.UserChksumMismatch, $"the upload of {localPath} to {path}", $"iRODS stored {stored}; the file's is {local}");
            }

            return new IrodsDataObject(path, size, stored, DateTimeOffset.UtcNow);
        }
    }

    /// <summary>Uploads a folder as a collection tree (sub-folders become sub-collections), several files at a time.</summary>
    /// <param name="localFolder">The folder to upload.</param>
    /// <param name="collection">The collection that receives the folder's content; created when missing.</param>
    /// <param name="progress">Receives a report after each uploaded file.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>What was transferred.</returns>
    /// <exception cref="DtpException">The folder is missing or the server refused.</exception>
    public async Task<IrodsTransferSummary> UploadFolderAsync(string localFolder, string collection, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        IrodsPath.ThrowIfInvalid(collection);
        var root = Path.GetFullPath(localFolder);
        if (!Directory.Exists(root))
        {
            throw new DtpException($"The folder {root} does not exist.", DtpErrorKind.Local);
        }

        await CreateCollectionAsync(collection, recursive: true, cancellationToken).ConfigureAwait(false);
        foreach (var folder in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            await CreateCollectionAsync(IrodsPath.Combine(collection, Relative(root, folder)), recursive: true, cancellationToken).ConfigureAwait(false);
        }

        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(PartialSuffix, StringComparison.Ordinal) && !f.EndsWith(PartialRangesSuffix, StringComparison.Ordinal)
                && !f.EndsWith(IO.AtomicFile.TemporarySuffix, StringComparison.Ordinal)).ToList();
        long bytes = 0;
        var done = 0;
        var totalBytes = files.Sum(f => new FileInfo(f).Length);
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = options.MaxConnections, CancellationToken = cancellationToken }, async (file, ct) =>
        {
            var stored = await UploadFileAsync(file, IrodsPath.Combine(collection, Relative(root, file)), ct).ConfigureAwait(false);
            var sent = Interlocked.Add(ref bytes, stored.Size);
            progress?.Report(new TransferProgress(Interlocked.Increment(ref done), files.Count, sent, totalBytes, Relative(root, file)));
        }).ConfigureAwait(false);
        return new IrodsTransferSummary(files.Count, bytes, 0, files.Count);
    }

    /// <summary>Returns the incremental hash for a checksum's algorithm (<c>md5</c> or <c>sha2</c>), or <see langword="null"/> for none.</summary>
    internal static IncrementalHash? CreateHash(string? algorithm) =>
        algorithm is null ? null : IncrementalHash.CreateHash(algorithm == "md5" ? HashAlgorithmName.MD5 : HashAlgorithmName.SHA256);

    private static void DeletePartial(string partial, string sidecar)
    {
        File.Delete(partial);
        File.Delete(sidecar);
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>Appends the rest of the object to the partial file, hashing (when asked) what was there and what arrives.</summary>
    private async Task<(long Count, string? Digest)> DownloadPartAsync(IrodsDataObject dataObject, string partial, string? algorithm, CancellationToken cancellationToken)
    {
        var offset = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (offset > dataObject.Size)
        {
            File.Delete(partial);
            offset = 0;
        }

        using var hash = CreateHash(algorithm);
        var file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 0, FileOptions.None);
        var buffer = ArrayPool<byte>.Shared.Rent(options.ChunkSize);
        try
        {
            await using var owned = file.ConfigureAwait(false);
            if (hash is not null)
            {
                // A resumed download hashes the bytes it already has; a fresh one hashes as it writes.
                int read;
                while ((read = await file.ReadAsync(buffer.AsMemory(0, options.ChunkSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                }
            }

            file.Seek(offset, SeekOrigin.Begin);
            long count = 0;
            if (offset < dataObject.Size)
            {
                var source = await OpenReadAsync(dataObject.Path, offset, dataObject.Size, cancellationToken).ConfigureAwait(false);
                await using (source.ConfigureAwait(false))
                {
                    while (true)
                    {
                        var read = await source.ReadAsync(buffer.AsMemory(0, options.ChunkSize), cancellationToken).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        hash?.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        count += read;
                    }
                }
            }

            return (count, hash is null ? null : Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<bool> IsCompleteAsync(IrodsDataObject dataObject, string localPath, CancellationToken cancellationToken)
    {
        var info = new FileInfo(localPath);
        if (!info.Exists || info.Length != dataObject.Size)
        {
            return false;
        }

        var expected = IrodsPath.ToFileChecksum(dataObject.Checksum);
        return expected is not null && string.Equals(await HashFileAsync(localPath, expected.Algorithm, cancellationToken).ConfigureAwait(false), expected.Value, StringComparison.Ordinal);
    }

    private static async Task<string> HashFileAsync(string path, string algorithm, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
#pragma warning disable CA5351 // MD5 only to compare with a checksum a zone configured for MD5 computed.
            var hash = algorithm == "md5"
                ? await MD5.HashDataAsync(file, cancellationToken).ConfigureAwait(false)
                : await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false);
#pragma warning restore CA5351
            return Convert.ToHexStringLower(hash);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download of {Path} interrupted (attempt {Attempt}), resuming: {Reason}")]
    internal static partial void LogRetry(ILogger logger, string path, int attempt, string reason);

    /// <summary>Passes reads through and hashes what passes.</summary>
    private sealed class HashingReadStream(Stream inner, IncrementalHash hash) : ForwardReadStream(inner)
    {
        protected override void OnRead(ReadOnlySpan<byte> data) => hash.AppendData(data);
    }
}
