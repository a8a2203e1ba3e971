using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Dtp.Config;
using Dtp.Dicom;
using Dtp.IO;
using Dtp.Net;

namespace Dtp.Storage.Pacs;

/// <summary>HTTP plumbing shared by the DICOMweb and Orthanc routes: the client from <c>pacs.json</c>, sending with errors that name the URL.</summary>
internal static class PacsHttp
{
    /// <summary>The largest JSON answer (a search page, a STOW-RS report) read from a PACS.</summary>
    public const long MaxResponseBodyBytes = 256L * 1024 * 1024;

    /// <summary>Creates an HTTP client for a PACS: base address, credentials, private CA, User-Agent, no overall timeout (transfers stream).</summary>
    public static HttpClient CreateClient(PacsConfig config)
    {
        var url = config.Url ?? throw new DtpException($"{config.Path}: pacs_url is not set; HTTP access to a PACS needs it.", DtpErrorKind.Local);
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.None };
        if (config.CaFile is { } caFile)
        {
            try
            {
                handler.SslOptions.RemoteCertificateValidationCallback = CertificateAuthority.CreateValidator(caFile);
            }
            catch (DtpException ex)
            {
                throw new DtpException($"{config.Path}: pacs_ca_file: {ex.Message}", DtpErrorKind.Local, innerException: ex);
            }
        }

        var root = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        var client = new HttpClient(handler) { BaseAddress = root, Timeout = Timeout.InfiniteTimeSpan };
        var version = typeof(PacsHttp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("dtp", version));
        if (config.Token is { } token)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (config.UserName is { } user)
        {
            var pair = Encoding.UTF8.GetBytes($"{user}:{config.Password}");
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(pair));
        }

        return client;
    }

    /// <summary>Sends a request and returns the response once its headers are in; a failure status becomes a <see cref="DtpException"/> naming the URL.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string what, CancellationToken cancellationToken,
        params HttpStatusCode[] alsoAccepted)
    {
        var url = new Uri(http.BaseAddress!, request.RequestUri!);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new DtpException($"Cannot reach the PACS to {what}: {request.Method} {url} failed: {CertificateAuthority.Describe(ex, "pacs_ca_file in pacs.json")}", DtpErrorKind.Remote,
                isTransient: !CertificateAuthority.IsUntrusted(ex), ex);
        }
        catch (SocketException ex)
        {
            // A connection reset right after it was made escapes HttpClient unwrapped.
            throw new DtpException($"Cannot reach the PACS to {what}: {request.Method} {url} failed: {ex.Message}", DtpErrorKind.Remote, isTransient: true, ex);
        }

        if (response.IsSuccessStatusCode || alsoAccepted.Contains(response.StatusCode))
        {
            return response;
        }

        using (response)
        {
            var body = await ExcerptAsync(response, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var meaning = response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => "the PACS refused the credentials (check pacs_username/pacs_password or pacs_token)",
                HttpStatusCode.Forbidden => "the PACS denied access",
                HttpStatusCode.NotFound => "not found",
                _ => response.ReasonPhrase ?? "failed",
            };
            var transient = status is 408 or 429 or >= 500;
            throw new DtpException($"Cannot {what}: {request.Method} {url} answered {status}: {meaning}.{body}", DtpErrorKind.Remote, transient);
        }
    }

    /// <summary>Reads a (JSON) answer whole, bounded by <see cref="MaxResponseBodyBytes"/>; a body that breaks off becomes a <see cref="DtpException"/> naming the URL.</summary>
    public static async Task<byte[]> ReadBytesAsync(HttpResponseMessage response, Uri url, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await ResponseBodies.ReadBytesAsync(response, MaxResponseBodyBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or DtpException)
        {
            throw BodyFailed(url, what, ex);
        }
    }

    /// <summary>Returns a UID a PACS answered with, or refuses it: files are named after UIDs, so anything but digits and dots (a path) is an error.</summary>
    public static string AnsweredUid(string? uid, string what, Uri url) =>
        DicomUid.IsValid(uid) ? uid! : throw new DtpException(
            $"Cannot {what}: {url} answered with \"{uid}\", which is not a DICOM UID (digits and dots); refused, as files are named after UIDs.", DtpErrorKind.Remote);

    /// <summary>Turns a failure while reading a response body into a <see cref="DtpException"/> naming the URL.</summary>
    public static DtpException BodyFailed(Uri url, string what, Exception ex) =>
        ex is DtpException dtp
            ? new DtpException($"Cannot {what}: {dtp.Message}", dtp.Kind, dtp.IsTransient, dtp)
            : new DtpException($"Cannot {what}: the response from {url} broke off: {ex.Message}", DtpErrorKind.Remote, isTransient: true, ex);

    private static async Task<string> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await ResponseBodies.ReadExcerptAsync(response, cancellationToken).ConfigureAwait(false);
        text = System.Text.RegularExpressions.Regex.Replace(text, "<[^>]*>|\\s+", " ").Trim();
        return text.Length == 0 ? string.Empty : $" {(text.Length > 300 ? text[..300] + "..." : text)}";
    }
}

/// <summary>A stream over another that also disposes the objects it came with (the response, the request).</summary>
internal sealed class OwningStream(Stream inner, params IDisposable[] owned) : ForwardReadStream(inner)
{
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var o in owned)
            {
                o.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
