using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Dtp.Config;
using Dtp.Dicom;
using Dtp.Dicom.Network;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dtp.Storage.Pacs;

/// <summary>
/// A PACS as a data store over DICOM networking (the original's <c>pacs.json</c> keys). A dataset is a study (its Study Instance
/// UID, dotted, or a <c>sub-</c> folder name); its files are laid out as <see cref="PacsLayout"/> describes, as with
/// <see cref="PacsDataStore"/>. Lists with C-FIND (series, then instances; sizes are unknown), uploads with C-STORE, and reads by
/// retrieving with C-GET, or with C-MOVE to its own storage SCP (AE title <c>pacs_aet</c>). The first read of an instance retrieves
/// its whole series once into a temporary spool and later reads of that series are served from it (each spooled file is removed
/// when its stream is closed; a read the spool cannot serve retrieves the single instance), so a downloader reading many instances
/// in parallel costs one retrieval per series. Safe for concurrent use.
/// </summary>
public sealed partial class DimseDataStore : IDataStore, IAsyncDisposable
{
    private readonly DicomClient client;
    private readonly DicomClientOptions options;
    private readonly PacsConfig? moveConfig;
    private readonly SemaphoreSlim connections;
    private readonly ILogger logger;
    private readonly CancellationTokenSource disposing = new();
    private readonly ConcurrentDictionary<string, Lazy<Task>> seriesRetrievals = new(StringComparer.Ordinal);
    private readonly Lazy<string> spool = new(() => Directory.CreateTempSubdirectory("dtp-dimse-").FullName);
    private readonly SemaphoreSlim serverStart = new(1, 1);
    private DicomStorageServer? server;

    private DimseDataStore(DicomClientOptions options, PacsConfig? moveConfig, int maxConnections, ILogger logger)
    {
        this.options = options;
        this.moveConfig = moveConfig;
        this.logger = logger;
        client = new DicomClient(options);
        connections = new SemaphoreSlim(Math.Max(1, maxConnections));
    }

    /// <inheritdoc/>
    public string Name => $"PACS {options.CalledAeTitle}@{options.Host}:{options.Port} (DICOM networking as {options.CallingAeTitle})";

    /// <summary>Creates a store from <c>pacs.json</c>: <c>pacs_ip</c>, <c>pacs_port</c>, <c>pacs_aec</c>, <c>pacs_aet</c>, and <c>pacs_retrieve</c> with its listen keys.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="maxConnections">How many retrievals and uploads run at once, each on its own association.</param>
    /// <param name="loggerFactory">Creates the store's logger.</param>
    /// <exception cref="DtpException">A key of DICOM networking is missing (kind Local).</exception>
    public static DimseDataStore Create(PacsConfig config, int maxConnections = 4, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config is not { Host: { } host, Port: { } port, CalledAeTitle: { } called, CallingAeTitle: { } calling })
        {
            throw new DtpException($"{config.Path}: DICOM networking needs pacs_ip, pacs_port, pacs_aec and pacs_aet.", DtpErrorKind.Local);
        }

