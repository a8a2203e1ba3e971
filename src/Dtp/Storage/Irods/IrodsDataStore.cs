using System.Runtime.CompilerServices;

namespace Dtp.Storage.Irods;

/// <summary>
/// Datasets in an iRODS zone: each dataset is the collection <c>&lt;projectRoot&gt;/&lt;datasetId&gt;</c>, as in the original tool.
/// </summary>
/// <param name="client">The iRODS client (the store does not dispose it).</param>
/// <param name="projectRoot">The collection that holds one sub-collection per dataset (<c>irods_project_root</c>).</param>
public sealed class IrodsDataStore(IrodsClient client, string projectRoot) : IDataStore
{
    private readonly IrodsClient client = client ?? throw new ArgumentNullException(nameof(client));
    private readonly string projectRoot = ValidRoot(projectRoot);

    /// <inheritdoc/>
    public string Name => $"iRODS collection {projectRoot} ({client.Name})";

    /// <summary>Returns the collection that holds a dataset.</summary>
    /// <param name="datasetId">The dataset's id.</param>
    /// <returns>The collection's absolute path.</returns>
    public string CollectionOf(string datasetId)
    {
        DatasetPaths.ThrowIfInvalidDatasetId(datasetId);
        return IrodsPath.Combine(projectRoot, datasetId);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StoredFile> ListAsync(string datasetId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var collection = await RequireDatasetAsync(datasetId, cancellationToken).ConfigureAwait(false);
        var prefix = collection + "/";
        await foreach (var item in client.ListDataObjectsAsync(collection, recursive: true, cancellationToken).ConfigureAwait(false))
        {
            var relative = string.Join('/', DatasetPaths.Split(item.Path[prefix.Length..]));
            yield return new StoredFile(relative, item.Size, IrodsPath.ToFileChecksum(item.Checksum), item.Path);
        }
    }

    /// <inheritdoc/>
    /// <remarks>The listed size bounds the reads: no read request goes past the object's end.</remarks>
    public Task<Stream> OpenReadAsync(string datasetId, StoredFile file, long offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        return client.OpenReadAsync(ObjectPath(datasetId, file.RelativePath), offset, file.Size ?? -1, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<StoredFile> UploadAsync(string datasetId, string relativePath, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = ObjectPath(datasetId, relativePath);
        await client.CreateCollectionAsync(IrodsPath.ParentOf(path), recursive: true, cancellationToken).ConfigureAwait(false);
        var size = await client.WriteAsync(content, path, cancellationToken).ConfigureAwait(false);
        var checksum = await client.ComputeChecksumAsync(path, force: true, cancellationToken).ConfigureAwait(false);
        return new StoredFile(string.Join('/', DatasetPaths.Split(relativePath)), size, IrodsPath.ToFileChecksum(checksum), path);
    }

    /// <inheritdoc/>
    public async Task<int> DeleteDatasetAsync(string datasetId, CancellationToken cancellationToken = default)
    {
        var collection = CollectionOf(datasetId);
        if (await client.StatAsync(collection, cancellationToken).ConfigureAwait(false) is null)
        {
            return 0;
        }

        var count = await client.ListDataObjectsAsync(collection, recursive: true, cancellationToken).CountAsync(cancellationToken).ConfigureAwait(false);
        await client.RemoveCollectionAsync(collection, recursive: true, cancellationToken).ConfigureAwait(false);
        return count;
    }

    /// <summary>
    /// Downloads a dataset to <c>&lt;destination&gt;/&lt;datasetId&gt;/</c> as the original did, but verified against iRODS's checksums,
    /// several files at a time, through <c>.part</c> files that a later call resumes.
    /// </summary>
    /// <param name="datasetId">The dataset's id.</param>
    /// <param name="destination">The folder that receives the dataset's folder.</param>
    /// <param name="overwrite">Whether existing files that differ may be replaced.</param>
    /// <param name="progress">Receives a report after each file.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>What was transferred.</returns>
    /// <exception cref="DtpException">The dataset does not exist, a file failed its check, or the server failed.</exception>
    public async Task<IrodsTransferSummary> DownloadDatasetAsync(string datasetId, string destination, bool overwrite = false,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        var collection = await RequireDatasetAsync(datasetId, cancellationToken).ConfigureAwait(false);
        return await client.DownloadCollectionAsync(collection, Path.Combine(Path.GetFullPath(destination), datasetId), overwrite, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Uploads a folder as the dataset's collection tree.</summary>
    /// <param name="datasetId">The dataset's id.</param>
    /// <param name="folder">The dataset's folder on disk.</param>
    /// <param name="progress">Receives a report after each file.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>What was transferred.</returns>
    /// <exception cref="DtpException">The folder is missing or the server refused.</exception>
    public Task<IrodsTransferSummary> UploadDatasetAsync(string datasetId, string folder, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        client.UploadFolderAsync(folder, CollectionOf(datasetId), progress, cancellationToken);

    private async Task<string> RequireDatasetAsync(string datasetId, CancellationToken cancellationToken)
    {
        var collection = CollectionOf(datasetId);
        var stat = await client.StatAsync(collection, cancellationToken).ConfigureAwait(false);
        return stat?.Kind == IrodsObjectKind.Collection
            ? collection
            : throw new DtpException($"The {Name} holds no dataset \"{datasetId}\" (no collection {collection}).");
    }

    private string ObjectPath(string datasetId, string relativePath) =>
        IrodsPath.Combine(CollectionOf(datasetId), string.Join('/', DatasetPaths.Split(relativePath)));

    private static string ValidRoot(string root)
    {
        IrodsPath.ThrowIfInvalid(root);
        return root.TrimEnd('/');
    }
}
