using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Dtp.Dicom;
using Dtp.IO;
using Microsoft.Extensions.Logging;

namespace Dtp.Storage.Pacs;

/// <summary>
/// A DICOMweb client (PS3.18): QIDO-RS searches, WADO-RS retrieval streamed part by part with the stored transfer syntax
/// (<c>transfer-syntax=*</c>, so files come back byte-identical), STOW-RS storage streamed from files.
/// </summary>
/// <param name="http">A client whose base address is the DICOMweb root (e.g. <c>http://host:8042/dicom-web/</c>), with authentication set.</param>
/// <param name="logger">Receives request timings at Debug.</param>
public sealed partial class DicomWebClient(HttpClient http, ILogger<DicomWebClient> logger) : IPacsApi
{
    private const int PageSize = 500;
    private const string DicomJson = "application/dicom+json";
    private const string MultipartDicom = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";

    /// <inheritdoc/>
    public string Description => $"DICOMweb at {http.BaseAddress}";

    /// <summary>Searches studies (QIDO-RS <c>GET studies</c>) by Patient ID and/or Study Instance UID; all studies when both are null.</summary>
    /// <exception cref="DtpException">The PACS failed or refused.</exception>
    public async IAsyncEnumerable<PacsStudy> SearchStudiesAsync(string? patientId, string? studyInstanceUid,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = new StringBuilder("studies?includefield=00081030&includefield=00080061");
        if (patientId is not null)
        {
            query.Append("&PatientID=").Append(Uri.EscapeDataString(patientId));
        }

        if (studyInstanceUid is not null)
        {
            query.Append("&StudyInstanceUID=").Append(Uri.EscapeDataString(Uid(studyInstanceUid)));
        }

        await foreach (var study in SearchAsync(query.ToString(), "search studies", cancellationToken).ConfigureAwait(false))
        {
            yield return new PacsStudy(
                Text(study, "0020000D") ?? string.Empty, Text(study, "00100020"), Text(study, "00100010"), Text(study, "00080020"), Text(study, "00081030"),
                Texts(study, "00080061"), Number(study, "00201206"), Number(study, "00201208"));
        }
    }

    /// <summary>Lists a study's series (QIDO-RS <c>GET studies/{study}/series</c>).</summary>
    /// <exception cref="DtpException">The PACS failed or refused.</exception>
    public async Task<IReadOnlyList<PacsSeries>> SearchSeriesAsync(string studyInstanceUid, CancellationToken cancellationToken = default)
    {
        var study = Uid(studyInstanceUid);
        var list = new List<PacsSeries>();
        var what = $"list the series of study {study}";
        await foreach (var s in SearchAsync($"studies/{study}/series?includefield=0008103E", what, cancellationToken).ConfigureAwait(false))
        {
            var series = PacsHttp.AnsweredUid(Text(s, "0020000E"), what, new Uri(http.BaseAddress!, $"studies/{study}/series"));
            list.Add(new PacsSeries(study, series, Text(s, "00080060"), Number(s, "00200011"), Text(s, "0008103E"), Number(s, "00201209"), series));
        }

        return list;
    }

    /// <summary>Lists a series' instances (QIDO-RS <c>GET studies/{study}/series/{series}/instances</c>).</summary>
    /// <exception cref="DtpException">The PACS failed or refused.</exception>
    public async Task<IReadOnlyList<PacsInstance>> SearchInstancesAsync(PacsSeries series, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        var path = $"studies/{Uid(series.StudyInstanceUid)}/series/{Uid(series.SeriesInstanceUid)}/instances?includefield=00200013";
        var list = new List<PacsInstance>();
        var what = $"list the instances of series {series.SeriesInstanceUid}";
        await foreach (var i in SearchAsync(path, what, cancellationToken).ConfigureAwait(false))
        {
            var sop = PacsHttp.AnsweredUid(Text(i, "00080018"), what, new Uri(http.BaseAddress!, path));
            list.Add(new PacsInstance(series.StudyInstanceUid, series.SeriesInstanceUid, sop, Number(i, "00200013"), null, sop));
        }

        return list;
    }

