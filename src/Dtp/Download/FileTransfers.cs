using System.Buffers;
using System.Net.Http;
using System.Security.Cryptography;
using Dtp.Storage;
using Microsoft.Extensions.Logging;

namespace Dtp.Download;

/// <summary>One file to deliver: where it goes in the dataset's folder, where it comes from, and what it must be.</summary>
/// <param name="Target">The path relative to the dataset's folder.</param>
/// <param name="StoreDatasetId">The store's dataset id the file is read from (a study's folder name for a PACS).</param>
/// <param name="Source">The file as the store lists it.</param>
/// <param name="Size">The expected size: the manifest's record, else the store's.</param>
/// <param name="Sha256">The expected SHA-256 from the Gen3 manifest's facts, when recorded.</param>
internal sealed record PlannedFile(string Target, string StoreDatasetId, StoredFile Source, long? Size, string? Sha256)
{
    /// <summary>Gets what the file is checked against, for the summary.</summary>
    public string VerifiedWith =>
        string.Join(", ", new[] { Size is null ? null : "size", Sha256 is null ? null : "sha256 (manifest)", Source.Checksum is { } c ? $"{c.Algorithm} (store)" : null }
            .OfType<string>().DefaultIfEmpty("complete read"));
}

/// <summary>
/// Transfers planned files into a folder: each to <c>&lt;file&gt;.part</c>, resumed from its length, hashed while written,
/// verified (size, manifest SHA-256, the store's checksum), then renamed; files already complete are verified and skipped.
/// </summary>
internal sealed partial class FileTransfers(IDataStore store, string folder, DownloadState state, DownloadOptions options, TransferMeter meter, ILogger logger)
{
    private const int BufferSize = 1 << 20;
    private const string PartSuffix = ".part";

