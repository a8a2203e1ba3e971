using System.Net;
using System.Text.Json;
using Dtp.Cli;
using Dtp.Gen3;
using Dtp.Testing.Commons;

namespace Dtp.Tests.Gen3;

/// <summary><see cref="Auth"/> and its CLI over real HTTP against the embedded commons.</summary>
public sealed class AuthCommonsTests : IAsyncLifetime
{
    private readonly string home = Directory.CreateTempSubdirectory("dtp-auth-commons-").FullName;
    private TestCommons commons = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => commons = await TestCommons.StartAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        await commons.DisposeAsync();
        Directory.Delete(home, recursive: true);
    }

    [Fact]
    public async Task ApiKeyFile_ExchangedAtFence_GivesATokenThatSheepdogAndFenceAccept()
    {
        using var auth = new Auth(refreshFile: commons.Server.CredentialsPath, options: Options());

        var user = await auth.GetUserAsync(Ct);
        using var programs = await auth.CurlAsync("/api/v0/submission/", cancellationToken: Ct);

        Assert.Equal(commons.BaseUrl, auth.Endpoint);
        Assert.True(user.IsAdmin);
        Assert.False(string.IsNullOrEmpty(user.Username));
        Assert.Equal(HttpStatusCode.OK, programs.StatusCode);
        using var body = JsonDocument.Parse(await programs.Content.ReadAsStringAsync(Ct));
        Assert.Equal(JsonValueKind.Array, body.RootElement.GetProperty("links").ValueKind);
    }

    [Fact]
    public async Task ClientCredentials_FromTheCommonsClientFile_GiveAToken()
    {
        using var client = JsonDocument.Parse(await File.ReadAllTextAsync(commons.Server.ClientPath, Ct));
        var credentials = new ClientCredentials(client.RootElement.GetProperty("client_id").GetString()!, client.RootElement.GetProperty("client_secret").GetString()!);
        using var auth = new Auth(endpoint: commons.BaseUrl, clientCredentials: credentials, options: Options());

        var token = await auth.GetAccessTokenAsync(Ct);
        using var jwks = await auth.CurlAsync("/user/jwt/keys", cancellationToken: Ct);

        Assert.StartsWith("eyJ", token, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, jwks.StatusCode);
    }

    [Fact]
    public async Task ClientCredentials_WithAWrongSecret_FailWithFencesStatusAndNoSecret()
    {
        using var client = JsonDocument.Parse(await File.ReadAllTextAsync(commons.Server.ClientPath, Ct));
        var credentials = new ClientCredentials(client.RootElement.GetProperty("client_id").GetString()!, "wrong-secret-value");
        using var auth = new Auth(endpoint: commons.BaseUrl, clientCredentials: credentials, options: Options());

        var ex = await Assert.ThrowsAsync<Gen3AuthException>(() => auth.GetAccessTokenAsync(Ct));

        Assert.Equal(DtpErrorKind.Remote, ex.Kind);
        Assert.Contains($"{commons.BaseUrl}/user/oauth2/token", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKeyOfAnotherCommons_IsRefusedWith401()
    {
        await using var other = await TestCommons.StartAsync(Ct);
        var foreignKey = JsonDocument.Parse(await File.ReadAllTextAsync(other.Server.CredentialsPath, Ct)).RootElement.GetProperty("api_key").GetString()!;
        var forged = await File.ReadAllTextAsync(commons.Server.CredentialsPath, Ct);
        var ownKey = JsonDocument.Parse(forged).RootElement.GetProperty("api_key").GetString()!;
        // Same issuer as this commons (so the endpoint matches), but signed by the other commons' key.
        var resigned = $"{{\"api_key\": \"{ownKey.Split('.')[0]}.{ownKey.Split('.')[1]}.{foreignKey.Split('.')[2]}\", \"key_id\": \"x\"}}";
        using var auth = new Auth(refreshToken: resigned, options: Options());

        var ex = await Assert.ThrowsAsync<Gen3AuthException>(() => auth.GetAccessTokenAsync(Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.DoesNotContain(ownKey, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_AuthWhoamiTokenAndCurl_WorkAgainstTheCommons()
    {
        var credentials = commons.Server.CredentialsPath;

        var whoami = await RunAsync(["auth", "whoami", "--credentials", credentials, "--json"]);
        var token = await RunAsync(["auth", "token", "--credentials", credentials]);
        var curl = await RunAsync(["curl", "/api/v0/submission/", "--credentials", credentials]);
        var missing = await RunAsync(["curl", "/api/v0/submission/no-such-program", "--credentials", credentials]);

        Assert.Equal(ExitCodes.Ok, whoami.Exit);
        Assert.True(JsonDocument.Parse(whoami.Output).RootElement.GetProperty("is_admin").GetBoolean());
        Assert.Equal(ExitCodes.Ok, token.Exit);
        Assert.StartsWith("eyJ", token.Output.Trim(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, curl.Exit);
        Assert.Contains("\"links\"", curl.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Remote, missing.Exit);
        Assert.Contains("answered 404", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_WithTheOriginalsGen3Json_ResolvesTheCredentialsFileBesideIt()
    {
        var folder = Directory.CreateDirectory(Path.Combine(home, "configs")).FullName;
        File.Copy(commons.Server.CredentialsPath, Path.Combine(folder, "credentials.json"));
        var config = Path.Combine(folder, "gen3.json");
        await File.WriteAllTextAsync(config, $$"""{"gen3_endpoint": "{{commons.BaseUrl}}/", "gen3_cred_file": "credentials.json"}""", Ct);

        var result = await RunAsync(["auth", "whoami", "--gen3-config", config]);

        Assert.Equal(ExitCodes.Ok, result.Exit);
        Assert.Contains(commons.BaseUrl, result.Output, StringComparison.Ordinal);
    }

    private Gen3AuthOptions Options() => new() { HomeDirectory = home, GetEnvironmentVariable = _ => null };

    private async Task<(int Exit, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DtpCli.RunAsync(new GlobalOptions { HomeDirectory = home }, args, new System.CommandLine.InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }
}
