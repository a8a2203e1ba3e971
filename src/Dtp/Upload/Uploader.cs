using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dtp.Conversion;
using Dtp.Dicom;
using Dtp.Gen3;
using Dtp.Sds;
using Dtp.Storage;
using Microsoft.Extensions.Logging;

namespace Dtp.Upload;

/// <summary>
/// Uploads an SDS dataset in one call: validates the folder, allocates a dataset id, converts and submits the metadata to
/// Gen3 parents first in adaptive batches, pushes the data files to the store, and verifies what the store then holds.
/// </summary>
/// <remarks>
/// A new dataset id (<c>&lt;program&gt;-&lt;project&gt;-dataset-&lt;n&gt;-version-1</c>, n = 1 + the highest in the project) is
/// claimed by creating its experiment with sheepdog's create-only POST, which refuses a <c>submitter_id</c> that exists;
/// a refused claim moves on to n + 1. Two uploads racing for the same n thus get distinct ids: the commons decides.
/// </remarks>
public sealed partial class Uploader : IAsyncDisposable
{
    private const int HeaderBytes = 64 * 1024;
    private readonly PlatformConnection platform;
    private readonly UploaderOptions options;
    private readonly ILogger logger;

    /// <summary>Creates an uploader from the original's configuration files, as the <c>Downloader</c> takes them.</summary>
    /// <param name="dataStorageConfig">The store's configuration file: <c>pacs.json</c>, <c>irods.json</c> or <c>{"local_root": ...}</c>.</param>
    /// <param name="gen3Config">The original's <c>gen3.json</c>; null means Gen3's usual credential resolution (<c>GEN3_API_KEY</c>, <c>~/.gen3/credentials.json</c>).</param>
    /// <param name="dataStorageType"><c>pacs</c>, <c>irods</c> or <c>local</c>.</param>
    /// <param name="options">Parallelism, PACS policy, logging.</param>
    /// <exception cref="DtpException">A configuration file is missing or wrong, or the storage type is unknown (kind Local).</exception>
    public Uploader(string dataStorageConfig, string? gen3Config = null, string dataStorageType = "pacs", UploaderOptions? options = null)
        : this(PlatformConnection.Open(dataStorageConfig, gen3Config, dataStorageType, (options ?? new UploaderOptions()).LoggerFactory,
            (options ?? new UploaderOptions()).MaxParallelTransfers), options)
    {
    }

    /// <summary>Creates an uploader over an authentication and an open store, neither of which it disposes.</summary>
    /// <param name="auth">The commons' authentication.</param>
    /// <param name="storage">The store, from <see cref="DataStores.Open"/>.</param>
    /// <param name="options">Parallelism, PACS policy, logging.</param>
    public Uploader(Auth auth, DataStoreConnection storage, UploaderOptions? options = null)
        : this(new PlatformConnection(auth ?? throw new ArgumentNullException(nameof(auth)), storage ?? throw new ArgumentNullException(nameof(storage)), owned: false), options)
    {
    }

