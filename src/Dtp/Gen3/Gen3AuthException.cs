using System.Net;
using System.Text.RegularExpressions;

namespace Dtp.Gen3;

/// <summary>Getting or using a Gen3 access token failed; the message names the URL and status, never a key or token.</summary>
public sealed partial class Gen3AuthException : DtpException
{
    private const int ExcerptLength = 400;

    /// <summary>Creates an authentication error.</summary>
    public Gen3AuthException()
        : this("Gen3 authentication failed.")
    {
    }

    /// <summary>Creates an authentication error with the given message.</summary>
    public Gen3AuthException(string message)
        : this(message, DtpErrorKind.Remote)
    {
    }

    /// <summary>Creates an authentication error with the given message and cause.</summary>
    public Gen3AuthException(string message, Exception? innerException)
        : this(message, DtpErrorKind.Remote, innerException: innerException)
    {
    }

    /// <summary>Creates an authentication error of the given kind.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="kind">Remote when a service refused or failed; local when the credentials given are unusable.</param>
    /// <param name="url">The URL that was called, if any.</param>
    /// <param name="statusCode">The HTTP status answered, if any.</param>
    /// <param name="isTransient">Whether trying again later may succeed.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public Gen3AuthException(string message, DtpErrorKind kind, Uri? url = null, HttpStatusCode? statusCode = null, bool isTransient = false, Exception? innerException = null)
        : base(message, kind, isTransient, innerException)
    {
        Url = url;
        StatusCode = statusCode;
    }

    /// <summary>Gets the URL that was called, if any.</summary>
    public Uri? Url { get; }

    /// <summary>Gets the HTTP status the service answered, if any.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Builds the error for a non-success answer, with an excerpt of its body (HTML tolerated, tokens masked).</summary>
    internal static async Task<Gen3AuthException> FromResponseAsync(string what, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var url = response.RequestMessage?.RequestUri;
        var body = await Dtp.IO.ResponseBodies.ReadExcerptAsync(response, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var transient = status is 408 or 429 or >= 500;
        return new Gen3AuthException(
            $"{what} failed: {url} answered {status} {response.ReasonPhrase}{Excerpt(body)}",
            DtpErrorKind.Remote, url, response.StatusCode, transient);
    }

    /// <summary>Returns a short, single-line excerpt of a response body with markup stripped and anything token-like masked.</summary>
    internal static string Excerpt(string body)
    {
        var text = Whitespace().Replace(Markup().Replace(body, " "), " ").Trim();
        text = JwtLike().Replace(text, "<token>");
        if (text.Length == 0)
        {
            return string.Empty;
        }

        return ": " + (text.Length > ExcerptLength ? string.Concat(text.AsSpan(0, ExcerptLength), "…") : text);
    }

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Markup();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")]
    private static partial Regex JwtLike();
}
