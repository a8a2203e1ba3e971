using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.IO;
using Dtp.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace Dtp.Gen3;

/// <summary>
/// The HTTP plumbing the Gen3 clients share: resolves paths against the commons' root, turns transport failures and
/// non-success answers into <see cref="Gen3ApiException"/>, and builds the resilience pipeline of <see cref="Gen3ClientOptions"/>.
/// </summary>
internal sealed class Gen3Http
{
    /// <summary>sheepdog's (and peregrine's) public prefix under the commons' root.</summary>
    public const string SubmissionPath = "api/v0/submission/";

    /// <summary>Marks a request whose answer <see cref="Gen3BodyHandler"/> reads whole inside the retry loop.</summary>
    public static readonly HttpRequestOptionsKey<bool> Buffered = new("dtp.buffered");

    /// <summary>Marks a request that may be sent again although its method is not safe (a token exchange, a GraphQL read).</summary>
    public static readonly HttpRequestOptionsKey<bool> Idempotent = new("dtp.idempotent");

    private readonly HttpClient http;
    private readonly Func<CancellationToken, Task<Uri>> root;
    private readonly long maxResponseBodyBytes;

    private Gen3Http(HttpClient http, Func<CancellationToken, Task<Uri>> root, long maxResponseBodyBytes)
    {
        this.http = http;
        this.root = root;
        this.maxResponseBodyBytes = maxResponseBodyBytes;
    }

    /// <summary>Builds the plumbing over the pooled handler of <paramref name="auth"/>: retries outside, a current token on every attempt.</summary>
    public static Gen3Http FromAuth(Auth auth, Gen3ClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(auth);
        options ??= new Gen3ClientOptions();

        // disposeHandler: false keeps Auth's pooled handler alive for the other clients built from it.
        var http = new HttpClient(Chain(options, new Gen3AuthHandler(auth) { InnerHandler = auth.Handler }), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.Add(UserAgent);
        return new Gen3Http(http, auth.GetEndpointAsync, options.MaxResponseBodyBytes);
    }

    /// <summary>Returns the retry loop of <paramref name="options"/> over a <see cref="Gen3BodyHandler"/> over <paramref name="inner"/>.</summary>
    public static DelegatingHandler Chain(Gen3ClientOptions options, HttpMessageHandler inner)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        Configure(pipeline, options);
        return new ResilienceHandler(pipeline.Build()) { InnerHandler = new Gen3BodyHandler(options.MaxResponseBodyBytes) { InnerHandler = inner } };
    }