        var options = new DicomClientOptions { Host = host, Port = port, CalledAeTitle = called, CallingAeTitle = calling };
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DimseDataStore>();
        return new DimseDataStore(options, config.Retrieve == "move" ? config : null, maxConnections, logger);
    }

    /// <inheritdoc/>
    /// <remarks>Sizes are <see langword="null"/>: C-FIND does not report them.</remarks>
    public async IAsyncEnumerable<StoredFile> ListAsync(string datasetId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var study = StudyOf(datasetId);
        var series = await SeriesOfAsync(study, cancellationToken).ConfigureAwait(false);
        if (series.Count == 0)
        {
            throw new DtpException($"The {Name} holds no study {study}.");
        }

        foreach (var seriesUid in series)
        {
            foreach (var instance in await InstancesOfAsync(study, seriesUid, cancellationToken).ConfigureAwait(false))
            {
                yield return new StoredFile(PacsLayout.RelativePath(seriesUid, instance.Number, instance.Sop), null, null, $"{seriesUid}/{instance.Sop}/{instance.SopClass}");
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
        if (parts.Length != 3 || !DicomUid.IsValid(parts[0]) || !DicomUid.IsValid(parts[1]) || !DicomUid.IsValid(parts[2]))
        {
            throw new ArgumentException($"\"{file.Locator}\" is not a locator this store lists.", nameof(file));
        }

        var (series, sop, sopClass) = (parts[0], parts[1], parts[2]);
        var stream = TakeSpooled(sop);
        if (stream is null)
        {
            var retrieval = seriesRetrievals.GetOrAdd(series, s => new Lazy<Task>(() => RetrieveSeriesAsync(study, s, disposing.Token)));
            try
            {
                await retrieval.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DtpException ex)
            {
                LogSeriesRetrievalFailed(logger, series, ex.Message);
            }

            stream = TakeSpooled(sop);
        }

        if (stream is null)
        {
            await RetrieveAsync(DicomQueryLevel.Image, Identifier(study, series).SetString(DicomTag.SOPInstanceUID, DicomVR.UI, sop), [sopClass], cancellationToken).ConfigureAwait(false);
            stream = TakeSpooled(sop) ?? throw new DtpException($"The {Name} answered the retrieval of instance {sop} ({file.RelativePath}) with success but sent no instance.");
        }

        if (offset > stream.Length)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new DtpException($"{file.RelativePath} on the {Name} is shorter than {offset} bytes.");
        }

        stream.Position = offset;
        return stream;
    }

    /// <inheritdoc/>
    /// <remarks>The file is sent with C-STORE in its own SOP class and transfer syntax (an uncompressed one may be re-encoded in
    /// another the PACS accepts). The PACS names files itself: the returned path follows <see cref="PacsLayout"/>, whatever
    /// <paramref name="relativePath"/> was.</remarks>
    public async Task<StoredFile> UploadAsync(string datasetId, string relativePath, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var study = StudyOf(datasetId);
        var buffer = new MemoryStream();
        await using (buffer.ConfigureAwait(false))
        {
            await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            var dicom = DicomFile.Read(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), relativePath);
            var d = dicom.Dataset;
            var (fileStudy, series, sop) = (d.GetString(DicomTag.StudyInstanceUID), d.GetString(DicomTag.SeriesInstanceUID), d.GetString(DicomTag.SOPInstanceUID));
            if (!DicomUid.IsValid(fileStudy) || !DicomUid.IsValid(series) || !DicomUid.IsValid(sop) || !DicomUid.IsValid(d.GetString(DicomTag.SOPClassUID)))
            {
                throw new DtpException($"{relativePath} lacks a valid Study, Series, SOP Instance or SOP Class UID.", DtpErrorKind.Local);
            }

            if (fileStudy != study)
            {
                throw new DtpException($"{relativePath} belongs to study {fileStudy}, not to dataset {datasetId}.", DtpErrorKind.Local);
            }

            await connections.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await client.StoreAsync([dicom], cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                connections.Release();
            }

            return new StoredFile(PacsLayout.RelativePath(series!, d.GetInt32(DicomTag.InstanceNumber), sop!), buffer.Length, null, $"{series}/{sop}/{d.GetString(DicomTag.SOPClassUID)}");
        }
    }

    /// <inheritdoc/>
    /// <exception cref="DtpException">Always: DICOM networking has no way to delete a study (kind Remote).</exception>
    public Task<int> DeleteDatasetAsync(string datasetId, CancellationToken cancellationToken = default) =>
        throw new DtpException($"Cannot delete study {StudyOf(datasetId)} from the {Name}: DICOM networking has no delete operation; delete it on the PACS itself.");

    /// <summary>Stops retrievals in progress and the C-MOVE storage SCP, and deletes the spool.</summary>
    public async ValueTask DisposeAsync()
    {
        await disposing.CancelAsync().ConfigureAwait(false);
        foreach (var retrieval in seriesRetrievals.Values.Where(r => r.IsValueCreated))
        {
            try
            {
                await retrieval.Value.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DtpException or OperationCanceledException)
            {
                // reported to the reads that waited for it
            }
        }

        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        if (spool.IsValueCreated)
        {
            Directory.Delete(spool.Value, recursive: true);
        }

        disposing.Dispose();
        connections.Dispose();
        serverStart.Dispose();
    }

    private async Task RetrieveSeriesAsync(string study, string series, CancellationToken cancellationToken)
    {
        var sopClasses = (await InstancesOfAsync(study, series, cancellationToken).ConfigureAwait(false)).Select(i => i.SopClass).Distinct().ToList();
        var result = await RetrieveAsync(DicomQueryLevel.Series, Identifier(study, series), sopClasses, cancellationToken).ConfigureAwait(false);
        LogSeriesRetrieved(logger, series, result.Completed);
    }

    private async Task<DicomRetrieveResult> RetrieveAsync(DicomQueryLevel level, DicomDataset identifier, IReadOnlyCollection<string> sopClasses, CancellationToken cancellationToken)
    {
        var destination = moveConfig is null ? null : await StartServerAsync(cancellationToken).ConfigureAwait(false);
        await connections.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return destination is null
                ? await client.GetAsync(level, identifier, sopClasses, SpoolAsync, cancellationToken).ConfigureAwait(false)
                : await client.MoveAsync(level, identifier, destination.AeTitle, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connections.Release();
        }
    }

    private async Task<DicomStorageServer> StartServerAsync(CancellationToken cancellationToken)
    {
        await serverStart.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return server ??= DicomStorageServer.Start(
                new DicomStorageServerOptions { AeTitle = options.CallingAeTitle, Address = moveConfig!.ListenAddress, Port = moveConfig.ListenPort ?? 0 },
                SpoolAsync);
        }
        finally
        {
            serverStart.Release();
        }
    }

    /// <summary>Writes a received instance into the spool as a Part 10 file named by its SOP Instance UID (<c>.part</c>, then renamed).</summary>
    private async Task SpoolAsync(DicomReceivedInstance instance, CancellationToken cancellationToken)
    {
        if (!DicomUid.IsValid(instance.SopInstanceUid))
        {
            throw new DtpException($"{instance.CallingAeTitle} sent an instance without a valid SOP Instance UID (\"{instance.SopInstanceUid}\").");
        }

        var part = Path.Combine(spool.Value, $".{Guid.NewGuid():N}.part");
        try
        {
            await File.WriteAllBytesAsync(part, instance.ToPart10(), cancellationToken).ConfigureAwait(false);
            File.Move(part, SpoolPath(instance.SopInstanceUid), overwrite: true);
        }
        finally
        {
            File.Delete(part);
        }
    }

    /// <summary>Opens a spooled instance, to be deleted when the stream is closed; <see langword="null"/> when none is spooled.</summary>
    private FileStream? TakeSpooled(string sop)
    {
        if (!spool.IsValueCreated)
        {
            return null;
        }

        try
        {
            return new FileStream(SpoolPath(sop), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private string SpoolPath(string sop) => Path.Combine(spool.Value, sop + ".dcm");

    private async Task<List<string>> SeriesOfAsync(string study, CancellationToken cancellationToken)
    {
        var query = Identifier(study, null);
        var series = new List<string>();
        await foreach (var match in client.FindAsync(DicomQueryLevel.Series, query, cancellationToken).ConfigureAwait(false))
        {
            if (match.GetString(DicomTag.SeriesInstanceUID) is { } uid && DicomUid.IsValid(uid))
            {
                series.Add(uid);
            }
        }

        return series;
    }

    private async Task<List<(string Sop, string SopClass, int? Number)>> InstancesOfAsync(string study, string series, CancellationToken cancellationToken)
    {
        var query = Identifier(study, series).SetString(DicomTag.SOPInstanceUID, DicomVR.UI).SetString(DicomTag.SOPClassUID, DicomVR.UI).SetString(DicomTag.InstanceNumber, DicomVR.IS);
        var instances = new List<(string, string, int?)>();
        await foreach (var match in client.FindAsync(DicomQueryLevel.Image, query, cancellationToken).ConfigureAwait(false))
        {
            var (sop, sopClass) = (match.GetString(DicomTag.SOPInstanceUID), match.GetString(DicomTag.SOPClassUID));
            if (!DicomUid.IsValid(sop) || !DicomUid.IsValid(sopClass))
            {
                throw new DtpException($"The {Name} listed an instance of series {series} without a valid SOP Instance or SOP Class UID (\"{sop}\", \"{sopClass}\").");
            }

            instances.Add((sop!, sopClass!, match.GetInt32(DicomTag.InstanceNumber)));
        }

        return instances;
    }

    private static DicomDataset Identifier(string study, string? series) => new DicomDataset()
        .SetString(DicomTag.StudyInstanceUID, DicomVR.UI, study)
        .SetString(DicomTag.SeriesInstanceUID, DicomVR.UI, series is null ? [] : [series]);

    private static string StudyOf(string datasetId)
    {
        DatasetPaths.ThrowIfInvalidDatasetId(datasetId);
        return PacsLayout.ToUid(datasetId);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retrieved series {Series} into the spool: {Completed} instances")]
    private static partial void LogSeriesRetrieved(ILogger logger, string series, int completed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retrieving series {Series} failed ({Reason}); its instances are retrieved one by one")]
    private static partial void LogSeriesRetrievalFailed(ILogger logger, string series, string reason);
}
