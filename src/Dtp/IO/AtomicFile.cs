namespace Dtp.IO;

/// <summary>Writes files so that a reader sees either the old file or the complete new one, never a half-written one.</summary>
public static class AtomicFile
{
    /// <summary>The suffix of the temporary files this class writes beside their targets.</summary>
    public const string TemporarySuffix = ".dtp-tmp";

    /// <summary>Writes a file through a temporary file in the same folder, then moves it into place.</summary>
    /// <param name="path">The file to write; its folder is created when missing.</param>
    /// <param name="write">Writes the content to the stream it is given (and does not dispose it).</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <param name="unixMode">On Unix, the new file's permissions (e.g. owner read and write only for secrets); the default value is the process's default.</param>
    /// <param name="cancellationToken">Cancels the write; the target is then left as it was.</param>
    /// <exception cref="DtpException">The file exists and <paramref name="overwrite"/> is false, or it cannot be written.</exception>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, bool overwrite = false, UnixFileMode? unixMode = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        var fullPath = Path.GetFullPath(path);
        ThrowIfExists(fullPath, overwrite);
        var folder = Path.GetDirectoryName(fullPath)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            Directory.CreateDirectory(folder);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16, Options = FileOptions.Asynchronous };
            if (unixMode is { } mode && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            var stream = new FileStream(temporary, options);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DtpException($"Cannot write {fullPath}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes text as UTF-8 (without a byte-order mark) through a temporary file.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="text">The content.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <param name="unixMode">On Unix, the new file's permissions; the default value is the process's default.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="DtpException">The file exists and <paramref name="overwrite"/> is false, or it cannot be written.</exception>
    public static Task WriteTextAsync(string path, string text, bool overwrite = false, UnixFileMode? unixMode = null, CancellationToken cancellationToken = default) =>
        WriteAsync(path, async (stream, ct) =>
        {
            var writer = new StreamWriter(stream, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                await writer.WriteAsync(text.AsMemory(), ct).ConfigureAwait(false);
            }
        }, overwrite, unixMode, cancellationToken);

    /// <summary>Throws when a file or a non-empty folder is in the way and overwriting was not asked for.</summary>
    /// <param name="path">The target path.</param>
    /// <param name="overwrite">Whether the target may be replaced.</param>
    /// <exception cref="DtpException">The target exists and <paramref name="overwrite"/> is false.</exception>
    public static void ThrowIfExists(string path, bool overwrite)
    {
        if (overwrite)
        {
            return;
        }

        if (File.Exists(path))
        {
            throw new DtpException($"{path} already exists; pass overwrite (--overwrite) to replace it.", DtpErrorKind.Local);
        }

        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            throw new DtpException($"{path} is a folder that is not empty; pass overwrite (--overwrite) to write into it.", DtpErrorKind.Local);
        }
    }
}
