using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Dtp.Tests.Infrastructure;

/// <summary>An HTTP handler for unit tests: answers through a function and records every request it saw.</summary>
public sealed class StubHttpHandler(Func<HttpRequestMessage, string?, Task<HttpResponseMessage>> answer) : HttpMessageHandler
{
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    public StubHttpHandler(Func<HttpRequestMessage, string?, HttpResponseMessage> answer)
        : this((request, body) => Task.FromResult(answer(request, body)))
    {
    }

    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Html(HttpStatusCode status, string html) =>
        new(status) { Content = new StringContent(html, Encoding.UTF8, "text/html") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        requests.Enqueue(new RecordedRequest(request.Method.Method, request.RequestUri!, request.Headers.Authorization?.ToString(), body));
        var response = await answer(request, body);
        response.RequestMessage = request;
        return response;
    }
}

public sealed record RecordedRequest(string Method, Uri Uri, string? Authorization, string? Body);
