using Dtp.Config;
using Dtp.Conversion;
using Dtp.Gen3;
using Dtp.Gen3.Dictionary;
using Dtp.IO;
using Dtp.Sds;
using Dtp.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dtp.Download;

/// <summary>
/// Downloads a dataset (data from a PACS, iRODS or a local folder store, metadata from Gen3) as a verified SDS folder,
/// as the original's <c>Downloader</c> promised. The dataset lands in <c>&lt;dest&gt;/&lt;id&gt;/</c>: while a download runs,
/// or after one failed, the folder is <c>&lt;dest&gt;/&lt;id&gt;.partial/</c>, so a folder under the dataset's own name is always
/// complete. The size and SHA-256 of every file written are kept in <c>&lt;dest&gt;/.&lt;id&gt;.dtp-state.json</c>, outside the SDS
/// content; a later run verifies the files against it and fetches only what is missing or wrong.
/// </summary>
public sealed class Downloader : IAsyncDisposable
{
    /// <summary>The suffix of a dataset folder whose download has not completed.</summary>
    public const string PartialSuffix = ".partial";

    private readonly IDataStore store;
    private readonly string storageType;
    private readonly Querier querier;
    private readonly Gen3Dictionary dictionary;
    private readonly ILogger logger;
    private readonly PlatformConnection? owned;

    /// <summary>Creates a downloader from the original's configuration files.</summary>
    /// <param name="dataStorageConfig">The storage configuration: <c>pacs.json</c>, <c>irods.json</c>, or <c>{"local_root": ...}</c>.</param>
    /// <param name="gen3Config">The original's <c>gen3.json</c>; when null, Gen3's usual credential resolution (<c>GEN3_API_KEY</c>, <c>~/.gen3/credentials.json</c>).</param>
    /// <param name="dataStorageType"><c>pacs</c>, <c>irods</c> or <c>local</c>.</param>
    /// <param name="loggerFactory">Where logs go; none when null.</param>
    /// <exception cref="ConfigException">A configuration file is missing or wrong.</exception>
    /// <exception cref="DtpException">An unknown storage type, or unusable Gen3 credentials.</exception>
    public Downloader(string dataStorageConfig, string? gen3Config = null, string dataStorageType = "pacs", ILoggerFactory? loggerFactory = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        owned = PlatformConnection.Open(dataStorageConfig, gen3Config, dataStorageType, loggerFactory, maxConnections: 4);
        store = owned.Storage.Store;
        storageType = dataStorageType;
        querier = new Querier(owned.Auth, loggerFactory: loggerFactory);
        dictionary = Gen3Dictionary.Sds;
        logger = loggerFactory.CreateLogger<Downloader>();
    }

    /// <summary>Creates a downloader over an open store and a commons' authentication, both owned by the caller.</summary>
    /// <param name="store">The data store.</param>
    /// <param name="dataStorageType"><c>pacs</c> (a dataset's studies are its cases' <c>sub-</c> ids), <c>irods</c> or <c>local</c>.</param>
    /// <param name="auth">The commons' authentication.</param>
    /// <param name="loggerFactory">Where logs go; none when null.</param>
    public Downloader(IDataStore store, string dataStorageType, Auth auth, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(auth);
        if (!DataStores.Kinds.Contains(dataStorageType))
        {
            throw new ArgumentException($"Storage type '{dataStorageType}' is unknown; use one of: {string.Join(", ", DataStores.Kinds)}.", nameof(dataStorageType));
        }

        loggerFactory ??= NullLoggerFactory.Instance;
        this.store = store;
        storageType = dataStorageType;
        querier = new Querier(auth, loggerFactory: loggerFactory);
        dictionary = Gen3Dictionary.Sds;
        logger = loggerFactory.CreateLogger<Downloader>();
    }

