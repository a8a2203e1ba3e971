using System.Runtime.CompilerServices;
using Dtp.Config;
using Dtp.Dicom;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dtp.Storage.Pacs;

/// <summary>Options of a study download.</summary>
public sealed class PacsDownloadOptions
{
    /// <summary>Gets or sets the series to fetch (UIDs, dotted or dashed); all when empty. The default value is empty.</summary>
    public IReadOnlyCollection<string> SeriesInstanceUids { get; set; } = [];

    /// <summary>Gets or sets how many series are fetched at once. The default value is 4.</summary>
    public int MaxParallelSeries { get; set; } = 4;
}

/// <summary>Options of an upload.</summary>
public sealed class PacsUploadOptions
{
    /// <summary>Gets or sets how many files go in one STOW-RS request. The default value is 25.</summary>
    public int BatchSize { get; set; } = 25;

    /// <summary>Gets or sets how many requests run at once. The default value is 2.</summary>
    public int MaxParallelRequests { get; set; } = 2;
}

/// <summary>
/// A PACS as a data store, over DICOMweb or Orthanc's REST API. A dataset is a study (its Study Instance UID, dotted, or a
/// <c>sub-</c> folder name); its files are laid out as <see cref="PacsLayout"/> describes. Downloads write each instance to a
/// <c>.part</c> file, rename it when complete, and skip instances already complete, so a second run fetches only what is missing.
/// </summary>
public sealed class PacsDataStore : IPacsStudyStore, IDisposable
{
    private const int HeaderBytes = 64 * 1024;
    private readonly IPacsApi api;
    private readonly HttpClient? ownedClient;
    private readonly ILogger logger;

    /// <summary>Creates a store over DICOMweb.</summary>
    public PacsDataStore(DicomWebClient client, ILogger<PacsDataStore>? logger = null)
        : this((IPacsApi)client, null, logger)
    {
    }

    /// <summary>Creates a store over Orthanc's REST API.</summary>
    public PacsDataStore(OrthancClient client, ILogger<PacsDataStore>? logger = null)
        : this((IPacsApi)client, null, logger)
    {
    }