    private Uploader(PlatformConnection platform, UploaderOptions? options)
    {
        this.platform = platform;
        this.options = options ?? new UploaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.MaxParallelTransfers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.MaxIdAttempts, 1);
        logger = this.options.LoggerFactory.CreateLogger<Uploader>();
    }

    /// <summary>Uploads the SDS dataset in <paramref name="sdsDir"/> to a project: metadata to Gen3, data files to the store.</summary>
    /// <param name="sdsDir">The SDS dataset folder.</param>
    /// <param name="program">The Gen3 program.</param>
    /// <param name="project">The Gen3 project code.</param>
    /// <param name="datasetId">The dataset id (the experiment's <c>submitter_id</c>); null allocates the next free one.</param>
    /// <param name="progress">Receives a report after each file pushed.</param>
    /// <param name="cancellationToken">Cancels the upload; what was written by then stays (see <see cref="Deleter"/>).</param>
    /// <returns>The dataset id, records per node, files pushed, bytes and verified files.</returns>
    /// <exception cref="DtpException">The folder is not a valid SDS dataset, or (PACS) holds data files that are not DICOM (kind Local); nothing was written.</exception>
    /// <exception cref="UploadException">The upload failed after writing; <see cref="UploadException.Written"/> says what.</exception>
    /// <exception cref="Gen3ApiException">The commons refused before anything was written (no access, unknown project).</exception>
    public async Task<UploadSummary> UploadDatasetAsync(string sdsDir, string program, string project, string? datasetId = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sdsDir);
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        ArgumentException.ThrowIfNullOrWhiteSpace(project);
        if (datasetId is not null)
        {
            DatasetPaths.ThrowIfInvalidDatasetId(datasetId);
        }

        var dataset = await ValidateAsync(sdsDir, cancellationToken).ConfigureAwait(false);
        var (files, skipped) = await PlanAsync(dataset, cancellationToken).ConfigureAwait(false);
        var querier = new Querier(platform.Auth, options.Client, options.LoggerFactory);
        var endpoint = await platform.Auth.GetEndpointAsync(cancellationToken).ConfigureAwait(false);
        using var submitter = new Gen3Submitter(endpoint.ToString(), platform.Auth, new Gen3SubmitterOptions { Client = options.Client, LoggerFactory = options.LoggerFactory });
        var id = datasetId ?? await ClaimDatasetIdAsync(Gen3Http.FromAuth(platform.Auth, options.Client), querier, program, project, cancellationToken).ConfigureAwait(false);
        LogDatasetId(logger, id, program, project);

        IReadOnlyDictionary<string, int> records = datasetId is null ? new Dictionary<string, int> { ["experiment"] = 1 } : new Dictionary<string, int>();
        var pushed = new ConcurrentQueue<PlannedFile>();
        UploadSummary Written() => new(id, program, project, platform.Storage.Store.Name, records,
            [.. pushed.Select(f => f.RelativePath).Order(StringComparer.Ordinal)], pushed.Sum(f => f.Size), 0, skipped);
        try
        {
            records = await SubmitMetadataAsync(submitter, dataset, files, program, project, id, cancellationToken).ConfigureAwait(false);
            await PushAsync(id, files, pushed, progress, cancellationToken).ConfigureAwait(false);
            var verified = await VerifyAsync(id, files, cancellationToken).ConfigureAwait(false);
            return Written() with { FilesVerified = verified };
        }
        catch (Exception ex) when (ex is DtpException or IOException or UnauthorizedAccessException)
        {
            // The commons says best what landed; when it cannot be asked, what this upload knows it wrote stands.
            try
            {
                var graph = await DatasetGraph.ReadAsync(querier, await submitter.GetDictionaryAsync(cancellationToken).ConfigureAwait(false), program, project, id, cancellationToken).ConfigureAwait(false);
                records = graph?.RecordsPerNode ?? new Dictionary<string, int>();
            }
            catch (DtpException)
            {
            }

            throw new UploadException($"Uploading {sdsDir} as {id} stopped: {ex.Message}", Written(), (ex as DtpException)?.Kind ?? DtpErrorKind.Local, ex);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => platform.DisposeAsync();

    private static async Task<SdsDataset> ValidateAsync(string sdsDir, CancellationToken cancellationToken)
    {
        var dataset = await SdsDatasetReader.ReadAsync(sdsDir, cancellationToken: cancellationToken).ConfigureAwait(false);
        var errors = SdsValidator.Validate(dataset).Where(f => f.Severity == SdsSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new DtpException(string.Create(CultureInfo.InvariantCulture,
                $"{dataset.Root} is not a valid SDS dataset ({errors.Count} errors); nothing was uploaded:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}"), DtpErrorKind.Local);
        }

        return dataset;
    }

    /// <summary>Lists the files to push with their size and SHA-256 (and, for a PACS, their DICOM UIDs), and the files left out.</summary>
    private async Task<(List<PlannedFile> Files, List<string> Skipped)> PlanAsync(SdsDataset dataset, CancellationToken cancellationToken)
    {
        // A PACS holds the DICOM data files only (Gen3 holds the metadata); a folder store keeps the whole SDS tree.
        IEnumerable<string> paths = platform.IsPacs
            ? dataset.Files.Select(f => f.Path)
            : Directory.EnumerateFiles(dataset.Root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dataset.Root, f).Replace('\\', '/'))
                .Where(p => !Path.GetFileName(p).StartsWith(".~lock.", StringComparison.Ordinal) && !Path.GetFileName(p).StartsWith("~$", StringComparison.Ordinal));
        var planned = new ConcurrentBag<PlannedFile>();
        await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelTransfers, CancellationToken = cancellationToken },
            async (path, ct) => planned.Add(await DescribeAsync(dataset.Root, path, ct).ConfigureAwait(false))).ConfigureAwait(false);
        var files = planned.OrderBy(f => f.RelativePath, StringComparer.Ordinal).ToList();
        if (!platform.IsPacs)
        {
            return (files, []);
        }

        var notDicom = files.Where(f => f.Dicom is null).Select(f => f.RelativePath).ToList();
        if (notDicom.Count > 0 && !options.SkipNonDicom)
        {
            throw new DtpException(string.Create(CultureInfo.InvariantCulture,
                $"A PACS stores DICOM files only, and {dataset.Root} holds {notDicom.Count} data files that are not DICOM; nothing was uploaded. Remove them or skip them (--skip-non-dicom): {string.Join(", ", notDicom)}"),
                DtpErrorKind.Local);
        }

        return (files.Where(f => f.Dicom is not null).ToList(), notDicom);
    }

    private async Task<PlannedFile> DescribeAsync(string root, string relativePath, CancellationToken cancellationToken)
    {
        var path = Path.Combine(root, relativePath);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var head = new MemoryStream();
        long size = 0;
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                if (platform.IsPacs && head.Length < HeaderBytes)
                {
                    head.Write(buffer, 0, (int)Math.Min(read, HeaderBytes - head.Length));
                }

                size += read;
            }
        }

        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        return new PlannedFile(relativePath, path, size, sha256, platform.IsPacs ? await ReadUidsAsync(path, head.ToArray(), size, cancellationToken).ConfigureAwait(false) : null);
    }

    /// <summary>Reads a file's DICOM UIDs; null when it is not a DICOM Part 10 file with valid UIDs.</summary>
    private static async Task<DicomInstanceUids?> ReadUidsAsync(string path, byte[] head, long size, CancellationToken cancellationToken)
    {
        if (!DicomFile.HasPart10Header(head))
        {
            return null;
        }

        DicomFile header;
        try
        {
            header = DicomFile.ReadHeader(head, path);
        }
        catch (DtpException) when (size > head.Length)
        {
            header = DicomFile.ReadHeader(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), path);
        }

        var d = header.Dataset;
        var (study, series, sop) = (d.GetString(DicomTag.StudyInstanceUID), d.GetString(DicomTag.SeriesInstanceUID), d.GetString(DicomTag.SOPInstanceUID));
        return DicomUid.IsValid(study) && DicomUid.IsValid(series) && DicomUid.IsValid(sop) ? new DicomInstanceUids(study!, series!, sop!) : null;
    }

    /// <summary>Claims the next free dataset id by creating its experiment with a create-only POST; a taken id moves on to the next number.</summary>
    private async Task<string> ClaimDatasetIdAsync(Gen3Http http, Querier querier, string program, string project, CancellationToken cancellationToken)
    {
        var pattern = new Regex($"^{Regex.Escape($"{program}-{project}-dataset-")}(\\d+)-version-\\d+$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var highest = 0;
        await foreach (var experiment in querier.StreamNodeRecordsAsync("experiment", program, project, ["submitter_id"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (pattern.Match((string?)experiment["submitter_id"] ?? "") is { Success: true } match
                && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                highest = Math.Max(highest, n);
            }
        }

        var path = $"{Gen3Http.SubmissionPath}{Gen3Http.Segment(program, nameof(program))}/{Gen3Http.Segment(project, nameof(project))}";
        for (var attempt = 1; attempt <= options.MaxIdAttempts; attempt++)
        {
            var id = DatasetId(program, project, highest + attempt);
            var what = $"Claiming dataset id {id}";
            var body = new JsonObject { ["type"] = "experiment", ["submitter_id"] = id, ["projects"] = new JsonObject { ["code"] = project } };
            using var content = Gen3Http.JsonBody(body);
            using var response = await http.SendAsync(HttpMethod.Post, path, content, what, streamed: false, cancellationToken).ConfigureAwait(false);
            var text = await http.ReadTextAsync(response, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return id;
            }

            if (response.StatusCode == HttpStatusCode.BadRequest && AlreadyExists(text))
            {
                LogIdTaken(logger, id);
                continue;
            }

            throw Gen3ApiException.FromBody(what, response, text);
        }

        throw new DtpException(string.Create(CultureInfo.InvariantCulture,
            $"Could not claim a dataset id in {program}-{project}: the {options.MaxIdAttempts} numbers after {highest} were all taken by other uploads while trying."));
    }

    /// <summary>Formats a dataset id as the original platform did.</summary>
    internal static string DatasetId(string program, string project, int number) =>
        string.Create(CultureInfo.InvariantCulture, $"{program}-{project}-dataset-{number}-version-1");

    private static bool AlreadyExists(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["entities"] is JsonArray entities && entities.OfType<JsonObject>()
                .SelectMany(e => e["errors"] as JsonArray ?? [])
                .Any(e => ((string?)e?["message"])?.Contains("already exists", StringComparison.Ordinal) == true);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>Converts the metadata (default mode), records each file's facts in its manifest row, and submits everything parents first.</summary>
    private static async Task<IReadOnlyDictionary<string, int>> SubmitMetadataAsync(Gen3Submitter submitter, SdsDataset dataset, List<PlannedFile> files, string program, string project, string id,
        CancellationToken cancellationToken)
    {
        var output = Directory.CreateTempSubdirectory("dtp-upload-").FullName;
        try
        {
            var conversion = await new Gen3Convertor(project, id, dataset.Version.ToString()).ExecuteAsync(dataset.Root, output, cancellationToken).ConfigureAwait(false);
            if (conversion.HasErrors)
            {
                throw new DtpException($"The metadata of {dataset.Root} does not convert to valid Gen3 records:{Environment.NewLine}"
                    + string.Join(Environment.NewLine, conversion.Findings.Where(f => f.Severity == ConversionSeverity.Error)), DtpErrorKind.Local);
            }

            var byPath = files.ToDictionary(f => f.RelativePath, StringComparer.Ordinal);
            var records = new List<JsonObject>();
            foreach (var file in conversion.Files)
            {
                var content = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, file), cancellationToken).ConfigureAwait(false));
                records.AddRange(content is JsonArray list ? list.OfType<JsonObject>() : content is JsonObject one ? [one] : []);
            }

            foreach (var row in records.Where(r => (string?)r["type"] == "manifest"))
            {
                if ((string?)row["filename"] is { } name && byPath.TryGetValue(name, out var file))
                {
                    row["supplemental_json_metadata"] = new ManifestFileFacts(file.Size, file.Sha256, file.Dicom).WriteInto((string?)row["supplemental_json_metadata"]);
                }
            }

            var result = await submitter.SubmitRecordsAsync(program, project, records, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!result.Success)
            {
                throw new DtpException(string.Create(CultureInfo.InvariantCulture,
                    $"Gen3 refused the metadata ({result.Errors.Count} errors; {result.NotAttempted} records not sent): {string.Join("; ", result.Errors.Take(10).Select(e => $"{e.NodeType} {e.Entity}: {e.Message}"))}"));
            }

            return conversion.RecordsPerNode.Where(p => p.Value > 0).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private async Task PushAsync(string id, List<PlannedFile> files, ConcurrentQueue<PlannedFile> pushed, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var total = files.Sum(f => f.Size);
        long bytes = 0;
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelTransfers, CancellationToken = cancellationToken }, async (file, ct) =>
        {
            var source = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (source.ConfigureAwait(false))
            {
                // A PACS files every instance under its own study; other stores keep the dataset's tree.
                await platform.Storage.Store.UploadAsync(file.Dicom?.StudyInstanceUid ?? id, file.RelativePath, source, ct).ConfigureAwait(false);
            }

            pushed.Enqueue(file);
            progress?.Report(new TransferProgress(pushed.Count, files.Count, Interlocked.Add(ref bytes, file.Size), total, file.RelativePath));
        }).ConfigureAwait(false);
    }

    /// <summary>Lists what the store holds and checks every pushed file is there with its size (and SHA-256, where the store gives one).</summary>
    private async Task<int> VerifyAsync(string id, List<PlannedFile> files, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var group in files.GroupBy(f => f.Dicom?.StudyInstanceUid ?? id))
        {
            var listed = new Dictionary<string, StoredFile>(StringComparer.Ordinal);
            await foreach (var stored in platform.Storage.Store.ListAsync(group.Key, cancellationToken).ConfigureAwait(false))
            {
                listed[group.First().Dicom is null ? stored.RelativePath : SopOf(stored)] = stored;
            }

            foreach (var file in group)
            {
                if (!listed.TryGetValue(file.Dicom?.SopInstanceUid ?? file.RelativePath, out var stored))
                {
                    problems.Add($"{file.RelativePath}: not listed by the store");
                }
                else if (stored.Size is { } size && size != file.Size)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"{file.RelativePath}: {size} bytes stored, {file.Size} sent"));
                }
                else if (stored.Checksum is { Algorithm: "sha256" } sum && sum.Value != file.Sha256)
                {
                    problems.Add($"{file.RelativePath}: SHA-256 {sum.Value} stored, {file.Sha256} sent");
                }
            }
        }

        return problems.Count == 0
            ? files.Count
            : throw new DtpException($"The {platform.Storage.Store.Name} does not hold what was sent: {string.Join("; ", problems.Take(20))}");
    }

    /// <summary>Returns the SOP Instance UID in a PACS store's locator (<c>series/sop/...</c>).</summary>
    private static string SopOf(StoredFile stored) => stored.Locator.Split('/') is { Length: >= 2 } parts ? parts[1] : stored.Locator;

    [LoggerMessage(Level = LogLevel.Information, Message = "Uploading as dataset {DatasetId} of {Program}-{Project}")]
    private static partial void LogDatasetId(ILogger logger, string datasetId, string program, string project);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset id {DatasetId} was taken by another upload; trying the next number")]
    private static partial void LogIdTaken(ILogger logger, string datasetId);

    private sealed record PlannedFile(string RelativePath, string FullPath, long Size, string Sha256, DicomInstanceUids? Dicom);
}