    /// <summary>
    /// Downloads a dataset into <c>&lt;dest&gt;/&lt;datasetId&gt;/</c>: its data files, verified, and its SDS metadata from Gen3.
    /// </summary>
    /// <param name="datasetId">The Gen3 experiment's <c>submitter_id</c>.</param>
    /// <param name="dest">The folder that receives the dataset's folder.</param>
    /// <param name="options">Program/project, parallel transfers, overwrite.</param>
    /// <param name="progress">Receives files, bytes, rate and time remaining.</param>
    /// <param name="cancellationToken">Cancels the download; the folder then stays <c>&lt;id&gt;.partial</c> and a later run resumes it.</param>
    /// <returns>Every file's outcome; <see cref="DownloadSummary.Complete"/> tells whether the dataset is complete.</returns>
    /// <exception cref="DtpException">
    /// No such dataset (kind Remote, nothing created), the id is in several projects (kind Local, listing them), the destination
    /// holds a folder dtp did not write (kind Local), or Gen3 or the store failed (kind Remote).
    /// </exception>
    public async Task<DownloadSummary> DownloadDatasetAsync(string datasetId, string dest, DownloadOptions? options = null,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        DatasetPaths.ThrowIfInvalidDatasetId(datasetId);
        ArgumentException.ThrowIfNullOrWhiteSpace(dest);
        options ??= new DownloadOptions();
        var reader = new Gen3DatasetReader(querier, dictionary, Math.Max(1, options.PageSize));
        var projectId = await reader.LocateAsync(datasetId, options.Program, options.Project, cancellationToken).ConfigureAwait(false);
        var records = await reader.ReadAsync(datasetId, projectId, cancellationToken).ConfigureAwait(false);
        var plan = await DownloadPlan.CreateAsync(store, storageType, datasetId, records, Math.Max(1, options.TransferAttempts), cancellationToken).ConfigureAwait(false);

        var destination = Path.GetFullPath(dest);
        var final = Path.Combine(destination, datasetId);
        var partial = final + PartialSuffix;
        var state = await PrepareFolderAsync(destination, datasetId, final, partial, options.Overwrite, cancellationToken).ConfigureAwait(false);
        var meter = new TransferMeter(plan.Files.Count, plan.Files.Sum(f => f.Size ?? 0), options.TimeProvider, progress);
        DownloadedFile[] results;
        try
        {
            results = await new FileTransfers(store, partial, state, options, meter, logger).RunAsync(plan.Files, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await state.SaveAsync(datasetId, projectId, complete: false, CancellationToken.None).ConfigureAwait(false);
        }

        var metadata = await WriteMetadataAsync(datasetId, records, plan.StoreMetadata, partial, cancellationToken).ConfigureAwait(false);
        var files = results.Concat(plan.Missing).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        var complete = files.All(f => f.Status != DownloadFileStatus.Failed);
        if (complete)
        {
            Directory.Move(partial, final);
            await state.SaveAsync(datasetId, projectId, complete: true, cancellationToken).ConfigureAwait(false);
        }

        return new DownloadSummary(datasetId, projectId, complete ? final : partial, files, plan.Extra, metadata.Files, metadata.Differences,
            [.. plan.Findings, .. metadata.Findings]);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>
    /// Writes the SDS metadata files from Gen3's records (in the version the dataset declares) and compares each with the store's
    /// own file of that kind, which it replaces; a store file of a kind Gen3 has no records for is kept.
    /// </summary>
    private async Task<(List<string> Files, List<string> Differences, List<string> Findings)> WriteMetadataAsync(string datasetId,
        Gen3DatasetRecords records, IReadOnlyList<PlannedFile> storeMetadata, string folder, CancellationToken cancellationToken)
    {
        var writer = new SdsFromGen3(dictionary);
        var version = writer.DetectVersion(records);
        var written = await writer.WriteAsync(records, folder, version, cancellationToken).ConfigureAwait(false);
        var files = written.FilesWritten.ToList();
        var differences = new List<string>();
        var findings = written.Findings.Select(f => f.ToString()).ToList();
        if (storeMetadata.Count == 0)
        {
            return (files, differences, findings);
        }

        var side = Path.Combine(Path.GetTempPath(), $"dtp-{datasetId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(side);
        try
        {
            foreach (var file in storeMetadata)
            {
                SdsFileKinds.TryFromStem(Path.GetFileNameWithoutExtension(file.Target), out var kind);
                var copy = Path.Combine(side, file.Target);
                var input = await store.OpenReadAsync(file.StoreDatasetId, file.Source, 0, cancellationToken).ConfigureAwait(false);
                await using (input.ConfigureAwait(false))
                {
                    await AtomicFile.WriteAsync(copy, (output, ct) => input.CopyToAsync(output, ct), overwrite: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                var gen3 = files.FirstOrDefault(f => Path.GetFileNameWithoutExtension(f) == kind.Stem());
                if (gen3 is null)
                {
                    File.Copy(copy, Path.Combine(folder, file.Target), overwrite: true);
                    files.Add(file.Target);
                    findings.Add($"Kept the store's {file.Target}: Gen3 holds no {kind.Stem()} records for this dataset.");
                    continue;
                }

                differences.AddRange(await MetadataComparison.CompareAsync(copy, file.Target, Path.Combine(folder, gen3), kind, version, cancellationToken).ConfigureAwait(false));
            }
        }
        finally
        {
            Directory.Delete(side, recursive: true);
        }

        return (files, differences, findings);
    }

    /// <summary>
    /// Moves a complete folder from an earlier run aside as <c>.partial</c> (so a failed re-run never leaves it looking complete),
    /// refusing a folder dtp did not write unless overwriting.
    /// </summary>
    private static async Task<DownloadState> PrepareFolderAsync(string destination, string datasetId, string final, string partial, bool overwrite, CancellationToken cancellationToken)
    {
        var statePath = DownloadState.PathFor(destination, datasetId);
        if (Directory.Exists(final))
        {
            if (!overwrite && !File.Exists(statePath) && Directory.EnumerateFileSystemEntries(final).Any())
            {
                throw new DtpException($"{final} exists and was not written by dtp download; pass overwrite (--overwrite) to download into it.", DtpErrorKind.Local);
            }

            if (Directory.Exists(partial))
            {
                throw new DtpException($"Both {final} and {partial} exist; remove the one you do not want.", DtpErrorKind.Local);
            }

            Directory.Move(final, partial);
        }

        Directory.CreateDirectory(partial);
        return await DownloadState.LoadAsync(statePath, fresh: overwrite, cancellationToken).ConfigureAwait(false);
    }
}