    public async Task<DownloadedFile[]> RunAsync(IReadOnlyList<PlannedFile> files, CancellationToken cancellationToken)
    {
        var results = new DownloadedFile[files.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelTransfers), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                results[i] = await DeliverAsync(files[i], ct).ConfigureAwait(false);
                meter.FileDone(files[i].Target);
            }).ConfigureAwait(false);
        return results;
    }

    private async Task<DownloadedFile> DeliverAsync(PlannedFile file, CancellationToken cancellationToken)
    {
        var target = DatasetPaths.Combine(folder, file.Target);
        if (!options.Overwrite && await VerifyExistingAsync(file, target, cancellationToken).ConfigureAwait(false) is { } sha)
        {
            var size = new FileInfo(target).Length;
            meter.Skipped(size);
            return new DownloadedFile(file.Target, size, sha, DownloadFileStatus.Skipped, file.VerifiedWith);
        }

        state.Remove(file.Target);
        var part = target + PartSuffix;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (options.Overwrite)
        {
            File.Delete(part);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (length, sha256, storeDigest) = await FetchAsync(file, part, cancellationToken).ConfigureAwait(false);
                if (length < file.Size)
                {
                    throw new IOException($"the store sent {length} of {file.Size} bytes");
                }

                if (Mismatch(file, length, sha256, storeDigest) is { } mismatch)
                {
                    File.Delete(part);
                    return Failed(file, mismatch);
                }

                File.Move(part, target, overwrite: true);
                state.Set(file.Target, length, sha256);
                return new DownloadedFile(file.Target, length, sha256, DownloadFileStatus.Transferred, file.VerifiedWith);
            }
            catch (Exception ex) when (IsTransferFailure(ex, cancellationToken))
            {
                if (attempt >= options.TransferAttempts || ex is DtpException { IsTransient: false })
                {
                    return Failed(file, $"{Describe(ex)} (after {attempt} attempt{(attempt == 1 ? "" : "s")}; the partial file is kept for the next run)");
                }

                LogRetry(logger, file.Target, attempt, Describe(ex));
            }
        }
    }

    /// <summary>Hashes a file already in place; returns its SHA-256 when it matches everything known about it, else null.</summary>
    private async Task<string?> VerifyExistingAsync(PlannedFile file, string target, CancellationToken cancellationToken)
    {
        var info = new FileInfo(target);
        if (!info.Exists || (file.Size is { } size && info.Length != size))
        {
            return null;
        }

        var recorded = state.TryGet(file.Target, out var entry) && entry.Size == info.Length ? entry.Sha256 : null;
        if (file.Sha256 is null && recorded is null && file.Source.Checksum is null)
        {
            return null; // nothing to verify it against: fetch it again
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var other = OtherHash(file);
        var stream = new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            await HashAsync(stream, sha, other, cancellationToken).ConfigureAwait(false);
        }

        var digest = Convert.ToHexStringLower(sha.GetHashAndReset());
        var otherDigest = other is null ? null : Convert.ToHexStringLower(other.GetHashAndReset());
        if ((recorded is not null && recorded != digest) || Mismatch(file, info.Length, digest, otherDigest) is not null)
        {
            LogCorrupt(logger, file.Target);
            return null;
        }

        state.Set(file.Target, info.Length, digest);
        return digest;
    }

    private async Task<(long Length, string Sha256, string? StoreDigest)> FetchAsync(PlannedFile file, string part, CancellationToken cancellationToken)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var other = OtherHash(file);
        var output = new FileStream(part, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous);
        await using (output.ConfigureAwait(false))
        {
            if (file.Size is { } size && output.Length > size)
            {
                output.SetLength(0);
            }

            await HashAsync(output, sha, other, cancellationToken).ConfigureAwait(false);
            var offset = output.Position;
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                var input = await store.OpenReadAsync(file.StoreDatasetId, file.Source, offset, cancellationToken).ConfigureAwait(false);
                await using (input.ConfigureAwait(false))
                {
                    int read;
                    while ((read = await input.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        sha.AppendData(buffer, 0, read);
                        other?.AppendData(buffer, 0, read);
                        meter.Received(read);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return (output.Length, Convert.ToHexStringLower(sha.GetHashAndReset()), other is null ? null : Convert.ToHexStringLower(other.GetHashAndReset()));
        }
    }

    private static async Task HashAsync(Stream stream, IncrementalHash sha, IncrementalHash? other, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                other?.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A hash of the store's own algorithm when it is not SHA-256 (an iRODS zone configured for MD5).</summary>
    private static IncrementalHash? OtherHash(PlannedFile file) =>
#pragma warning disable CA5351 // MD5 only to compare with a checksum the store computed with MD5.
        file.Source.Checksum?.Algorithm == "md5" ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
#pragma warning restore CA5351

    private static string? Mismatch(PlannedFile file, long length, string sha256, string? storeDigest)
    {
        if (file.Size is { } size && length != size)
        {
            return $"size {length} differs from the expected {size}";
        }

        if (file.Sha256 is { } expected && !string.Equals(expected, sha256, StringComparison.OrdinalIgnoreCase))
        {
            return $"sha256 {sha256} differs from the manifest's {expected}";
        }

        if (file.Source.Checksum is { } checksum)
        {
            var actual = checksum.Algorithm == "sha256" ? sha256 : storeDigest;
            if (actual is not null && !string.Equals(checksum.Value, actual, StringComparison.OrdinalIgnoreCase))
            {
                return $"{checksum.Algorithm} {actual} differs from the store's {checksum.Value}";
            }
        }

        return null;
    }

    private DownloadedFile Failed(PlannedFile file, string reason)
    {
        LogFailed(logger, file.Target, reason);
        return new DownloadedFile(file.Target, file.Size ?? 0, null, DownloadFileStatus.Failed, file.VerifiedWith, reason);
    }

    private static bool IsTransferFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is DtpException or IOException or HttpRequestException or UnauthorizedAccessException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private string Describe(Exception ex) => ex switch
    {
        DtpException => ex.Message,
        OperationCanceledException => $"the {store.Name} did not answer in time",
        _ => $"the transfer from the {store.Name} broke off: {ex.Message}",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{File}: attempt {Attempt} failed ({Reason}); resuming")]
    private static partial void LogRetry(ILogger logger, string file, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{File} on disk differs from what was downloaded before; fetching it again")]
    private static partial void LogCorrupt(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{File} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string file, string reason);
}
