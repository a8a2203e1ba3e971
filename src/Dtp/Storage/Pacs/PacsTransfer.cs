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

/// <summary>Finds the DICOM Part 10 files among paths given for an upload.</summary>
internal static partial class PacsUploadFiles
{
    /// <summary>Expands folders recursively (in ordinal order) and keeps the Part 10 files; the others are logged and counted.</summary>
    /// <exception cref="DtpException">A path does not exist (kind Local).</exception>
    public static async Task<(List<string> Files, int Skipped)> CollectAsync(IEnumerable<string> paths, ILogger logger, CancellationToken cancellationToken)
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
