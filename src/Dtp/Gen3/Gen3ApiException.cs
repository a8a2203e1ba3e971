using System.Net;
using System.Text.Json;

namespace Dtp.Gen3;

/// <summary>
/// A Gen3 service (sheepdog, peregrine) refused or failed a request. The message names the method, URL and status and
/// carries the server's own message (or an excerpt of an HTML gateway page); never a token.
/// </summary>
public class Gen3ApiException : DtpException
{
    /// <summary>Creates an error about a Gen3 service.</summary>
    public Gen3ApiException()
        : this("A Gen3 service failed.")
    {
    }

    /// <summary>Creates an error about a Gen3 service with the given message.</summary>
    public Gen3ApiException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an error about a Gen3 service with the given message and cause.</summary>
    public Gen3ApiException(string message, Exception? innerException)
        : this(message, null, null, null, isTransient: false, innerException)
    {
    }

    /// <summary>Creates an error about a Gen3 service.</summary>
    /// <param name="message">What failed, with the URL and status.</param>
    /// <param name="url">The URL called, if any.</param>
    /// <param name="statusCode">The HTTP status answered, if any.</param>
    /// <param name="serverMessage">The <c>message</c> member of the service's JSON error, if any.</param>
    /// <param name="isTransient">Whether trying again later may succeed (timeouts, 429, 5xx, broken connections).</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public Gen3ApiException(string message, Uri? url, HttpStatusCode? statusCode, string? serverMessage, bool isTransient = false, Exception? innerException = null)
        : base(message, DtpErrorKind.Remote, isTransient, innerException)
    {
        Url = url;
        StatusCode = statusCode;
        ServerMessage = serverMessage;
    }

    /// <summary>Gets the URL that was called, if any.</summary>
    public Uri? Url { get; }

    /// <summary>Gets the HTTP status the service answered, or <see langword="null"/> when no answer came.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Gets the service's own error message (<c>{"message": ...}</c>), if it sent one.</summary>
    public string? ServerMessage { get; }

    /// <summary>Says whether an HTTP status is worth trying again later: 408, 429 and 5xx.</summary>
    internal static bool IsTransientStatus(HttpStatusCode status) => (int)status is 408 or 429 or >= 500;

    /// <summary>Builds the error for a non-success answer from its body: sheepdog's <c>message</c>, else an excerpt of the text.</summary>
    internal static async Task<Gen3ApiException> FromResponseAsync(string what, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await Dtp.IO.ResponseBodies.ReadExcerptAsync(response, cancellationToken).ConfigureAwait(false);
        return FromBody(what, response, body);
    }

    /// <summary>Builds the error for a non-success answer whose body was already read.</summary>
    internal static Gen3ApiException FromBody(string what, HttpResponseMessage response, string body)
    {
        var url = response.RequestMessage?.RequestUri;
        var serverMessage = MessageOf(body);
        var detail = serverMessage is null ? Gen3AuthException.Excerpt(body) : ": " + serverMessage;
        var status = (int)response.StatusCode;
        return new Gen3ApiException(
            $"{what} failed: {response.RequestMessage?.Method} {url} answered {status} {response.ReasonPhrase}{detail}",
            url, response.StatusCode, serverMessage, IsTransientStatus(response.StatusCode));
    }

    private static string? MessageOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
