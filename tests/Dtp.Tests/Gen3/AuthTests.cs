using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dtp.Gen3;
using Dtp.Testing;
using Dtp.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Dtp.Tests.Gen3;

public sealed class AuthTests : IDisposable
{
    private const string Commons = "https://gen3.example.org";

    private readonly string home = Directory.CreateTempSubdirectory("dtp-auth-home-").FullName;
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly Dictionary<string, string> environment = [];
    private readonly string apiKey;

    public AuthTests()
    {
        apiKey = TestJwt.Create($"{Commons}/user", clock.GetUtcNow().AddDays(30), purpose: "api_key");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(home, recursive: true);

    [Theory]
    [InlineData("scopes-without-client")]
    [InlineData("file-and-token")]
    [InlineData("endpoint-and-idp")]
    [InlineData("client-without-endpoint")]
    [InlineData("token-and-file")]
    public void Constructor_WithArgumentsThatExcludeEachOther_ThrowsBeforeAnyRequest(string combination)
    {
        var handler = TokenServer();
        var options = Options(handler);
        var credentials = new Gen3Credentials(apiKey, "k");
        var client = new ClientCredentials("id", "secret");

        Action create = combination switch
        {
            "scopes-without-client" => () => _ = new Auth(refreshToken: credentials, clientScopes: "openid", options: options),
            "file-and-token" => () => _ = new Auth(refreshFile: "x.json", refreshToken: credentials, options: options),
            "endpoint-and-idp" => () => _ = new Auth(endpoint: Commons, idp: "ras", options: options),
            "client-without-endpoint" => () => _ = new Auth(clientCredentials: client, options: options),
            _ => () => _ = new Auth(refreshFile: "x.json", accessToken: TestJwt.Create($"{Commons}/user", clock.GetUtcNow().AddHours(1)), options: options),
        };

        Assert.ThrowsAny<ArgumentException>(create);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public void Constructor_WithTheReferenceJwts_InfersTheEndpointForEveryPaddingLength()
    {
        var examples = JsonDocument.Parse(File.ReadAllText(Requirements.Reference("gen3/examples/jwt_and_credentials_examples.json")));
        var paddings = new HashSet<int>();

        foreach (var example in examples.RootElement.GetProperty("cases").EnumerateArray())
        {
            var jwt = example.GetProperty("jwt").GetString()!;
            var expected = example.GetProperty("expected_endpoint").GetString();
            var purpose = example.GetProperty("claims").TryGetProperty("pur", out var p) ? p.GetString() : null;
            var beforeTheKeysExpired = Options(TokenServer());
            beforeTheKeysExpired.TimeProvider = new FakeTimeProvider(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));   // the reference keys expired in 2023
            using var auth = purpose == "api_key"
                ? new Auth(refreshToken: new Gen3Credentials(jwt, null), options: beforeTheKeysExpired)
                : new Auth(accessToken: jwt, options: Options(TokenServer()));
            Assert.Equal(expected, auth.Endpoint);
            paddings.Add(example.GetProperty("payload_segment_length_mod_4").GetInt32());
        }

        Assert.Superset(new HashSet<int> { 0, 2, 3 }, paddings);
    }

    [Fact]
    public async Task GetAccessTokenAsync_WithAnApiKey_PostsTheCredentialsToFenceWithoutAuthorization()
    {
        var handler = TokenServer();
        using var auth = new Auth(refreshToken: new Gen3Credentials(apiKey, "key-1"), options: Options(handler));

        var token = await auth.GetAccessTokenAsync(Ct);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(("POST", $"{Commons}/user/credentials/cdis/access_token", null), (request.Method, request.Uri.ToString(), request.Authorization));
        using var body = JsonDocument.Parse(request.Body!);
        Assert.Equal(apiKey, body.RootElement.GetProperty("api_key").GetString());
        Assert.Equal("key-1", body.RootElement.GetProperty("key_id").GetString());
        Assert.StartsWith("eyJ", token, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_WithCredentialsJsonText_ParsesItAsTheOriginalDid()
    {
        var json = $$"""{"api_key": "{{apiKey}}", "key_id": "k"}""";

        using var auth = new Auth(refreshToken: json, options: Options(TokenServer()));

        Assert.Equal(Commons, auth.Endpoint);
    }

    [Fact]
    public async Task GetAccessTokenAsync_RenewsOnlyWithinThreeHundredSecondsOfExpiry()
    {
        var handler = TokenServer(lifetime: TimeSpan.FromMinutes(20));
        using var auth = new Auth(refreshToken: new Gen3Credentials(apiKey, "k"), options: Options(handler));

        var first = await auth.GetAccessTokenAsync(Ct);
        clock.Advance(TimeSpan.FromMinutes(14));
        var stillFirst = await auth.GetAccessTokenAsync(Ct);
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var second = await auth.GetAccessTokenAsync(Ct);

        Assert.Equal(first, stillFirst);
        Assert.NotEqual(first, second);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task GetAccessTokenAsync_WithAHundredConcurrentCallersAndAnExpiredToken_RequestsOneToken()
    {
        var release = new TaskCompletionSource();
        var handler = TokenServer(gate: release.Task);
        using var auth = new Auth(refreshToken: new Gen3Credentials(apiKey, "k"), options: Options(handler));

        var callers = Enumerable.Range(0, 100).Select(_ => Task.Run(() => auth.GetAccessTokenAsync(Ct), Ct)).ToArray();
        await Task.Delay(50, Ct);
        release.SetResult();
        var tokens = await Task.WhenAll(callers);

        Assert.Single(handler.Requests);
        Assert.Single(tokens.Distinct());
    }

    [Fact]
    public async Task AuthHandler_On401_RenewsOnceAndRetriesOnce()
    {
        var dataCalls = 0;
        var handler = TokenServer(data: _ => Interlocked.Increment(ref dataCalls) == 1
            ? StubHttpHandler.Json(HttpStatusCode.Unauthorized, """{"message": "Authentication Error: token expired"}""")
            : StubHttpHandler.Json(HttpStatusCode.OK, """{"links": []}"""));
        using var auth = new Auth(refreshToken: new Gen3Credentials(apiKey, "k"), options: Options(handler));
        using var http = auth.CreateHttpClient();

        using var response = await http.GetAsync("api/v0/submission/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requests = handler.Requests;
        Assert.Equal(2, requests.Count(r => r.Uri.AbsolutePath.EndsWith("/access_token", StringComparison.Ordinal)));
        var data = requests.Where(r => r.Uri.AbsolutePath == "/api/v0/submission/").ToList();
        Assert.Equal(2, data.Count);
        Assert.NotEqual(data[0].Authorization, data[1].Authorization);
        Assert.StartsWith("bearer eyJ", data[1].Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthHandler_WhenRetryAlsoFails401_ReturnsTheSecond401WithoutLooping()
    {
        var handler = TokenServer(data: _ => StubHttpHandler.Json(HttpStatusCode.Unauthorized, "{}"));
        using var auth = new Auth(refreshToken: new Gen3Credentials(apiKey, "k"), options: Options(handler));
        using var http = auth.CreateHttpClient();

        using var response = await http.GetAsync("api/v0/submission/", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, handler.Requests.Count(r => r.Uri.AbsolutePath == "/api/v0/submission/"));
    }

    [Fact]
    public async Task GetAccessTokenAsync_WithClientCredentials_UsesBasicAuthAndTheDefaultScopes()
    {
        var handler = TokenServer();
        using var auth = new Auth(endpoint: Commons + "/", clientCredentials: new ClientCredentials("my-client", "my-secret"), options: Options(handler));

        await auth.GetAccessTokenAsync(Ct);

        var request = Assert.Single(handler.Requests);
        Assert.Equal($"{Commons}/user/oauth2/token?grant_type=client_credentials&scope=user%20data%20openid", request.Uri.AbsoluteUri);
        Assert.Equal($"Basic {Convert.ToBase64String("my-client:my-secret"u8.ToArray())}", request.Authorization);
        Assert.Equal(Commons, auth.Endpoint);
    }

    [Fact]
    public void Constructor_WithAnEndpointOtherThanTheKeysIssuer_FailsNamingBoth()
    {
        var ex = Assert.Throws<Gen3AuthException>(() => new Auth(endpoint: "https://other.example.org", refreshToken: new Gen3Credentials(apiKey, "k"), options: Options(TokenServer())));

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
        Assert.Contains("https://other.example.org", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Commons, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://GEN3.example.org/")]
    [InlineData("https://gen3.example.org:443")]
    [InlineData("https://gen3.example.org//")]
    public void Constructor_WithTheKeysIssuerWrittenDifferently_Accepts(string endpoint)
    {
        using var auth = new Auth(endpoint: endpoint, refreshToken: new Gen3Credentials(apiKey, "k"), options: Options(TokenServer()));

        Assert.NotNull(auth.Endpoint);
    }

    [Fact]
    public async Task Constructor_WithGen3ApiKeyNamingAFileInDotGen3_FindsItWithTheJsonSuffix()
    {
        Directory.CreateDirectory(Path.Combine(home, ".gen3"));
        await File.WriteAllTextAsync(Path.Combine(home, ".gen3", "lab.json"), $$"""{"api_key": "{{apiKey}}", "key_id": "k"}""", Ct);
        environment["GEN3_API_KEY"] = "lab";

        using var auth = new Auth(options: Options(TokenServer()));

        Assert.Equal(Commons, auth.Endpoint);
    }

    [Fact]
    public void Constructor_WithAMissingNamedFile_SaysWhereItLooked()
    {
        var ex = Assert.Throws<Gen3AuthException>(() => new Auth(refreshFile: "nope", options: Options(TokenServer())));

        Assert.Contains(Path.Combine(home, ".gen3", "nope.json"), ex.Message, StringComparison.Ordinal);
        Assert.Equal(DtpErrorKind.Local, ex.Kind);
    }

    [Fact]
    public void Constructor_WithACredentialsFileLackingApiKey_NamesTheFile()
    {
        var file = Path.Combine(home, "bad.json");
        File.WriteAllText(file, """{"key_id": "k"}""");

        var ex = Assert.Throws<Gen3AuthException>(() => new Auth(refreshFile: file, options: Options(TokenServer())));

        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
        Assert.Contains("api_key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAccessTokenAsync_WithARawTokenPrefix_UsesItAndCannotRenewIt()
    {
        var raw = TestJwt.Create($"{Commons}/user", clock.GetUtcNow().AddMinutes(10));
        var handler = TokenServer();
        using var auth = new Auth(refreshFile: "accesstoken:///" + raw, options: Options(handler));

        var token = await auth.GetAccessTokenAsync(Ct);
        clock.Advance(TimeSpan.FromMinutes(11));
        var ex = await Assert.ThrowsAsync<Gen3AuthException>(() => auth.GetAccessTokenAsync(Ct));

        Assert.Equal(raw, token);
        Assert.Equal(Commons, auth.Endpoint);
        Assert.Contains("cannot be renewed", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(raw, ex.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task GetAccessTokenAsync_WhenFenceAnswersAnHtmlError_NamesUrlAndStatusWithAnExcerptButNoKey()
    {
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Html(HttpStatusCode.Unauthorized,
            $"<html><body><h1>Unauthorized</h1><p>Invalid API key {apiKey}</p></body></html>"));
        using var auth = new Auth(refreshToken: new Gen3Credentials(apiKey, "k"), options: Options(handler));

        var ex = await Assert.ThrowsAsync<Gen3AuthException>(() => auth.GetAccessTokenAsync(Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Contains($"{Commons}/user/credentials/cdis/access_token answered 401", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Unauthorized Invalid API key <token>", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(apiKey, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("<h1>", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAccessTokenAsync_WhenFenceIsUnreachable_NamesTheEndpoint()
    {
        var unreachable = TestJwt.Create("http://127.0.0.1:9/user", clock.GetUtcNow().AddDays(1), purpose: "api_key");
        using var auth = new Auth(refreshToken: new Gen3Credentials(unreachable, "k"), options: new Gen3AuthOptions { HomeDirectory = home, UseTokenCache = false });

        var ex = await Assert.ThrowsAsync<Gen3AuthException>(() => auth.GetAccessTokenAsync(Ct));

        Assert.Contains("cannot reach http://127.0.0.1:9/user/credentials/cdis/access_token", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task TokenCache_IsWrittenOwnerOnlyUnderGen3sdksNameAndReusedByTheNextInstance()
    {
        var handler = TokenServer();
        var expectedFile = Path.Combine(home, ".cache", "gen3", "token_cache_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey))));
        string token;
        using (var first = new Auth(refreshToken: new Gen3Credentials(apiKey, "k"), options: Options(handler, cache: true)))
        {
            token = await first.GetAccessTokenAsync(Ct);
        }

        using var second = new Auth(refreshToken: new Gen3Credentials(apiKey, "k"), options: Options(handler, cache: true));
        var cached = await second.GetAccessTokenAsync(Ct);

        Assert.Equal(token, (await File.ReadAllTextAsync(expectedFile, Ct)).Trim());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(expectedFile));
        }

        Assert.Equal(token, cached);
        Assert.Single(handler.Requests);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(expectedFile)!));
    }

    [Fact]
    public async Task TokenCache_WhenCorrupt_IsIgnoredAndReplaced()
    {
        var file = Path.Combine(home, ".cache", "gen3", "token_cache_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey))));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, "not a token", Ct);
        var handler = TokenServer();
        using var auth = new Auth(refreshToken: new Gen3Credentials(apiKey, "k"), options: Options(handler, cache: true));

        var token = await auth.GetAccessTokenAsync(Ct);

        Assert.Single(handler.Requests);
        Assert.Equal(token, (await File.ReadAllTextAsync(file, Ct)).Trim());
    }

    [Fact]
    public async Task GetAccessTokenAsync_WithoutAnyCredentials_AsksTheInClusterWorkspaceTokenServiceOverHttp()
    {
        var wtsToken = TestJwt.Create($"{Commons}/user", clock.GetUtcNow().AddMinutes(20));
        var asked = new List<string>();
        await using var wts = LoopbackHttpServer.Start(async context =>
        {
            lock (asked)
            {
                asked.Add(context.Request.Url!.PathAndQuery);
            }

            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes($$"""{"token": "{{wtsToken}}"}"""));
            context.Response.Close();
        });
        var options = new Gen3AuthOptions { HomeDirectory = home, UseTokenCache = false, TimeProvider = clock, WorkspaceTokenServiceUrl = wts.BaseAddress, GetEnvironmentVariable = _ => null };
        using var auth = new Auth(options: options);

        var token = await auth.GetAccessTokenAsync(Ct);

        Assert.Equal(wtsToken, token);
        Assert.Equal(["/token/"], asked);
        Assert.Equal(Commons, auth.Endpoint);
    }

    [Fact]
    public async Task GetAccessTokenAsync_WithoutCredentialsInAWorkspaceNamespace_UsesThatNamespacesService()
    {
        var wtsToken = TestJwt.Create($"{Commons}/user", clock.GetUtcNow().AddMinutes(20));
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Json(HttpStatusCode.OK, $$"""{"token": "{{wtsToken}}"}"""));
        environment["NAMESPACE"] = "jupyter-pods";
        using var auth = new Auth(options: Options(handler));

        await auth.GetAccessTokenAsync(Ct);

        Assert.Equal("http://workspace-token-service.jupyter-pods.svc.cluster.local/token/", Assert.Single(handler.Requests).Uri.ToString());
    }

    [Fact]
    public async Task GetAccessTokenAsync_WithAnIdp_AsksTheWorkspaceTokenServiceForThatProvider()
    {
        var wtsToken = TestJwt.Create($"{Commons}/user", clock.GetUtcNow().AddMinutes(20));
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Json(HttpStatusCode.OK, $$"""{"token": "{{wtsToken}}"}"""));
        using var auth = new Auth(refreshFile: "idp://wts/ras", options: Options(handler));

        await auth.GetAccessTokenAsync(Ct);

        Assert.Equal("http://workspace-token-service.default.svc.cluster.local/token/?idp=ras", Assert.Single(handler.Requests).Uri.ToString());
    }

    [Fact]
    public async Task GetAccessTokenAsync_ForAnotherCommonsWhenOptedIn_GoesThroughTheExternalWorkspaceTokenServiceOverHttp()
    {
        // The fixture maps a WTS host to its providers; the second provider is another commons.
        using var fixture = JsonDocument.Parse(File.ReadAllText(Requirements.Reference("gen3/upstream/gen3sdk_test_resources/wts_oidc.json")));
        var providers = fixture.RootElement.EnumerateObject().First().Value.GetRawText();
        var provider = fixture.RootElement.EnumerateObject().First().Value.GetProperty("providers")[1];
        var target = provider.GetProperty("base_url").GetString()!;
        var idp = provider.GetProperty("idp").GetString()!;
        var external = TestJwt.Create($"{target.TrimEnd('/')}/user", clock.GetUtcNow().AddMinutes(20));
        var seen = new List<(string Path, string? Authorization)>();
        Uri? self = null;
        await using var wts = LoopbackHttpServer.Start(async context =>
        {
            var path = context.Request.Url!.PathAndQuery;
            lock (seen)
            {
                seen.Add((path, context.Request.Headers["Authorization"]));
            }

            var body = path switch
            {
                "/user/credentials/cdis/access_token" => $$"""{"access_token": "{{TestJwt.Create(self + "user", clock.GetUtcNow().AddMinutes(20))}}"}""",
                "/wts/external_oidc/" => providers,
                _ => $$"""{"token": "{{external}}"}""",
            };
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
            context.Response.Close();
        });
        self = wts.BaseAddress;
        var key = TestJwt.Create(self + "user", clock.GetUtcNow().AddDays(30), purpose: "api_key");
        var options = new Gen3AuthOptions { HomeDirectory = home, UseTokenCache = false, TimeProvider = clock, AllowExternalWorkspaceTokenService = true, GetEnvironmentVariable = _ => null };
        using var auth = new Auth(endpoint: target, refreshToken: new Gen3Credentials(key, "k"), options: options);

        var token = await auth.GetAccessTokenAsync(Ct);

        Assert.Equal(external, token);
        Assert.Equal(["/user/credentials/cdis/access_token", "/wts/external_oidc/", $"/wts/token/?idp={idp}"], seen.Select(s => s.Path));
        Assert.Null(seen[0].Authorization);
        Assert.StartsWith("bearer eyJ", seen[2].Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAccessTokenAsync_WhenFenceHangs_ReportsTheTimeoutWithTheUrl()
    {
        await using var silent = LoopbackHttpServer.Start(_ => Task.CompletedTask);
        await using var proxy = Dtp.Testing.FaultProxy.Start(silent.BaseAddress);
        proxy.DefaultFault = Dtp.Testing.Fault.Hang;
        var key = TestJwt.Create(proxy.BaseAddress + "user", clock.GetUtcNow().AddDays(30), purpose: "api_key");
        var options = new Gen3AuthOptions { HomeDirectory = home, UseTokenCache = false, TokenRequestTimeout = TimeSpan.FromMilliseconds(300), GetEnvironmentVariable = _ => null };
        using var auth = new Auth(refreshToken: new Gen3Credentials(key, "k"), options: options);

        var ex = await Assert.ThrowsAsync<Gen3AuthException>(() => auth.GetAccessTokenAsync(Ct));

        Assert.Contains($"{proxy.BaseAddress}user/credentials/cdis/access_token did not answer within 0.3 s", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task CurlAsync_WithDataFromAFile_PostsTheDocumentItself()
    {
        var file = Path.Combine(home, "query.json");
        await File.WriteAllTextAsync(file, """{"query": "{ program { name } }"}""", Ct);
        var handler = TokenServer();
        using var auth = new Auth(refreshToken: new Gen3Credentials(apiKey, "k"), options: Options(handler));

        using var response = await auth.CurlAsync("/api/v0/submission/graphql", data: "@" + file, cancellationToken: Ct);

        var request = handler.Requests[^1];
        Assert.Equal(("POST", $"{Commons}/api/v0/submission/graphql"), (request.Method, request.Uri.ToString()));
        Assert.Equal("""{"query": "{ program { name } }"}""", request.Body);
    }

    [Fact]
    public async Task CurlAsync_WithAnUnsupportedMethod_ThrowsArgumentException()
    {
        using var auth = new Auth(refreshToken: new Gen3Credentials(apiKey, "k"), options: Options(TokenServer()));

        await Assert.ThrowsAsync<ArgumentException>(() => auth.CurlAsync("/user/user", method: "PATCH", cancellationToken: Ct));
    }

    [Fact]
    public async Task Logs_AtTraceLevel_NeverHoldAKeyATokenOrASecret()
    {
        using var logs = new CapturingLoggerFactory();
        var handler = TokenServer(data: _ => StubHttpHandler.Json(HttpStatusCode.Unauthorized, "{}"));
        var options = Options(handler, cache: true);
        options.LoggerFactory = logs;
        var tokens = new List<string>();
        using (var auth = new Auth(refreshToken: new Gen3Credentials(apiKey, "k"), options: options))
        {
            tokens.Add(await auth.GetAccessTokenAsync(Ct));
            using var http = auth.CreateHttpClient();
            using var _ = await http.GetAsync("user/user", Ct);
            tokens.Add(await auth.RefreshAccessTokenAsync(cancellationToken: Ct));
        }

        var clientOptions = Options(new StubHttpHandler((_, _) => StubHttpHandler.Html(HttpStatusCode.BadRequest, "<p>invalid_client</p>")));
        clientOptions.LoggerFactory = logs;
        using var clientAuth = new Auth(endpoint: Commons, clientCredentials: new ClientCredentials("c", "client-secret-123"), options: clientOptions);
        var ex = await Assert.ThrowsAsync<Gen3AuthException>(() => clientAuth.GetAccessTokenAsync(Ct));

        Assert.NotEmpty(logs.Lines);
        string[] secrets = [apiKey, "client-secret-123", .. tokens];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, ex.ToString(), StringComparison.Ordinal);
        }
    }

    private Gen3AuthOptions Options(HttpMessageHandler handler, bool cache = false) => new()
    {
        Handler = handler,
        HomeDirectory = home,
        UseTokenCache = cache,
        TimeProvider = clock,
        GetEnvironmentVariable = name => environment.GetValueOrDefault(name),
    };

    /// <summary>A fence stand-in: issues a fresh access token per exchange; other paths answer through <paramref name="data"/>.</summary>
    private StubHttpHandler TokenServer(TimeSpan? lifetime = null, Task? gate = null, Func<HttpRequestMessage, HttpResponseMessage>? data = null) =>
        new(async (request, _) =>
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path is "/user/credentials/cdis/access_token" or "/user/oauth2/token")
            {
                if (gate is not null)
                {
                    await gate;
                }

                var token = TestJwt.Create($"{Commons}/user", clock.GetUtcNow() + (lifetime ?? TimeSpan.FromMinutes(20)));
                return StubHttpHandler.Json(HttpStatusCode.OK, $$"""{"access_token": "{{token}}"}""");
            }

            return data?.Invoke(request) ?? StubHttpHandler.Json(HttpStatusCode.OK, "{}");
        });
}
