using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Dicom;
using Dtp.IO;
using Microsoft.Extensions.Logging;

namespace Dtp.Storage.Pacs;

/// <summary>
/// Orthanc's own REST API as a PACS route: <c>tools/find</c> to search, <c>series/{id}/archive</c> (a zip, spooled to a temporary
/// file and read entry by entry) and <c>instances/{id}/file</c> to retrieve, <c>POST instances</c> to store, <c>DELETE studies/{id}</c>.
/// </summary>
/// <param name="http">A client whose base address is Orthanc's root (e.g. <c>http://host:8042/</c>), with authentication set.</param>
/// <param name="logger">Receives request timings at Debug.</param>
public sealed partial class OrthancClient(HttpClient http, ILogger<OrthancClient> logger) : IPacsApi
{
    /// <inheritdoc/>
    public string Description => $"Orthanc REST API at {http.BaseAddress}";

    /// <summary>Searches studies by Patient ID and/or Study Instance UID (<c>POST tools/find</c>); all studies when both are null.</summary>
    /// <exception cref="DtpException">Orthanc failed or refused.</exception>
    public async IAsyncEnumerable<PacsStudy> SearchStudiesAsync(string? patientId, string? studyInstanceUid,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var study in await FindStudiesAsync(patientId, studyInstanceUid, cancellationToken).ConfigureAwait(false))
        {
            var tags = study.GetProperty("MainDicomTags");
            var patient = study.TryGetProperty("PatientMainDicomTags", out var p) ? p : default;
            var seriesIds = study.GetProperty("Series").EnumerateArray().Select(s => s.GetString()!).ToList();
            yield return new PacsStudy(Tag(tags, "StudyInstanceUID") ?? string.Empty, Tag(patient, "PatientID"), Tag(patient, "PatientName"),
                Tag(tags, "StudyDate"), Tag(tags, "StudyDescription"), [], seriesIds.Count, null);
        }
    }

    /// <summary>Lists a study's series (<c>GET studies/{id}/series</c>).</summary>
    /// <exception cref="DtpException">Orthanc failed or refused, or holds no such study.</exception>
    public async Task<IReadOnlyList<PacsSeries>> SearchSeriesAsync(string studyInstanceUid, CancellationToken cancellationToken = default)
    {
        var studies = await FindStudiesAsync(null, studyInstanceUid, cancellationToken).ConfigureAwait(false);
        var list = new List<PacsSeries>();
        foreach (var study in studies)
        {
            var id = study.GetProperty("ID").GetString();
            var what = $"list the series of study {studyInstanceUid}";
            var series = await GetJsonAsync($"studies/{id}/series", what, cancellationToken).ConfigureAwait(false);
            list.AddRange(series.EnumerateArray().Select(s =>
            {
                var tags = s.GetProperty("MainDicomTags");
                return new PacsSeries(studyInstanceUid, PacsHttp.AnsweredUid(Tag(tags, "SeriesInstanceUID"), what, new Uri(http.BaseAddress!, $"studies/{id}/series")), Tag(tags, "Modality"), Int(Tag(tags, "SeriesNumber")),
                    Tag(tags, "SeriesDescription"), s.GetProperty("Instances").GetArrayLength(), s.GetProperty("ID").GetString()!);
            }));
        }

        return list;
    }

    /// <summary>Lists a series' instances with their file sizes (<c>GET series/{id}/instances</c>).</summary>
    /// <exception cref="DtpException">Orthanc failed or refused.</exception>
    public async Task<IReadOnlyList<PacsInstance>> SearchInstancesAsync(PacsSeries series, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        var what = $"list the instances of series {series.SeriesInstanceUid}";
        var path = $"series/{Id(series.Locator)}/instances";
        var instances = await GetJsonAsync(path, what, cancellationToken).ConfigureAwait(false);
        return instances.EnumerateArray().Select(i =>
        {
            var tags = i.GetProperty("MainDicomTags");
            return new PacsInstance(series.StudyInstanceUid, series.SeriesInstanceUid, PacsHttp.AnsweredUid(Tag(tags, "SOPInstanceUID"), what, new Uri(http.BaseAddress!, path)),
                Int(Tag(tags, "InstanceNumber")), i.TryGetProperty("FileSize", out var size) ? size.GetInt64() : null, i.GetProperty("ID").GetString()!);
        }).ToList();
    }

    /// <summary>
    /// Retrieves a series as a zip (<c>GET series/{id}/archive</c>) spooled to a temporary file, then hands each entry to
    /// <paramref name="onInstance"/>; an entry whose path would leave the archive's folder is refused.
    /// </summary>
    /// <exception cref="DtpException">Orthanc failed or refused, the download broke off, or the archive is malformed or unsafe.</exception>
    public async Task RetrieveSeriesAsync(PacsSeries series, Func<Stream, CancellationToken, Task> onInstance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(onInstance);
        var path = $"series/{Id(series.Locator)}/archive";
        var what = $"retrieve series {series.SeriesInstanceUid}";
        var url = new Uri(http.BaseAddress!, path);
        var spool = Path.Combine(Path.GetTempPath(), $"dtp-{Guid.NewGuid():N}.zip.part");
        try
        {
            using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative)))
            using (var response = await PacsHttp.SendAsync(http, request, what, cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                    await using (file.ConfigureAwait(false))
                    {
                        await response.Content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException)
                {
                    throw PacsHttp.BodyFailed(url, what, ex);
                }
            }

            ZipArchive archive;
            try
            {
                archive = await ZipArchive.CreateAsync(File.OpenRead(spool), ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: null, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                // Orthanc streams archives without a length, so a cut connection shows up here as a truncated zip.
                throw new DtpException($"Cannot {what}: {url} sent an incomplete or malformed zip archive: {ex.Message}", DtpErrorKind.Remote, isTransient: true, ex);
            }

            await using (archive.ConfigureAwait(false))
            {
                LogArchive(logger, url, archive.Entries.Count);
                foreach (var entry in archive.Entries.Where(e => !e.FullName.EndsWith('/')))
                {
                    ThrowIfEscaping(entry.FullName, url);
                    var stream = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
                    await using (stream.ConfigureAwait(false))
                    {
                        await onInstance(stream, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            File.Delete(spool);
        }
    }

    /// <summary>Opens one instance's file (<c>GET instances/{id}/file</c>), byte-identical to what was stored.</summary>
    /// <exception cref="DtpException">Orthanc failed or refused.</exception>
    public async Task<Stream> OpenInstanceAsync(PacsInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"instances/{Id(instance.Locator)}/file", UriKind.Relative));
        try
        {
            var response = await PacsHttp.SendAsync(http, request, $"retrieve instance {instance.SopInstanceUid}", cancellationToken).ConfigureAwait(false);
            return new OwningStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), response, request);
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    /// <summary>Stores Part 10 files one request each (<c>POST instances</c>).</summary>
    /// <returns>The bytes sent.</returns>
    /// <exception cref="DtpException">Orthanc failed or refused a file (named in the message).</exception>
    public async Task<long> StoreAsync(IReadOnlyList<string> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        long sent = 0;
        foreach (var file in files)
        {
            var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (source.ConfigureAwait(false))
            {
                using var content = new StreamContent(source);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("instances", UriKind.Relative)) { Content = content };
                using var response = await PacsHttp.SendAsync(http, request, $"store {file}", cancellationToken).ConfigureAwait(false);
                sent += source.Length;
            }
        }

        return sent;
    }

    /// <summary>Deletes a study (<c>DELETE studies/{id}</c>); a study Orthanc does not hold counts as deleted.</summary>
    /// <returns>How many instances were deleted.</returns>
    /// <exception cref="DtpException">Orthanc failed or refused.</exception>
    public async Task<int> DeleteStudyAsync(string studyInstanceUid, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        foreach (var study in await FindStudiesAsync(null, studyInstanceUid, cancellationToken).ConfigureAwait(false))
        {
            var id = study.GetProperty("ID").GetString();
            var statistics = await GetJsonAsync($"studies/{id}/statistics", $"count the instances of study {studyInstanceUid}", cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri($"studies/{id}", UriKind.Relative));
            using var response = await PacsHttp.SendAsync(http, request, $"delete study {studyInstanceUid}", cancellationToken).ConfigureAwait(false);
            deleted += Int(statistics.GetProperty("CountInstances").ToString()) ?? 0;
        }

        return deleted;
    }

    private async Task<List<JsonElement>> FindStudiesAsync(string? patientId, string? studyInstanceUid, CancellationToken cancellationToken)
    {
        var query = new JsonObject();
        if (patientId is not null)
        {
            query["PatientID"] = patientId;
        }

        if (studyInstanceUid is not null)
        {
            query["StudyInstanceUID"] = DicomUid.IsValid(studyInstanceUid) ? studyInstanceUid : throw new ArgumentException($"\"{studyInstanceUid}\" is not a DICOM UID.", nameof(studyInstanceUid));
        }

        var body = new JsonObject { ["Level"] = "Study", ["Expand"] = true, ["Query"] = query };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("tools/find", UriKind.Relative)) { Content = JsonContent.Create(body) };
        using var response = await PacsHttp.SendAsync(http, request, "search studies", cancellationToken).ConfigureAwait(false);
        return (await ReadJsonAsync(response, "search studies", cancellationToken).ConfigureAwait(false)).EnumerateArray().ToList();
    }

    private async Task<JsonElement> GetJsonAsync(string path, string what, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        using var response = await PacsHttp.SendAsync(http, request, what, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, what, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        try
        {
            return JsonSerializer.Deserialize<JsonElement>(await ResponseBodies.ReadBytesAsync(response, PacsHttp.MaxResponseBodyBytes, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or JsonException or DtpException)
        {
            throw PacsHttp.BodyFailed(response.RequestMessage?.RequestUri ?? new Uri("about:blank"), what, ex);
        }
    }

    internal static void ThrowIfEscaping(string entryName, Uri url)
    {
        try
        {
            DatasetPaths.Split(entryName);
        }
        catch (DtpException ex)
        {
            throw new DtpException($"The zip archive from {url} has an entry \"{entryName}\" that would leave the destination folder; refused.", DtpErrorKind.Remote, innerException: ex);
        }
    }

    private static string Id(string orthancId) =>
        orthancId.All(c => char.IsAsciiHexDigit(c) || c == '-') ? orthancId : throw new ArgumentException($"\"{orthancId}\" is not an Orthanc id.", nameof(orthancId));

    private static string? Tag(JsonElement tags, string name) =>
        tags.ValueKind == JsonValueKind.Object && tags.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Orthanc archive {Url}: {Count} entries")]
    private static partial void LogArchive(ILogger logger, Uri url, int count);
}
