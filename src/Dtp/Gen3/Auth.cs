using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dtp.IO;
using Dtp.Net;
using Microsoft.Extensions.Logging;
using Polly.Timeout;

namespace Dtp.Gen3;

/// <summary>
/// Gen3 authentication as gen3sdk's <c>Gen3Auth</c> does it: an API key (credentials file), OIDC client credentials,
/// the workspace token service or a raw access token; tokens renewed before they expire, once for any number of
/// concurrent callers, and cached on disk where gen3sdk caches them. Owns the pooled HTTP handler that every client
/// built from it shares.
/// </summary>
public sealed partial class Auth : IDisposable
{
    /// <summary>The scopes asked for with client credentials when none are given.</summary>
    public const string DefaultClientScopes = "user data openid";

    /// <summary>Where a Gen3 user gives a private certificate authority, for error messages.</summary>
    internal const string Gen3CaOptions = "--ca-file or gen3_ca_file in gen3.json";

    private const string AccessTokenScheme = "accesstoken:///";
    private const string WtsScheme = "idp://wts/";

    private readonly Gen3AuthOptions options;
    /// <summary>The largest answer read from fence or the workspace token service (a token, the user's record).</summary>
    private const long MaxAuthBodyBytes = 16 * 1024 * 1024;

    private readonly HttpMessageHandler handler;
    private readonly DelegatingHandler tokenHandler;
    private readonly bool ownsHandler;
    private readonly ILogger<Auth> logger;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly TokenSource source;
    private readonly Gen3Credentials? credentials;
    private readonly ClientCredentials? client;
    private readonly string scopes;
    private readonly string? idp;
    private readonly string? cacheFile;
    private volatile Token? current;
    private volatile bool cacheTried;
    private string? endpoint;