    /// <summary>Retrieves a study, a series or an instance (WADO-RS), handing each instance's bytes to <paramref name="onInstance"/> as they arrive.</summary>
    /// <param name="studyInstanceUid">The study.</param>
    /// <param name="seriesInstanceUid">The series, or <see langword="null"/> for the whole study.</param>
    /// <param name="sopInstanceUid">The instance, or <see langword="null"/> for the whole series.</param>
    /// <param name="onInstance">Reads one instance's stream (valid only during the call).</param>
    /// <param name="cancellationToken">Cancels the retrieval.</param>
    /// <returns>How many instances were received.</returns>
    /// <exception cref="DtpException">The PACS failed or refused, or the response was cut or malformed; the message names the URL.</exception>
    public async Task<int> RetrieveAsync(string studyInstanceUid, string? seriesInstanceUid, string? sopInstanceUid,
        Func<Stream, CancellationToken, Task> onInstance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onInstance);
        var path = RetrievePath(studyInstanceUid, seriesInstanceUid, sopInstanceUid);
        var what = $"retrieve {path}";
        var started = TimeProvider.System.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(MultipartDicom));
        using var response = await PacsHttp.SendAsync(http, request, what, cancellationToken).ConfigureAwait(false);
        var url = response.RequestMessage?.RequestUri ?? new Uri(http.BaseAddress!, path);
        var count = 0;
        try
        {
            var reader = new MultipartReader(
                await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false),
                MultipartReader.BoundaryOf(response.Content.Headers.ContentType, url.ToString()),
                url.ToString());
            while (await reader.ReadNextPartAsync(cancellationToken).ConfigureAwait(false) is { } part)
            {
                await onInstance(part.Body, cancellationToken).ConfigureAwait(false);
                count++;
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or DtpException { Kind: DtpErrorKind.Remote })
        {
            throw PacsHttp.BodyFailed(url, what, ex);
        }

        var milliseconds = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
        LogRetrieved(logger, url, count, milliseconds);
        return count;
    }

    /// <summary>Opens one instance's bytes (WADO-RS, instance level).</summary>
    /// <exception cref="DtpException">The PACS failed or refused, or sent no instance.</exception>
    public async Task<Stream> OpenInstanceAsync(PacsInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var path = RetrievePath(instance.StudyInstanceUid, instance.SeriesInstanceUid, instance.SopInstanceUid);
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(MultipartDicom));
        HttpResponseMessage? response = null;
        try
        {
            response = await PacsHttp.SendAsync(http, request, $"retrieve {path}", cancellationToken).ConfigureAwait(false);
            var url = response.RequestMessage?.RequestUri?.ToString() ?? path;
            var reader = new MultipartReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false),
                MultipartReader.BoundaryOf(response.Content.Headers.ContentType, url), url);
            var part = await reader.ReadNextPartAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new DtpException($"{url} sent no instance.", DtpErrorKind.Remote);
            return new OwningStream(part.Body, response, request);
        }
        catch
        {
            response?.Dispose();
            request.Dispose();
            throw;
        }
    }

    /// <summary>Stores Part 10 files in one STOW-RS request (<c>POST studies</c>), streamed from disk.</summary>
    /// <returns>The files' bytes sent.</returns>
    /// <exception cref="DtpException">The PACS failed, refused, or rejected some instances (named in the message).</exception>
    public async Task<long> StoreAsync(IReadOnlyList<string> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
        {
            return 0;
        }

        using var content = new StowContent(files);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("studies", UriKind.Relative)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(DicomJson));
        var what = $"store {files.Count} files (STOW-RS)";
        using var response = await PacsHttp.SendAsync(http, request, what, cancellationToken, HttpStatusCode.Conflict).ConfigureAwait(false);
        var body = await PacsHttp.ReadBytesAsync(response, new Uri(http.BaseAddress!, "studies"), what, cancellationToken).ConfigureAwait(false);
        var failed = new List<string>();
        if (body.Length > 0)
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("00081198", out var failures) && failures.TryGetProperty("Value", out var items))
            {
                failed.AddRange(items.EnumerateArray().Select(i => $"{Text(i, "00081155")} (reason {Number(i, "00081197")})"));
            }
        }

        if (failed.Count > 0 || response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new DtpException($"Cannot {what}: {http.BaseAddress}studies rejected {failed.Count} instances: {string.Join(", ", failed.Take(10))}.", DtpErrorKind.Remote);
        }

        return files.Sum(f => new FileInfo(f).Length);
    }

    /// <summary>DICOMweb has no standard way to delete; this route refuses.</summary>
    /// <exception cref="DtpException">Always.</exception>
    public Task<int> DeleteStudyAsync(string studyInstanceUid, CancellationToken cancellationToken = default) =>
        throw new DtpException($"{Description} cannot delete studies: DICOMweb defines no deletion; use pacs_api \"orthanc\" or the PACS's own tools.", DtpErrorKind.Remote);

    Task IPacsApi.RetrieveSeriesAsync(PacsSeries series, Func<Stream, CancellationToken, Task> onInstance, CancellationToken cancellationToken) =>
        RetrieveAsync(series.StudyInstanceUid, series.SeriesInstanceUid, null, onInstance, cancellationToken);

    IAsyncEnumerable<PacsStudy> IPacsApi.SearchStudiesAsync(string? patientId, string? studyInstanceUid, CancellationToken cancellationToken) =>
        SearchStudiesAsync(patientId, studyInstanceUid, cancellationToken);

    private static string RetrievePath(string study, string? series, string? sop) =>
        $"studies/{Uid(study)}" + (series is null ? string.Empty : $"/series/{Uid(series)}") + (sop is null ? string.Empty : $"/instances/{Uid(sop)}");

    private async IAsyncEnumerable<JsonElement> SearchAsync(string pathAndQuery, string what, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var offset = 0; ; offset += PageSize)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"{pathAndQuery}&limit={PageSize}&offset={offset}");
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(DicomJson));
            var started = TimeProvider.System.GetTimestamp();
            using var response = await PacsHttp.SendAsync(http, request, what, cancellationToken).ConfigureAwait(false);
            JsonElement page;
            try
            {
                var bytes = await ResponseBodies.ReadBytesAsync(response, PacsHttp.MaxResponseBodyBytes, cancellationToken).ConfigureAwait(false);
                page = response.StatusCode == HttpStatusCode.NoContent || bytes.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(bytes);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or JsonException or DtpException)
            {
                throw PacsHttp.BodyFailed(new Uri(http.BaseAddress!, path), what, ex);
            }

            var count = page.ValueKind == JsonValueKind.Array ? page.GetArrayLength() : 0;
            var milliseconds = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
            LogSearched(logger, path, count, milliseconds);
            for (var i = 0; i < count; i++)
            {
                yield return page[i];
            }

            if (count < PageSize)
            {
                yield break;
            }
        }
    }

    private static string Uid(string uid) =>
        DicomUid.IsValid(uid) ? uid : throw new ArgumentException($"\"{uid}\" is not a DICOM UID.", nameof(uid));

    /// <summary>The first value of a DICOM JSON attribute as text (a person name's alphabetic form).</summary>
    internal static string? Text(JsonElement dataset, string tag)
    {
        if (dataset.ValueKind != JsonValueKind.Object || !dataset.TryGetProperty(tag, out var attribute)
            || !attribute.TryGetProperty("Value", out var values) || values.GetArrayLength() == 0)
        {
            return null;
        }

        var value = values[0];
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.Object when value.TryGetProperty("Alphabetic", out var name) => name.GetString(),
            _ => null,
        };
    }

    private static List<string> Texts(JsonElement dataset, string tag) =>
        dataset.TryGetProperty(tag, out var attribute) && attribute.TryGetProperty("Value", out var values)
            ? values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList()
            : [];

    private static int? Number(JsonElement dataset, string tag) =>
        int.TryParse(Text(dataset, tag), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    [LoggerMessage(Level = LogLevel.Debug, Message = "QIDO-RS {Path}: {Count} results in {Milliseconds} ms")]
    private static partial void LogSearched(ILogger logger, string path, int count, double milliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "WADO-RS {Url}: {Count} instances in {Milliseconds} ms")]
    private static partial void LogRetrieved(ILogger logger, Uri url, int count, double milliseconds);

    /// <summary>A STOW-RS request body written part by part from the files, with a known length.</summary>
    private sealed class StowContent : HttpContent
    {
        private readonly IReadOnlyList<string> files;
        private readonly byte[] boundary = Encoding.ASCII.GetBytes(Guid.NewGuid().ToString("N"));

        public StowContent(IReadOnlyList<string> files)
        {
            this.files = files;
            Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/related; type=\"application/dicom\"; boundary={Encoding.ASCII.GetString(boundary)}");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            foreach (var file in files)
            {
                await stream.WriteAsync(PartHead(), cancellationToken).ConfigureAwait(false);
                var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using (source.ConfigureAwait(false))
                {
                    await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
                }

                await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            }

            await stream.WriteAsync(Close(), cancellationToken).ConfigureAwait(false);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = files.Sum(f => PartHead().Length + new FileInfo(f).Length + 2) + Close().Length;
            return true;
        }

        private byte[] PartHead() => [.. "--"u8, .. boundary, .. "\r\nContent-Type: application/dicom\r\n\r\n"u8];

        private byte[] Close() => [.. "--"u8, .. boundary, .. "--\r\n"u8];
    }
}