    /// <summary>Uses an HTTP client configured by registration (base address, auth, resilience).</summary>
    public static Gen3Http FromClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var root = http.BaseAddress ?? throw new ArgumentException("The HTTP client has no base address; register it with AddGen3Clients or set BaseAddress to the commons' root URL.", nameof(http));
        var withSlash = root.AbsoluteUri.EndsWith('/') ? root : new Uri(root.AbsoluteUri + "/");
        return new Gen3Http(http, _ => Task.FromResult(withSlash), new Gen3ClientOptions().MaxResponseBodyBytes);
    }

    /// <summary>Gets the User-Agent every Gen3 client sends.</summary>
    public static ProductInfoHeaderValue UserAgent { get; } = new("dtp", typeof(Gen3Http).Assembly.GetName().Version?.ToString(3));

    /// <summary>
    /// Adds Gen3's retry and per-attempt timeout to a pipeline: safe methods and requests marked <see cref="Idempotent"/> are sent
    /// again after transport failures, 408, 429 and 5xx, with exponential backoff and jitter, honouring Retry-After.
    /// </summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, Gen3ClientOptions options)
    {
        var retry = new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = options.MaxRetryAttempts,
            Delay = options.RetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        };
        var retryAfter = retry.DelayGenerator;   // Retry-After, honoured up to the budget
        retry.DelayGenerator = async args =>
        {
            var asked = retryAfter is null ? null : await retryAfter(args).ConfigureAwait(false);
            return asked > options.MaxRetryAfter ? options.MaxRetryAfter : asked;
        };
        var transient = retry.ShouldHandle;   // an untrusted certificate stays untrusted: no point in asking again
        retry.ShouldHandle = args => !MaySendAgain(args.Context.GetRequestMessage()) || args.Outcome.Exception is HttpRequestException http && CertificateAuthority.IsUntrusted(http)
            ? PredicateResult.False()
            : args.Outcome.Exception is SocketException ? PredicateResult.True() : transient(args); // a reset right after connecting escapes HttpClient unwrapped
        if (options.MaxRetryAttempts > 0)
        {
            pipeline.AddRetry(retry);
        }

        pipeline.AddTimeout(options.AttemptTimeout);
    }

    /// <summary>Reads a (buffered) answer's body as text, bounded by <see cref="Gen3ClientOptions.MaxResponseBodyBytes"/>.</summary>
    public Task<string> ReadTextAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        ResponseBodies.ReadTextAsync(response, maxResponseBodyBytes, cancellationToken);

    /// <summary>Returns the absolute URL of a path under the commons' root.</summary>
    public async Task<Uri> UrlAsync(string path, CancellationToken cancellationToken) =>
        new(await root(cancellationToken).ConfigureAwait(false), path);

    /// <summary>Sends a request; transport failures become a transient <see cref="Gen3ApiException"/>. The caller disposes the answer.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The path under the commons' root, e.g. <c>api/v0/submission/</c>.</param>
    /// <param name="content">The body, if any.</param>
    /// <param name="what">What is being done, for error messages.</param>
    /// <param name="streamed">Whether to return as soon as the headers arrive (the body is then read without a time limit).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string what, bool streamed, CancellationToken cancellationToken) =>
        SendAsync(method, path, content, what, streamed, idempotent: false, cancellationToken);

    /// <summary>POSTs a read-only query (GraphQL): its answer is buffered and it is retried as a GET would be.</summary>
    public Task<HttpResponseMessage> SendQueryAsync(string path, HttpContent content, string what, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, content, what, streamed: false, idempotent: true, cancellationToken);

    private static bool MaySendAgain(HttpRequestMessage? request) =>
        request is not null && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
            || request.Options.TryGetValue(Idempotent, out var idempotent) && idempotent);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string what, bool streamed, bool idempotent, CancellationToken cancellationToken)
    {
        var url = await UrlAsync(path, cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Options.Set(Idempotent, idempotent);
        request.Options.Set(Buffered, !streamed);
        try
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!streamed && response.Content is not ByteArrayContent)
            {
                // A client registered without Gen3BodyHandler: read the body here, bounded, without a retry.
                try
                {
                    await ResponseBodies.BufferAsync(response, maxResponseBodyBytes, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }

            return response;
        }
        catch (IOException ex)
        {
            throw new Gen3ApiException($"{what} failed: the answer to {method} {url} broke off: {ex.Message}", url, null, null, isTransient: true, ex);
        }
        catch (SocketException ex)
        {
            throw new Gen3ApiException($"{what} failed: cannot reach {method} {url}: {ex.Message}", url, null, null, isTransient: true, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new Gen3ApiException($"{what} failed: cannot reach {method} {url}: {CertificateAuthority.Describe(ex, Auth.Gen3CaOptions)}", url, null, null,
                isTransient: !CertificateAuthority.IsUntrusted(ex), ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new Gen3ApiException($"{what} failed: {method} {url} did not answer within {ex.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", url, null, null, isTransient: true, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new Gen3ApiException($"{what} failed: {method} {url} timed out.", url, null, null, isTransient: true, ex);
        }
    }

    /// <summary>Sends a request and throws <see cref="Gen3ApiException"/> unless the answer is a success.</summary>
    public async Task<HttpResponseMessage> SendCheckedAsync(HttpMethod method, string path, HttpContent? content, string what, bool streamed, CancellationToken cancellationToken)
    {
        var response = await SendAsync(method, path, content, what, streamed, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await Gen3ApiException.FromResponseAsync(what, response, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

    /// <summary>GETs a JSON document, checking the status and that the body is JSON.</summary>
    public async Task<JsonNode> GetJsonAsync(string path, string what, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(HttpMethod.Get, path, null, what, streamed: false, cancellationToken).ConfigureAwait(false);
        var body = await ReadTextAsync(response, cancellationToken).ConfigureAwait(false);
        return ParseJson(body, what, response) ?? throw NotJson(what, response, body, null);
    }

    /// <summary>Parses a JSON body, or throws naming the URL.</summary>
    public static JsonNode? ParseJson(string body, string what, HttpResponseMessage response)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            throw NotJson(what, response, body, ex);
        }
    }

    /// <summary>The error for a success answer whose body is not the JSON expected.</summary>
    public static Gen3ApiException NotJson(string what, HttpResponseMessage response, string body, Exception? inner) =>
        new($"{what} failed: {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} with something other than the JSON expected{Gen3AuthException.Excerpt(body)}",
            response.RequestMessage?.RequestUri, response.StatusCode, null, isTransient: false, inner);

    /// <summary>A JSON request body with a known length (so it can be sent again, and gateways see its size).</summary>
    public static ByteArrayContent JsonBody(JsonNode body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, Gen3Json.Default.JsonNode));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>Escapes one path segment (a program, project or id).</summary>
    public static string Segment(string value, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        return Uri.EscapeDataString(value);
    }
}