    /// <summary>Creates the authentication for a Gen3 commons, with the original API's arguments.</summary>
    /// <param name="endpoint">The commons' root URL; when absent, taken from the API key's or token's issuer.</param>
    /// <param name="refreshFile">
    /// A credentials file path, a bare name looked up as <c>~/.gen3/&lt;name&gt;[.json]</c>, <c>accesstoken:///&lt;jwt&gt;</c>,
    /// or <c>idp://wts/&lt;idp&gt;</c>; when nothing is given, <c>GEN3_API_KEY</c> or <c>credentials</c>.
    /// </param>
    /// <param name="refreshToken">
    /// The credentials, parsed or as their JSON text (a string converts implicitly); gen3sdk calls the API key a refresh token.
    /// </param>
    /// <param name="idp">An identity provider of the workspace token service.</param>
    /// <param name="clientCredentials">An OIDC client's id and secret; requires <paramref name="endpoint"/>.</param>
    /// <param name="clientScopes">Space-separated scopes for client credentials; the default value is <see cref="DefaultClientScopes"/>.</param>
    /// <param name="accessToken">A raw access token (cannot be renewed).</param>
    /// <param name="options">What would otherwise come from the process (environment, home folder, clock, handler).</param>
    /// <exception cref="ArgumentException">Arguments that exclude each other were given together.</exception>
    /// <exception cref="Gen3AuthException">The credentials are unusable or point at another commons than <paramref name="endpoint"/>.</exception>
    public Auth(string? endpoint = null, string? refreshFile = null, Gen3Credentials? refreshToken = null, string? idp = null,
        ClientCredentials? clientCredentials = null, string? clientScopes = null, string? accessToken = null, Gen3AuthOptions? options = null)
    {
        this.options = options ?? new Gen3AuthOptions();
        logger = this.options.LoggerFactory.CreateLogger<Auth>();
        Validate(endpoint, refreshFile, refreshToken, idp, clientCredentials, clientScopes, accessToken);
        endpoint = endpoint is null ? null : Gen3Endpoint.Trim(endpoint);
        client = clientCredentials;
        scopes = clientScopes ?? DefaultClientScopes;

        if (accessToken is null && refreshFile?.StartsWith(AccessTokenScheme, StringComparison.Ordinal) == true)
        {
            accessToken = refreshFile[AccessTokenScheme.Length..];
            refreshFile = null;
        }

        if (idp is null && refreshFile?.StartsWith(WtsScheme, StringComparison.Ordinal) == true)
        {
            idp = refreshFile[WtsScheme.Length..];
            refreshFile = null;
        }

        if (accessToken is not null)
        {
            var claims = JwtClaims.TryDecode(accessToken)
                ?? throw new Gen3AuthException("The access token given is not a JWT (expected three base64url segments with a JSON payload).", DtpErrorKind.Local);
            current = new Token(accessToken, claims.ExpiresAt);
            source = TokenSource.AccessToken;
            endpoint ??= claims.Endpoint;
        }
        else if (clientCredentials is not null)
        {
            source = TokenSource.ClientCredentials;
        }
        else if (idp is not null || refreshToken is null && ResolveCredentialsFile(refreshFile) is null)
        {
            source = TokenSource.WorkspaceTokenService;
            this.idp = idp;
            cacheFile = CacheFile(idp ?? "local");
        }
        else
        {
            credentials = refreshToken ?? LoadCredentials(ResolveCredentialsFile(refreshFile)!);
            var keyClaims = JwtClaims.TryDecode(credentials.ApiKey);
            var issuer = keyClaims?.Endpoint
                ?? throw new Gen3AuthException("The API key is not a JWT with an \"iss\" claim; download a new credentials file from the commons' profile page.", DtpErrorKind.Local);
            if (keyClaims!.ExpiresAt is { } keyExpiry && keyExpiry <= this.options.TimeProvider.GetUtcNow())
            {
                throw new Gen3AuthException(
                    $"The API key (key_id {credentials.KeyId ?? "unknown"}) expired at {keyExpiry.ToString("u", CultureInfo.InvariantCulture)}; download a new credentials file from {issuer}'s profile page.", DtpErrorKind.Local);
            }

            source = TokenSource.ApiKey;
            cacheFile = CacheFile(credentials.ApiKey);
            if (endpoint is not null && !Gen3Endpoint.SameCommons(endpoint, issuer))
            {
                if (!this.options.AllowExternalWorkspaceTokenService)
                {
                    throw new Gen3AuthException(
                        $"The endpoint {endpoint} is not the commons that issued the API key ({issuer}). Use the credentials file of {endpoint}, "
                        + "or opt in to reaching it through the workspace token service of the key's commons.", DtpErrorKind.Local);
                }

                source = TokenSource.ExternalWorkspaceTokenService;
                cacheFile = null;
            }

            endpoint ??= issuer;
        }

        this.endpoint = endpoint;
        handler = this.options.Handler ?? CertificateAuthority.CreateHandler(this.options.CertificateAuthorityFile);
        ownsHandler = this.options.Handler is null;
        tokenHandler = Gen3Http.Chain(new Gen3ClientOptions
        {
            MaxRetryAttempts = this.options.MaxRetryAttempts,
            RetryDelay = this.options.RetryDelay,
            AttemptTimeout = this.options.TokenRequestTimeout,
            MaxResponseBodyBytes = MaxAuthBodyBytes,
        }, handler);
    }

    private enum TokenSource
    {
        ApiKey,
        ClientCredentials,
        WorkspaceTokenService,
        ExternalWorkspaceTokenService,
        AccessToken,
    }

    /// <summary>Gets the commons' root URL without a trailing slash, or <see langword="null"/> in workspace mode before the first token.</summary>
    public string? Endpoint => Volatile.Read(ref endpoint);

    /// <summary>Gets the pooled handler that every client built from this instance shares.</summary>
    public HttpMessageHandler Handler => handler;

    /// <summary>Returns the commons' root URL, getting a token first when only the token can tell it (workspace mode).</summary>
    /// <param name="cancellationToken">Cancels the token request.</param>
    /// <exception cref="Gen3AuthException">No token could be had, or it names no issuer.</exception>
    public async Task<Uri> GetEndpointAsync(CancellationToken cancellationToken = default)
    {
        if (Endpoint is null)
        {
            await GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        }

        return new Uri((Endpoint ?? throw new Gen3AuthException("The access token names no issuer, so the commons' endpoint is unknown; pass the endpoint.", DtpErrorKind.Local)) + "/");
    }

