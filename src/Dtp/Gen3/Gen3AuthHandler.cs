using System.Net;
using System.Net.Http.Headers;

namespace Dtp.Gen3;

/// <summary>
/// Adds <c>Authorization: bearer &lt;token&gt;</c> to every request; on 401 renews the token once and retries once, on 403
/// retries once with the current token, as gen3sdk does. Use it in any <see cref="HttpClient"/> pipeline.
/// </summary>
/// <param name="auth">Where tokens come from.</param>
public sealed class Gen3AuthHandler(Auth auth) : DelegatingHandler
{
    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = await auth.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) || !CanResend(request))
        {
            return response;
        }

        var retryToken = response.StatusCode == HttpStatusCode.Unauthorized
            ? await auth.RenewAfterRejectionAsync(token, cancellationToken).ConfigureAwait(false)
            : await auth.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("bearer", retryToken);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A request can go again when it has no body or a body that can be produced twice.</summary>
    private static bool CanResend(HttpRequestMessage request) =>
        request.Content is null or ByteArrayContent or FormUrlEncodedContent;
}
