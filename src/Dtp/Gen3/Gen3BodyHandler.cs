using Dtp.IO;

namespace Dtp.Gen3;

/// <summary>
/// Reads the bodies of requests marked with <see cref="Gen3Http.Buffered"/> into memory (bounded by <c>MaxResponseBodyBytes</c>)
/// inside the retry loop, so that an answer cut off mid-body is retried like a refused connection.
/// </summary>
internal sealed class Gen3BodyHandler(long maxResponseBodyBytes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!request.Options.TryGetValue(Gen3Http.Buffered, out var buffered) || !buffered)
        {
            return response;
        }

        try
        {
            await ResponseBodies.BufferAsync(response, maxResponseBodyBytes, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch (IOException ex)
        {
            response.Dispose();
            throw new HttpRequestException(HttpRequestError.ResponseEnded, $"the answer broke off: {ex.Message}", ex);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