    private PacsDataStore(IPacsApi api, HttpClient? ownedClient, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(api);
        this.api = api;
        this.ownedClient = ownedClient;
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    public string Name => $"PACS ({api.Description})";

    /// <summary>Creates a store from <c>pacs.json</c>: <c>pacs_url</c>, <c>pacs_api</c>, credentials and CA file.</summary>
    /// <exception cref="DtpException">The configuration has no <c>pacs_url</c> or an unreadable CA file.</exception>
    public static PacsDataStore Create(PacsConfig config, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        loggerFactory ??= NullLoggerFactory.Instance;
        var http = PacsHttp.CreateClient(config);
        IPacsApi api = config.Api == "orthanc"
            ? new OrthancClient(http, loggerFactory.CreateLogger<OrthancClient>())
            : new DicomWebClient(http, loggerFactory.CreateLogger<DicomWebClient>());
        return new PacsDataStore(api, http, loggerFactory.CreateLogger<PacsDataStore>());
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<PacsStudy> SearchStudiesAsync(string? patientId = null, string? studyInstanceUid = null, CancellationToken cancellationToken = default) =>
        api.SearchStudiesAsync(patientId, studyInstanceUid is null ? null : PacsLayout.ToUid(studyInstanceUid), cancellationToken);

    /// <inheritdoc/>
    public async Task<PacsTransferResult> DownloadStudyAsync(string studyInstanceUid, string destination, PacsDownloadOptions? options = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        options ??= new PacsDownloadOptions();
        var study = PacsLayout.ToUid(studyInstanceUid);
        var series = await SeriesOfAsync(study, cancellationToken).ConfigureAwait(false);
        return await PacsTransfer.DownloadStudyAsync(
            Name, study, series, s => s.SeriesInstanceUid, api.SearchInstancesAsync, DownloadSeriesAsync, destination, options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<PacsTransferResult> UploadFilesAsync(IEnumerable<string> paths, PacsUploadOptions? options = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new PacsUploadOptions();
        return PacsTransfer.UploadFilesAsync(paths, options.BatchSize, options.MaxParallelRequests, api.StoreAsync, logger, progress, cancellationToken);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StoredFile> ListAsync(string datasetId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var study = StudyOf(datasetId);
        foreach (var series in await SeriesOfAsync(study, cancellationToken).ConfigureAwait(false))
        {
            foreach (var i in await api.SearchInstancesAsync(series, cancellationToken).ConfigureAwait(false))
            {
                yield return new StoredFile(PacsLayout.RelativePath(series.SeriesInstanceUid, i.InstanceNumber, i.SopInstanceUid), i.Size, null,
                    $"{series.SeriesInstanceUid}/{i.SopInstanceUid}/{i.Locator}");
            }
        }
    }

    /// <inheritdoc/>
    public async Task<Stream> OpenReadAsync(string datasetId, StoredFile file, long offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var study = StudyOf(datasetId);
        var parts = file.Locator.Split('/');
        if (parts.Length != 3)
        {
            throw new ArgumentException($"\"{file.Locator}\" is not a locator this store lists.", nameof(file));
        }

        var instance = parts[2].Length > 0
            ? new PacsInstance(study, parts[0], parts[1], null, file.Size, parts[2])
            : await FindInstanceAsync(study, parts[0], parts[1], cancellationToken).ConfigureAwait(false);
        var stream = await api.OpenInstanceAsync(instance, cancellationToken).ConfigureAwait(false);
        try
        {
            var skip = new byte[64 * 1024];
            for (var left = offset; left > 0;)
            {
                var read = await stream.ReadAsync(skip.AsMemory(0, (int)Math.Min(skip.Length, left)), cancellationToken).ConfigureAwait(false);
                left = read == 0 ? throw new DtpException($"{file.RelativePath} on the {Name} is shorter than {offset} bytes.") : left - read;
            }

            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    /// <remarks>The PACS names files itself: the returned path follows <see cref="PacsLayout"/>, whatever <paramref name="relativePath"/> was.</remarks>
    public async Task<StoredFile> UploadAsync(string datasetId, string relativePath, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var study = StudyOf(datasetId);
        var spool = Path.Combine(Path.GetTempPath(), $"dtp-{Guid.NewGuid():N}.dcm.part");
        try
        {
            var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }

            var header = await ReadHeaderAsync(spool, relativePath, cancellationToken).ConfigureAwait(false);
            var (fileStudy, series, number, sop) = Identify(header, relativePath);
            if (fileStudy != study)
            {
                throw new DtpException($"{relativePath} belongs to study {fileStudy}, not to dataset {datasetId}.", DtpErrorKind.Local);
            }

            await api.StoreAsync([spool], cancellationToken).ConfigureAwait(false);
            return new StoredFile(PacsLayout.RelativePath(series, number, sop), new FileInfo(spool).Length, null, $"{series}/{sop}/");
        }
        finally
        {
            File.Delete(spool);
        }
    }

    /// <inheritdoc/>
    public Task<int> DeleteDatasetAsync(string datasetId, CancellationToken cancellationToken = default) =>
        api.DeleteStudyAsync(StudyOf(datasetId), cancellationToken);

    /// <summary>Disposes the HTTP client this store created from a configuration.</summary>
    public void Dispose() => ownedClient?.Dispose();

    private async Task DownloadSeriesAsync(PacsSeries series, IReadOnlyList<PacsInstance> instances, string studyFolder, TransferTally tally, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(studyFolder, PacsLayout.SampleFolder(series.SeriesInstanceUid));
        var missing = instances.Where(i => !File.Exists(Path.Combine(folder, PacsLayout.FileName(i.InstanceNumber, i.SopInstanceUid)))).ToList();
        tally.Skip(instances.Count - missing.Count);
        if (missing.Count == 0)
        {
            return;
        }

        Directory.CreateDirectory(folder);
        foreach (var stale in Directory.EnumerateFiles(folder, ".*.part"))
        {
            File.Delete(stale); // left by a run that was killed mid-file
        }

        if (missing.Count == instances.Count)
        {
            await api.RetrieveSeriesAsync(series, (stream, ct) => SaveAsync(stream, folder, tally, ct), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            foreach (var instance in missing)
            {
                var stream = await api.OpenInstanceAsync(instance, cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    try
                    {
                        await SaveAsync(stream, folder, tally, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is IOException or HttpRequestException)
                    {
                        throw new DtpException($"Cannot retrieve instance {instance.SopInstanceUid} from the {Name}: the response broke off: {ex.Message}", DtpErrorKind.Remote, true, ex);
                    }
                }
            }
        }

        var absent = instances.Where(i => !File.Exists(Path.Combine(folder, PacsLayout.FileName(i.InstanceNumber, i.SopInstanceUid)))).ToList();
        if (absent.Count > 0)
        {
            throw new DtpException($"The {Name} sent {instances.Count - absent.Count} of the {instances.Count} instances of series {series.SeriesInstanceUid}; missing: {string.Join(", ", absent.Take(5).Select(a => a.SopInstanceUid))}.", DtpErrorKind.Remote, isTransient: true);
        }
    }

    /// <summary>Writes one instance to a <c>.part</c> file, names it from its own tags, and renames it into place.</summary>
    private async Task SaveAsync(Stream stream, string folder, TransferTally tally, CancellationToken cancellationToken)
    {
        var part = Path.Combine(folder, $".{Guid.NewGuid():N}.part");
        try
        {
            long length;
            var file = new FileStream(part, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await stream.CopyToAsync(file, 1 << 16, cancellationToken).ConfigureAwait(false);
                length = file.Length;
            }

            var header = await ReadHeaderAsync(part, $"an instance received from the {Name}", cancellationToken).ConfigureAwait(false);
            var (_, _, number, sop) = Identify(header, $"an instance received from the {Name}");
            var name = PacsLayout.FileName(number, sop);
            var target = Path.Combine(folder, name);
            if (File.Exists(target))
            {
                tally.Skip(1);
                return;
            }

            File.Move(part, target);
            tally.Done(1, length, Path.Combine(Path.GetFileName(folder), name));
        }
        catch (DtpException ex) when (ex.Kind == DtpErrorKind.Local)
        {
            throw new DtpException(ex.Message, DtpErrorKind.Remote, ex.IsTransient, ex);
        }
        finally
        {
            File.Delete(part);
        }
    }

    private static async Task<DicomFile> ReadHeaderAsync(string path, string source, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            var buffer = new byte[Math.Min(file.Length, HeaderBytes)];
            await file.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            try
            {
                return DicomFile.ReadHeader(buffer, source);
            }
            catch (DtpException) when (file.Length > buffer.Length)
            {
                return DicomFile.ReadHeader(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), source);
            }
        }
    }

    private static (string Study, string Series, int? Number, string Sop) Identify(DicomFile file, string source)
    {
        var d = file.Dataset;
        var study = d.GetString(DicomTag.StudyInstanceUID);
        var series = d.GetString(DicomTag.SeriesInstanceUID);
        var sop = d.GetString(DicomTag.SOPInstanceUID);
        return DicomUid.IsValid(study) && DicomUid.IsValid(series) && DicomUid.IsValid(sop)
            ? (study!, series!, d.GetInt32(DicomTag.InstanceNumber), sop!)
            : throw new DtpException($"{source} lacks a valid Study, Series or SOP Instance UID.", DtpErrorKind.Local);
    }

    private async Task<List<PacsSeries>> SeriesOfAsync(string study, CancellationToken cancellationToken)
    {
        var series = await api.SearchSeriesAsync(study, cancellationToken).ConfigureAwait(false);
        return series.Count > 0 ? series.ToList() : throw new DtpException($"The {Name} holds no study {study}.");
    }

    private async Task<PacsInstance> FindInstanceAsync(string study, string seriesUid, string sop, CancellationToken cancellationToken)
    {
        var series = (await SeriesOfAsync(study, cancellationToken).ConfigureAwait(false)).FirstOrDefault(s => s.SeriesInstanceUid == seriesUid)
            ?? throw new DtpException($"The {Name} holds no series {seriesUid} in study {study}.");
        return (await api.SearchInstancesAsync(series, cancellationToken).ConfigureAwait(false)).FirstOrDefault(i => i.SopInstanceUid == sop)
            ?? throw new DtpException($"The {Name} holds no instance {sop} in series {seriesUid}.");
    }

    private static string StudyOf(string datasetId)
    {
        DatasetPaths.ThrowIfInvalidDatasetId(datasetId);
        return PacsLayout.ToUid(datasetId);
    }
}
