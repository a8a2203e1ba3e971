namespace Dtp.Storage;

/// <summary>
/// A place where a dataset's data files live: a PACS, an iRODS zone, a local folder.
/// Every store names files by their path relative to the dataset's root, with <c>/</c> separators.
/// </summary>
public interface IDataStore
{
    /// <summary>Gets a short description for messages, naming the store's kind and address (never a credential).</summary>
    string Name { get; }

    /// <summary>Lists every file of a dataset.</summary>
    /// <param name="datasetId">The dataset's id.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The files, in no guaranteed order; none when the dataset is empty.</returns>
    /// <exception cref="DtpException">The store failed or refused, or holds no such dataset.</exception>
    IAsyncEnumerable<StoredFile> ListAsync(string datasetId, CancellationToken cancellationToken = default);

    /// <summary>Opens a file of a dataset for reading, from a byte offset (to resume a partial download).</summary>
    /// <param name="datasetId">The dataset's id.</param>
    /// <param name="file">The file, as listed by <see cref="ListAsync"/>.</param>
    /// <param name="offset">The first byte wanted; stores that cannot seek skip the bytes before it themselves.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A stream of the file's content from <paramref name="offset"/>; the caller disposes it.</returns>
    /// <exception cref="DtpException">The store failed or refused, or the file no longer exists.</exception>
    Task<Stream> OpenReadAsync(string datasetId, StoredFile file, long offset = 0, CancellationToken cancellationToken = default);

    /// <summary>Stores one file of a dataset, replacing a file of the same path.</summary>
    /// <param name="datasetId">The dataset's id.</param>
    /// <param name="relativePath">The file's path relative to the dataset's root, with <c>/</c> separators.</param>
    /// <param name="content">The file's content, read to its end and left open.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The stored file as the store now lists it.</returns>
    /// <exception cref="DtpException">The store failed or refused.</exception>
    Task<StoredFile> UploadAsync(string datasetId, string relativePath, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Deletes every file of a dataset; deleting a dataset that does not exist succeeds.</summary>
    /// <param name="datasetId">The dataset's id.</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <returns>How many files were deleted.</returns>
    /// <exception cref="DtpException">The store failed or refused.</exception>
    Task<int> DeleteDatasetAsync(string datasetId, CancellationToken cancellationToken = default);
}

/// <summary>One file of a dataset as a store lists it.</summary>
/// <param name="RelativePath">The path relative to the dataset's root, with <c>/</c> separators.</param>
/// <param name="Size">The size in bytes, when the store knows it.</param>
/// <param name="Checksum">A checksum the store vouches for, when it has one.</param>
/// <param name="Locator">The store's own address of the file (an object path, a SOP Instance UID, ...), opaque to callers.</param>
public sealed record StoredFile(string RelativePath, long? Size, FileChecksum? Checksum, string Locator);

/// <summary>A checksum of a file's bytes.</summary>
/// <param name="Algorithm">The algorithm, in lower case: <c>sha256</c>, <c>md5</c>, ...</param>
/// <param name="Value">The digest as lower-case hexadecimal.</param>
public sealed record FileChecksum(string Algorithm, string Value);
