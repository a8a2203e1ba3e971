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
/// retrieving with C-GET, or with C-MOVE to its own storage SCP (AE title <c>pacs_aet</c>). A read retrieves its one instance
/// into a temporary spool (the file is removed when the stream is closed); reads in parallel run on up to <c>maxConnections</c>
/// associations at once. (Measured on 500 instances in 5 series: as fast as one study-level C-GET; retrieving whole series into the
/// spool on first read took twice as long, as a downloader reading files in order waits for one series after another.)
/// <see cref="DownloadStudyAsync"/> retrieves whole series. Safe for concurrent use.
/// </summary>
public sealed class DimseDataStore : IPacsStudyStore, IAsyncDisposable
{
    private readonly DicomClient client;
    private readonly DicomClientOptions options;
    private readonly PacsConfig? moveConfig;
    private readonly SemaphoreSlim connections;
    private readonly ILogger logger;
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
        var options = ClientOptions(config);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DimseDataStore>();
        return new DimseDataStore(options, config.Retrieve == "move" ? config : null, maxConnections, logger);
    }

    /// <summary>Returns the peer and AE titles of <c>pacs.json</c>: <c>pacs_ip</c>, <c>pacs_port</c>, <c>pacs_aec</c> and <c>pacs_aet</c>.</summary>
    /// <exception cref="DtpException">A key of DICOM networking is missing (kind Local).</exception>
    public static DicomClientOptions ClientOptions(PacsConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config is { Host: { } host, Port: { } port, CalledAeTitle: { } called, CallingAeTitle: { } calling }
            ? new DicomClientOptions { Host = host, Port = port, CalledAeTitle = called, CallingAeTitle = calling }
            : throw new DtpException($"{config.Path}: DICOM networking needs pacs_ip, pacs_port, pacs_aec and pacs_aet.", DtpErrorKind.Local);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<PacsStudy> SearchStudiesAsync(string? patientId = null, string? studyInstanceUid = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = new DicomDataset()
            .SetString(DicomTag.StudyInstanceUID, DicomVR.UI, studyInstanceUid is null ? [] : [PacsLayout.ToUid(studyInstanceUid)])
            .SetString(DicomTag.PatientID, DicomVR.LO, patientId is null ? [] : [patientId])
            .SetString(DicomTag.PatientName, DicomVR.PN)
            .SetString(DicomTag.StudyDate, DicomVR.DA)
            .SetString(DicomTag.StudyDescription, DicomVR.LO)
            .SetString(DimseTags.ModalitiesInStudy, DicomVR.CS)
            .SetString(DimseTags.NumberOfStudyRelatedSeries, DicomVR.IS)
            .SetString(DimseTags.NumberOfStudyRelatedInstances, DicomVR.IS);
        await foreach (var match in client.FindAsync(DicomQueryLevel.Study, query, cancellationToken).ConfigureAwait(false))
        {
            if (match.GetString(DicomTag.StudyInstanceUID) is { } uid && DicomUid.IsValid(uid))
            {
                yield return new PacsStudy(uid, match.GetString(DicomTag.PatientID), match.GetString(DicomTag.PatientName), match.GetString(DicomTag.StudyDate),
                    match.GetString(DicomTag.StudyDescription), match.GetStrings(DimseTags.ModalitiesInStudy), match.GetInt32(DimseTags.NumberOfStudyRelatedSeries),
                    match.GetInt32(DimseTags.NumberOfStudyRelatedInstances));
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>A series with no complete file is retrieved whole (C-GET or C-MOVE), otherwise its missing instances one by one; the
    /// instances that arrived are filed even when others failed, so a second run retrieves only what is still missing.</remarks>
    public async Task<PacsTransferResult> DownloadStudyAsync(string studyInstanceUid, string destination, PacsDownloadOptions? options = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        options ??= new PacsDownloadOptions();
        var study = PacsLayout.ToUid(studyInstanceUid);
        var series = await SeriesOfAsync(study, cancellationToken).ConfigureAwait(false);

        return await PacsTransfer.DownloadStudyAsync<string, DimseInstance>(
            Name, study, series, s => s, async (s, ct) => await InstancesOfAsync(study, s, ct).ConfigureAwait(false),
            (s, instances, folder, tally, ct) => DownloadSeriesAsync(study, s, instances, folder, tally, ct), destination, options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Each batch (at most 128 files) is stored with C-STORE on its own association.</remarks>
    public Task<PacsTransferResult> UploadFilesAsync(IEnumerable<string> paths, PacsUploadOptions? options = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new PacsUploadOptions();
        return PacsTransfer.UploadFilesAsync(paths, Math.Clamp(options.BatchSize, 1, DicomClient.MaxPresentationContexts), options.MaxParallelRequests, async (batch, ct) =>
        {
            var dicoms = new List<DicomFile>(batch.Length);
            foreach (var path in batch)
            {
                dicoms.Add(await DicomFile.OpenAsync(path, ct).ConfigureAwait(false));
            }

            await StoreAsync(dicoms, ct).ConfigureAwait(false);
            return batch.Sum(p => new FileInfo(p).Length);
        }, logger, progress, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Sizes are <see langword="null"/>: C-FIND does not report them.</remarks>
    public async IAsyncEnumerable<StoredFile> ListAsync(string datasetId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var study = StudyOf(datasetId);
        var series = await SeriesOfAsync(study, cancellationToken).ConfigureAwait(false);

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
        await RetrieveAsync(DicomQueryLevel.Image, Identifier(study, series).SetString(DicomTag.SOPInstanceUID, DicomVR.UI, sop), [sopClass], cancellationToken).ConfigureAwait(false);
        var stream = TakeSpooled(sop) ?? throw new DtpException($"The {Name} answered the retrieval of instance {sop} ({file.RelativePath}) with success but sent no instance.");
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

            await StoreAsync([dicom], cancellationToken).ConfigureAwait(false);
            return new StoredFile(PacsLayout.RelativePath(series!, d.GetInt32(DicomTag.InstanceNumber), sop!), buffer.Length, null, $"{series}/{sop}/{d.GetString(DicomTag.SOPClassUID)}");
        }
    }

    /// <inheritdoc/>
    /// <exception cref="DtpException">Always: DICOM networking has no way to delete a study (kind Remote).</exception>
    public Task<int> DeleteDatasetAsync(string datasetId, CancellationToken cancellationToken = default) =>
        throw new DtpException($"Cannot delete study {StudyOf(datasetId)} from the {Name}: DICOM networking has no delete operation; delete it on the PACS itself.");

    /// <summary>Stops the C-MOVE storage SCP and deletes the spool.</summary>
    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        if (spool.IsValueCreated)
        {
            Directory.Delete(spool.Value, recursive: true);
        }

        connections.Dispose();
        serverStart.Dispose();
    }

    private async Task StoreAsync(IReadOnlyList<DicomFile> files, CancellationToken cancellationToken)
    {
        await connections.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await client.StoreAsync(files, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connections.Release();
        }
    }

    private async Task DownloadSeriesAsync(string study, string series, IReadOnlyList<DimseInstance> instances, string studyFolder, TransferTally tally, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(studyFolder, PacsLayout.SampleFolder(series));
        var missing = instances.Where(i => !File.Exists(Path.Combine(folder, PacsLayout.FileName(i.Number, i.Sop)))).ToList();
        tally.Skip(instances.Count - missing.Count);
        if (missing.Count == 0)
        {
            return;
        }

        Directory.CreateDirectory(folder);
        DicomNetworkException? failure = null;
        try
        {
            if (missing.Count == instances.Count)
            {
                await RetrieveAsync(DicomQueryLevel.Series, Identifier(study, series), missing.Select(i => i.SopClass).Distinct().ToList(), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                foreach (var instance in missing)
                {
                    await RetrieveAsync(DicomQueryLevel.Image, Identifier(study, series).SetString(DicomTag.SOPInstanceUID, DicomVR.UI, instance.Sop), [instance.SopClass], cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (DicomNetworkException ex) when (ex.Status is not null)
        {
            failure = ex; // sub-operations failed: file what arrived
        }

        foreach (var instance in missing)
        {
            var spooled = SpoolPath(instance.Sop);
            if (File.Exists(spooled))
            {
                var name = PacsLayout.FileName(instance.Number, instance.Sop);
                var part = Path.Combine(folder, $".{Guid.NewGuid():N}.part");
                var length = new FileInfo(spooled).Length;
                File.Move(spooled, part);
                File.Move(part, Path.Combine(folder, name), overwrite: true);
                tally.Done(1, length, PacsLayout.SampleFolder(series) + "/" + name);
            }
        }

        var absent = missing.Where(i => !File.Exists(Path.Combine(folder, PacsLayout.FileName(i.Number, i.Sop)))).ToList();
        if (absent.Count > 0)
        {
            throw new DtpException(
                $"The {Name} sent {instances.Count - absent.Count} of the {instances.Count} instances of series {series}; missing: {string.Join(", ", absent.Take(5).Select(a => a.Sop))}{(failure is null ? "." : $" ({failure.Message})")}",
                DtpErrorKind.Remote, isTransient: true, failure);
        }
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

    /// <summary>Lists a study's series; throws when it has none (the PACS holds no such study).</summary>
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

        return series.Count > 0 ? series : throw new DtpException($"The {Name} holds no study {study}.");
    }

    private async Task<List<DimseInstance>> InstancesOfAsync(string study, string series, CancellationToken cancellationToken)
    {
        var query = Identifier(study, series).SetString(DicomTag.SOPInstanceUID, DicomVR.UI).SetString(DicomTag.SOPClassUID, DicomVR.UI).SetString(DicomTag.InstanceNumber, DicomVR.IS);
        var instances = new List<DimseInstance>();
        await foreach (var match in client.FindAsync(DicomQueryLevel.Image, query, cancellationToken).ConfigureAwait(false))
        {
            var (sop, sopClass) = (match.GetString(DicomTag.SOPInstanceUID), match.GetString(DicomTag.SOPClassUID));
            if (!DicomUid.IsValid(sop) || !DicomUid.IsValid(sopClass))
            {
                throw new DtpException($"The {Name} listed an instance of series {series} without a valid SOP Instance or SOP Class UID (\"{sop}\", \"{sopClass}\").");
            }

            instances.Add(new DimseInstance(sop!, sopClass!, match.GetInt32(DicomTag.InstanceNumber)));
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

    /// <summary>An instance as an instance-level C-FIND lists it.</summary>
    private sealed record DimseInstance(string Sop, string SopClass, int? Number);
}