    /// <summary>Returns a current access token, renewing it when less than <see cref="Gen3AuthOptions.RefreshBeforeExpiry"/> remains.</summary>
    /// <param name="cancellationToken">Cancels the token request.</param>
    /// <exception cref="Gen3AuthException">No token could be had.</exception>
    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken = default)
    {
        var token = current ?? ReadCache();
        if (token is not null && IsFresh(token))
        {
            return token.Value;
        }

        return (await RenewAsync(token, force: false, null, cancellationToken).ConfigureAwait(false)).Value;
    }

    /// <summary>Gets a new access token now, whatever the current one's expiry.</summary>
    /// <param name="endpoint">Where to exchange the API key or client credentials; the default value is the key's commons.</param>
    /// <param name="cancellationToken">Cancels the token request.</param>
    /// <returns>The new access token.</returns>
    /// <exception cref="Gen3AuthException">No token could be had.</exception>
    public async Task<string> RefreshAccessTokenAsync(string? endpoint = null, CancellationToken cancellationToken = default) =>
        (await RenewAsync(current, force: true, endpoint is null ? null : Gen3Endpoint.Trim(endpoint), cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>Gets an access token from the workspace token service, as <c>get_access_token_from_wts</c> does.</summary>
    /// <param name="endpoint">
    /// The commons the token is for: <see langword="null"/> asks the in-cluster service; another commons is reached
    /// through the external providers of the API key's commons.
    /// </param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The access token.</returns>
    /// <exception cref="Gen3AuthException">The service refused or no provider matches.</exception>
    public async Task<string> GetAccessTokenFromWtsAsync(string? endpoint = null, CancellationToken cancellationToken = default) =>
        endpoint is null
            ? (await FromInClusterWtsAsync(cancellationToken).ConfigureAwait(false)).Value
            : (await FromExternalWtsAsync(Gen3Endpoint.Trim(endpoint), cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>
    /// Sends a request to the commons with the current token, as the original's <c>curl</c>: the method defaults to GET,
    /// or POST when <paramref name="data"/> is given; <paramref name="data"/> is JSON text or <c>@file</c>, sent as the
    /// document itself (gen3sdk sends it JSON-encoded as a string literal).
    /// </summary>
    /// <param name="path">The path under the endpoint, e.g. <c>/user/user</c>.</param>
    /// <param name="method">GET, POST, PUT or DELETE.</param>
    /// <param name="data">A JSON document, or <c>@</c> and a file's path.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, whatever its status; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The method is not one of the four.</exception>
    /// <exception cref="Gen3AuthException">No token could be had.</exception>
    public async Task<HttpResponseMessage> CurlAsync(string path, string? method = null, string? data = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var verb = (method ?? (data is null ? "GET" : "POST")).ToUpperInvariant();
        if (verb is not ("GET" or "POST" or "PUT" or "DELETE"))
        {
            throw new ArgumentException($"Method \"{method}\" is not supported; expected GET, POST, PUT or DELETE.", nameof(method));
        }

        if (data?.StartsWith('@') == true)
        {
            try
            {
                data = await File.ReadAllTextAsync(data[1..], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DtpException($"Cannot read {data[1..]}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
            }
        }

        using var http = CreateHttpClient();
        http.BaseAddress = await GetEndpointAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(new HttpMethod(verb), path.TrimStart('/'));
        if (data is not null)
        {
            request.Content = new StringContent(data, Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks fence whom the token belongs to (<c>GET /user/user</c>).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The user's name, admin flag, granted resources and the whole answer.</returns>
    /// <exception cref="Gen3AuthException">No token could be had, or fence refused it.</exception>
    public async Task<Gen3User> GetUserAsync(CancellationToken cancellationToken = default)
    {
        using var response = await CurlAsync("/user/user", cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await Gen3AuthException.FromResponseAsync("Asking fence who the token belongs to", response, cancellationToken).ConfigureAwait(false);
        }

        var body = await ResponseBodies.ReadTextAsync(response, MaxAuthBodyBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var name = root.TryGetProperty("username", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : "";
            var admin = root.TryGetProperty("is_admin", out var a) && a.ValueKind == JsonValueKind.True;
            var resources = root.TryGetProperty("resources", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
                : [];
            return new Gen3User(name, admin, resources, root.Clone());
        }
        catch (JsonException ex)
        {
            throw new Gen3AuthException($"{response.RequestMessage?.RequestUri} answered with something other than JSON{Gen3AuthException.Excerpt(body)}", DtpErrorKind.Remote, response.RequestMessage?.RequestUri, response.StatusCode, innerException: ex);
        }
    }

    /// <summary>
    /// Creates an HTTP client over the shared pooled handler that sends a current token with every request (renewed on
    /// 401, as gen3sdk does), with the commons' endpoint as its base address when known. Dispose it; the handler stays.
    /// </summary>
    /// <returns>The client.</returns>
    public HttpClient CreateHttpClient()
    {
        // disposeHandler: false keeps the pooled handler (the auth handler's inner one) alive for the other clients.
        var http = new HttpClient(new Gen3AuthHandler(this) { InnerHandler = handler }, disposeHandler: false)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (Endpoint is { } known)
        {
            http.BaseAddress = new Uri(known + "/");
        }

        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("dtp", typeof(Auth).Assembly.GetName().Version?.ToString(3)));
        return http;
    }

    /// <summary>Renews the token after the commons refused <paramref name="rejected"/>, unless another caller already did.</summary>
    internal async Task<string> RenewAfterRejectionAsync(string rejected, CancellationToken cancellationToken)
    {
        var token = current;
        if (token is not null && token.Value != rejected && IsFresh(token))
        {
            return token.Value;
        }

        return (await RenewAsync(token, force: true, null, cancellationToken).ConfigureAwait(false)).Value;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (ownsHandler)
        {
            tokenHandler.Dispose(); // and the handler under it
        }

        gate.Dispose();
    }

    private static void Validate(string? endpoint, string? refreshFile, Gen3Credentials? refreshToken, string? idp,
        ClientCredentials? clientCredentials, string? clientScopes, string? accessToken)
    {
        if (clientScopes is not null && clientCredentials is null)
        {
            throw new ArgumentException("clientScopes needs clientCredentials.", nameof(clientScopes));
        }

        if (refreshFile is not null && refreshToken is not null)
        {
            throw new ArgumentException("Only one of refreshFile and refreshToken may be given.", nameof(refreshToken));
        }

        if (endpoint is not null && idp is not null)
        {
            throw new ArgumentException("Only one of endpoint and idp may be given: the workspace token service tells the endpoint.", nameof(idp));
        }

        if (clientCredentials is not null && endpoint is null)
        {
            throw new ArgumentException("clientCredentials needs the endpoint of the commons that registered the client.", nameof(endpoint));
        }

        if (accessToken is not null && (refreshFile is not null || refreshToken is not null || clientCredentials is not null || idp is not null))
        {
            throw new ArgumentException("An access token excludes every other credential.", nameof(accessToken));
        }

        if (endpoint is not null && !Uri.TryCreate(Gen3Endpoint.Trim(endpoint), UriKind.Absolute, out _))
        {
            throw new ArgumentException($"The endpoint \"{endpoint}\" is not an absolute URL.", nameof(endpoint));
        }
    }

    /// <summary>Finds the credentials file as gen3sdk does; <see langword="null"/> when only the default was looked for and none exists.</summary>
    private Gen3Credentials LoadCredentials(string path)
    {
        var loaded = Gen3Credentials.Load(path);
        if (FilePermissions.ExposedSecretWarning(path, "a Gen3 API key") is { } warning)
        {
            LogExposedSecret(logger, warning);
        }

        return loaded;
    }

    private string? ResolveCredentialsFile(string? refreshFile)
    {
        var named = refreshFile ?? options.GetEnvironmentVariable("GEN3_API_KEY");
        var name = named ?? "credentials";
        if (File.Exists(name))
        {
            return Path.GetFullPath(name);
        }

        var looked = new List<string> { Path.GetFullPath(name) };
        if (!name.Contains('/', StringComparison.Ordinal) && !name.Contains('\\', StringComparison.Ordinal))
        {
            var inHome = Path.Combine(options.HomeDirectory, ".gen3", name);
            foreach (var candidate in name.EndsWith(".json", StringComparison.Ordinal) ? [inHome] : new[] { inHome, inHome + ".json" })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }

                looked.Add(candidate);
            }
        }

        return named is null
            ? null
            : throw new Gen3AuthException($"The Gen3 credentials file \"{name}\" was not found (looked at {string.Join(", ", looked)}).", DtpErrorKind.Local);
    }

    private bool IsFresh(Token token) =>
        token.ExpiresAt is not { } expires || options.TimeProvider.GetUtcNow() + options.RefreshBeforeExpiry < expires;

    private async Task<Token> RenewAsync(Token? seen, bool force, string? exchangeEndpoint, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = current;
            if (now is not null && !ReferenceEquals(now, seen) && IsFresh(now))
            {
                return now; // another caller renewed it while this one waited
            }

            if (!force && now is not null && IsFresh(now))
            {
                return now;
            }

            var token = source switch
            {
                TokenSource.ApiKey => await FromApiKeyAsync(exchangeEndpoint ?? Endpoint!, cancellationToken).ConfigureAwait(false),
                TokenSource.ClientCredentials => await FromClientCredentialsAsync(exchangeEndpoint ?? Endpoint!, cancellationToken).ConfigureAwait(false),
                TokenSource.WorkspaceTokenService => await FromInClusterWtsAsync(cancellationToken).ConfigureAwait(false),
                TokenSource.ExternalWorkspaceTokenService => await FromExternalWtsAsync(Endpoint!, cancellationToken).ConfigureAwait(false),
                _ => throw RawTokenExpired(now),
            };
            current = token;
            await WriteCacheAsync(token, cancellationToken).ConfigureAwait(false);
            return token;
        }
        finally
        {
            gate.Release();
        }
    }

    private static Gen3AuthException RawTokenExpired(Token? token) => new(
        $"The access token given expired at {token?.ExpiresAt:u} and a raw access token cannot be renewed; use an API key (credentials file) instead.",
        DtpErrorKind.Local);

    private async Task<Token> FromApiKeyAsync(string commons, CancellationToken cancellationToken)
    {
        var url = new Uri($"{commons}/user/credentials/cdis/access_token");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(credentials!.ToJson(), Encoding.UTF8, "application/json") };
        return await SendTokenRequestAsync("Exchanging the API key for an access token", request, "access_token", cancellationToken).ConfigureAwait(false);
    }

    private async Task<Token> FromClientCredentialsAsync(string commons, CancellationToken cancellationToken)
    {
        var url = new Uri($"{commons}/user/oauth2/token?grant_type=client_credentials&scope={Uri.EscapeDataString(scopes)}");
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(client!.ClientId)}:{Uri.EscapeDataString(client.ClientSecret)}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        return await SendTokenRequestAsync($"Getting a token for client {client.ClientId}", request, "access_token", cancellationToken).ConfigureAwait(false);
    }

    private async Task<Token> FromInClusterWtsAsync(CancellationToken cancellationToken)
    {
        var wts = options.WorkspaceTokenServiceUrl?.ToString().TrimEnd('/')
            ?? $"http://workspace-token-service.{options.GetEnvironmentVariable("NAMESPACE") ?? "default"}.svc.cluster.local";
        var query = idp is null or "local" ? string.Empty : $"?idp={Uri.EscapeDataString(idp)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{wts}/token/{query}"));
        var what = credentials is null && idp is null
            ? "No Gen3 credentials were found (GEN3_API_KEY, ~/.gen3/credentials[.json]), so the workspace token service was asked; it"
            : "Getting a token from the workspace token service";
        return await SendTokenRequestAsync(what, request, "token", cancellationToken).ConfigureAwait(false);
    }

    private async Task<Token> FromExternalWtsAsync(string commons, CancellationToken cancellationToken)
    {
        var issuer = JwtClaims.TryDecode(credentials?.ApiKey)?.Endpoint
            ?? throw new Gen3AuthException("The external workspace token service needs an API key of the commons that runs it.", DtpErrorKind.Local);
        var wtsToken = await FromApiKeyAsync(issuer, cancellationToken).ConfigureAwait(false);
        using var http = new HttpClient(tokenHandler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        var providersUrl = new Uri($"{issuer}/wts/external_oidc/");
        using var providersRequest = new HttpRequestMessage(HttpMethod.Get, providersUrl);
        providersRequest.Headers.Authorization = new AuthenticationHeaderValue("bearer", wtsToken.Value);
        using var providers = await SendAsync(http, providersRequest, "Listing the workspace token service's providers", cancellationToken).ConfigureAwait(false);
        if (!providers.IsSuccessStatusCode)
        {
            throw await Gen3AuthException.FromResponseAsync("Listing the workspace token service's providers", providers, cancellationToken).ConfigureAwait(false);
        }

        string? match = null;
        using (var document = JsonDocument.Parse(await ResponseBodies.ReadTextAsync(providers, MaxAuthBodyBytes, cancellationToken).ConfigureAwait(false)))
        {
            if (document.RootElement.TryGetProperty("providers", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                match = list.EnumerateArray()
                    .Where(p => p.TryGetProperty("base_url", out var b) && b.ValueKind == JsonValueKind.String && Gen3Endpoint.SameCommons(b.GetString()!, commons))
                    .Select(p => p.TryGetProperty("idp", out var i) ? i.GetString() : null)
                    .FirstOrDefault(i => i is not null);
            }
        }

        if (match is null)
        {
            throw new Gen3AuthException($"The workspace token service at {providersUrl} has no provider for {commons}.", DtpErrorKind.Remote, providersUrl);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{issuer}/wts/token/?idp={Uri.EscapeDataString(match)}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("bearer", wtsToken.Value);
        return await SendTokenRequestAsync($"Getting a token for {commons} from the workspace token service", request, "token", cancellationToken).ConfigureAwait(false);
    }

    private async Task<Token> SendTokenRequestAsync(string what, HttpRequestMessage request, string property, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(tokenHandler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        using var response = await SendAsync(http, request, what, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await Gen3AuthException.FromResponseAsync(what, response, cancellationToken).ConfigureAwait(false);
        }

        var body = await ResponseBodies.ReadTextAsync(response, MaxAuthBodyBytes, cancellationToken).ConfigureAwait(false);
        string? value = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(property, out var token) && token.ValueKind == JsonValueKind.String)
            {
                value = token.GetString();
            }
        }
        catch (JsonException)
        {
        }

        var claims = JwtClaims.TryDecode(value)
            ?? throw new Gen3AuthException($"{what} failed: {request.RequestUri} answered without a \"{property}\" JWT{Gen3AuthException.Excerpt(body)}", DtpErrorKind.Remote, request.RequestUri, response.StatusCode);
        if (Endpoint is null && claims.Endpoint is { } issuer)
        {
            Volatile.Write(ref endpoint, issuer);
        }

        LogTokenObtained(logger, request.RequestUri!, claims.ExpiresAt);
        return new Token(value!, claims.ExpiresAt);
    }

    /// <summary>Sends a token request (reads that may be repeated: retried within the options' budget, answer read whole).</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        request.Options.Set(Gen3Http.Idempotent, true);
        request.Options.Set(Gen3Http.Buffered, true);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new Gen3AuthException($"{what} failed: cannot reach {request.RequestUri}: {ex.Message}", DtpErrorKind.Remote, request.RequestUri, isTransient: true, innerException: ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new Gen3AuthException(
                $"{what} failed: {request.RequestUri} did not answer within {options.TokenRequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.",
                DtpErrorKind.Remote, request.RequestUri, isTransient: true, innerException: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new Gen3AuthException($"{what} failed: cannot reach {request.RequestUri}: {CertificateAuthority.Describe(ex, Gen3CaOptions)}", DtpErrorKind.Remote, request.RequestUri,
                isTransient: !CertificateAuthority.IsUntrusted(ex), innerException: ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new Gen3AuthException(
                $"{what} failed: {request.RequestUri} did not answer within {options.TokenRequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.",
                DtpErrorKind.Remote, request.RequestUri, isTransient: true, innerException: ex);
        }
    }

    private string? CacheFile(string key)
    {
        if (!options.UseTokenCache)
        {
            return null;
        }

        var folder = options.TokenCacheDirectory ?? Path.Combine(options.HomeDirectory, ".cache", "gen3");
        return Path.Combine(folder, "token_cache_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
    }

    private Token? ReadCache()
    {
        if (cacheFile is null || cacheTried)
        {
            return null;
        }

        cacheTried = true;
        try
        {
            var text = File.Exists(cacheFile) ? File.ReadAllText(cacheFile).Trim() : null;
            var claims = JwtClaims.TryDecode(text);
            if (claims is null)
            {
                return null;
            }

            var token = new Token(text!, claims.ExpiresAt);
            Interlocked.CompareExchange(ref current, token, null);
            return current;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCacheUnreadable(logger, cacheFile, ex.Message);
            return null;
        }
    }

    private async Task WriteCacheAsync(Token token, CancellationToken cancellationToken)
    {
        if (cacheFile is null)
        {
            return;
        }

        try
        {
            await AtomicFile.WriteTextAsync(cacheFile, token.Value, overwrite: true, UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);
        }
        catch (DtpException ex)
        {
            LogCacheUnwritable(logger, cacheFile, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Obtained an access token from {Url}, expiring at {ExpiresAt}")]
    private static partial void LogTokenObtained(ILogger logger, Uri url, DateTimeOffset? expiresAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogExposedSecret(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring the token cache {File}: {Reason}")]
    private static partial void LogCacheUnreadable(ILogger logger, string file, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot write the token cache {File}: {Reason}")]
    private static partial void LogCacheUnwritable(ILogger logger, string file, string reason);

    private sealed record Token(string Value, DateTimeOffset? ExpiresAt)
    {
        public override string ToString() => $"Token {{ ExpiresAt = {ExpiresAt} }}";
    }
}
