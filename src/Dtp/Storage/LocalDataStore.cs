using System.Runtime.CompilerServices;
using Dtp.IO;

namespace Dtp.Storage;

/// <summary>A data store in a local folder: each dataset is the sub-folder <c>&lt;root&gt;/&lt;datasetId&gt;</c>.</summary>
/// <param name="root">The folder that holds one sub-folder per dataset.</param>
public sealed class LocalDataStore(string root) : IDataStore
{
    private readonly string root = Path.GetFullPath(root);

    /// <inheritdoc/>
    public string Name => $"local folder {root}";

    /// <inheritdoc/>
    public async IAsyncEnumerable<StoredFile> ListAsync(string datasetId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var folder = DatasetFolder(datasetId);
        if (!Directory.Exists(folder))
        {
            throw new DtpException($"The {Name} holds no dataset \"{datasetId}\" (no folder {folder}).");
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.Name.EndsWith(AtomicFile.TemporarySuffix, StringComparison.Ordinal))
            {
                continue;
            }

            var relative = Path.GetRelativePath(folder, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            yield return new StoredFile(relative, file.Length, null, file.FullName);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<Stream> OpenReadAsync(string datasetId, StoredFile file, long offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var path = DatasetPaths.Combine(DatasetFolder(datasetId), file.RelativePath);
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            stream.Seek(offset, SeekOrigin.Begin);
            return Task.FromResult<Stream>(stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DtpException($"Cannot read {path} from the {Name}: {ex.Message}", DtpErrorKind.Remote, innerException: ex);
        }
    }

    /// <inheritdoc/>
    public async Task<StoredFile> UploadAsync(string datasetId, string relativePath, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = DatasetPaths.Combine(DatasetFolder(datasetId), relativePath);
        await AtomicFile.WriteAsync(path, (stream, ct) => content.CopyToAsync(stream, ct), overwrite: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new StoredFile(string.Join('/', DatasetPaths.Split(relativePath)), new FileInfo(path).Length, null, path);
    }

    /// <inheritdoc/>
    public Task<int> DeleteDatasetAsync(string datasetId, CancellationToken cancellationToken = default)
    {
        var folder = DatasetFolder(datasetId);
        if (!Directory.Exists(folder))
        {
            return Task.FromResult(0);
        }

        var count = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count();
        Directory.Delete(folder, recursive: true);
        return Task.FromResult(count);
    }

    private string DatasetFolder(string datasetId)
    {
        DatasetPaths.ThrowIfInvalidDatasetId(datasetId);
        return Path.Combine(root, datasetId);
    }
}
