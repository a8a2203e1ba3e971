using Dtp.Dicom;
using Microsoft.Extensions.Logging;

namespace Dtp.Storage.Pacs;

/// <summary>Counts a PACS transfer's files and bytes across parallel workers and reports progress.</summary>
/// <param name="total">The files in the whole transfer.</param>
/// <param name="progress">Receives a report after each change.</param>
internal sealed class TransferTally(int total, IProgress<TransferProgress>? progress)
{
    private int transferred;
    private int skipped;
    private long bytes;

    public int Transferred => Volatile.Read(ref transferred);

    public int Skipped => Volatile.Read(ref skipped);

    public long Bytes => Interlocked.Read(ref bytes);

    public void Done(int files, long size, string current)
    {
        Interlocked.Add(ref transferred, files);
        Interlocked.Add(ref bytes, size);
        Report(current);
    }

    public void Skip(int files)
    {
        if (files > 0)
        {
            Interlocked.Add(ref skipped, files);
            Report(null);
        }
    }

    private void Report(string? current) => progress?.Report(new TransferProgress(Transferred + Skipped, total, Bytes, null, current));
}

/// <summary>The course of a study download and of an upload of files that every PACS store shares; the stores supply the transfers.</summary>
internal static partial class PacsTransfer
{
    /// <summary>
    /// Keeps the series wanted (all when none are named), lists each one's instances, and downloads the series in parallel into
    /// <c>&lt;destination&gt;/sub-&lt;study&gt;</c>.
    /// </summary>
    /// <exception cref="DtpException">A series named is not in the study (kind Remote), or a download failed.</exception>
    public static async Task<PacsTransferResult> DownloadStudyAsync<TSeries, TInstance>(
        string storeName, string study, IReadOnlyList<TSeries> series, Func<TSeries, string> uidOf,
        Func<TSeries, CancellationToken, Task<IReadOnlyList<TInstance>>> listInstances,
        Func<TSeries, IReadOnlyList<TInstance>, string, TransferTally, CancellationToken, Task> downloadSeries,
        string destination, PacsDownloadOptions options, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        if (options.SeriesInstanceUids.Count > 0)
        {
            var wanted = options.SeriesInstanceUids.Select(PacsLayout.ToUid).ToHashSet(StringComparer.Ordinal);
            var unknown = wanted.Except(series.Select(uidOf), StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                throw new DtpException($"The {storeName} holds no series {string.Join(", ", unknown)} in study {study}.");
            }

            series = series.Where(s => wanted.Contains(uidOf(s))).ToList();
        }

        var studyFolder = Path.Combine(Path.GetFullPath(destination), PacsLayout.SubjectFolder(study));
        var listed = new List<(TSeries Series, IReadOnlyList<TInstance> Instances)>();
        foreach (var s in series)
        {
            listed.Add((s, await listInstances(s, cancellationToken).ConfigureAwait(false)));
        }

        var tally = new TransferTally(listed.Sum(l => l.Instances.Count), progress);
        await Parallel.ForEachAsync(listed, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelSeries), CancellationToken = cancellationToken },
            (item, ct) => new ValueTask(downloadSeries(item.Series, item.Instances, studyFolder, tally, ct))).ConfigureAwait(false);
        return new PacsTransferResult(tally.Transferred, tally.Skipped, tally.Bytes, studyFolder);
    }

    /// <summary>Uploads the Part 10 files among the paths (folders searched recursively) in batches, some at once; other files are skipped and logged.</summary>
    /// <param name="paths">Files and folders.</param>
    /// <param name="batchSize">Files per batch.</param>
    /// <param name="parallel">Batches at once.</param>
    /// <param name="storeBatch">Stores one batch and returns its bytes.</param>
    /// <param name="logger">Receives the skipped files.</param>
    /// <param name="progress">Receives a report after each batch.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <exception cref="DtpException">A path does not exist (kind Local), or a batch failed.</exception>
    public static async Task<PacsTransferResult> UploadFilesAsync(IEnumerable<string> paths, int batchSize, int parallel,
        Func<string[], CancellationToken, Task<long>> storeBatch, ILogger logger, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var (files, skipped) = await CollectAsync(paths, logger, cancellationToken).ConfigureAwait(false);
        var tally = new TransferTally(files.Count, progress);
        await Parallel.ForEachAsync(files.Chunk(Math.Max(1, batchSize)),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel), CancellationToken = cancellationToken },
            async (batch, ct) =>
            {
                var bytes = await storeBatch(batch, ct).ConfigureAwait(false);
                tally.Done(batch.Length, bytes, batch[^1]);
            }).ConfigureAwait(false);
        return new PacsTransferResult(tally.Transferred, skipped, tally.Bytes, null);
    }

    private static async Task<(List<string> Files, int Skipped)> CollectAsync(IEnumerable<string> paths, ILogger logger, CancellationToken cancellationToken)
    {
        var files = new List<string>();
        var skipped = 0;
        foreach (var path in paths.SelectMany(Expand))
        {
            if (await IsPart10Async(path, cancellationToken).ConfigureAwait(false))
            {
                files.Add(path);
            }
            else
            {
                skipped++;
                LogNotDicom(logger, path);
            }
        }

        return (files, skipped);
    }

    private static IEnumerable<string> Expand(string path)
    {
        if (Directory.Exists(path))
        {
            return Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        }

        return File.Exists(path) ? [path] : throw new DtpException($"{path} does not exist.", DtpErrorKind.Local);
    }

    private static async Task<bool> IsPart10Async(string path, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            var head = new byte[134];
            var read = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return DicomFile.HasPart10Header(head.AsSpan(0, read));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Path}: not a DICOM Part 10 file")]
    private static partial void LogNotDicom(ILogger logger, string path);
}
