using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Gen3;
using Dtp.Testing;
using Dtp.Testing.Irods;
using Dtp.Tests.Gen3;
using Dtp.Tests.Infrastructure;
using Dtp.Tests.Irods;

namespace Dtp.Tests.Reliability;

/// <summary>
/// Runs commands and library calls, successful and failing, with known secrets and every log level on, and scans all
/// they show (stdout, stderr, --json, log lines, exception texts) for the secrets; checks the modes of credentials files.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretsTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Gen3Commands_VerboseSuccessAndFailure_ShowNoKeyOrToken()
    {
        await using var fixture = await Gen3ClientFixture.StartAsync(Ct);
        var credentials = fixture.Commons.Server.CredentialsPath;
        var apiKey = Gen3Credentials.Load(credentials).ApiKey;
        var rejected = fixture.PathOf("rejected.json");
        await File.WriteAllTextAsync(rejected, new JsonObject { ["type"] = "experiment", ["submitter_id"] = "x", ["number_experimental_group"] = "many" }.ToJsonString(), Ct);
        var forged = fixture.PathOf("forged.json");
        await File.WriteAllTextAsync(forged, new JsonObject { ["api_key"] = TestJwt.Create(fixture.Commons.BaseUrl + "/user", DateTimeOffset.UtcNow.AddDays(1), "api_key"), ["key_id"] = "k" }.ToJsonString(), Ct);
        var expired = fixture.PathOf("expired.json");
        await File.WriteAllTextAsync(expired, new JsonObject { ["api_key"] = TestJwt.Create(fixture.Commons.BaseUrl + "/user", DateTimeOffset.UtcNow.AddDays(-1), "api_key"), ["key_id"] = "k" }.ToJsonString(), Ct);
        var scan = new SecretScan();
        string[][] runs =
        [
            ["auth", "whoami", "--credentials", credentials],
            ["auth", "whoami", "--json", "--credentials", credentials],
            ["programs", "--json", "--credentials", credentials],
            ["records", "case", "--program", "demo", "--project", "p1", "--json", "--credentials", credentials],
            ["graphql", "{ no_such_node { id } }", "--json", "--credentials", credentials],
            ["submit", "demo", "p1", rejected, "--json", "--credentials", credentials],
            ["curl", "/user/user", "--credentials", credentials],
            ["curl", "/api/v0/submission/nope/nope", "--credentials", credentials],
            ["export", "node", "demo", "p1", "case", "--format", "json", "-o", fixture.PathOf("case.json"), "--credentials", credentials],
            ["programs", "--endpoint", "http://127.0.0.1:9", "--credentials", credentials],
            ["programs", "--credentials", forged],
            ["programs", "--json", "--credentials", expired],
        ];

        var exits = new List<int>();
        foreach (var args in runs)
        {
            var (exit, output, error) = await CliRun.RunAsync(fixture.Home, [.. args, "-v"]);
            exits.Add(exit);
            scan.Add($"stdout of dtp {string.Join(' ', args)}", output);
            scan.Add($"stderr of dtp {string.Join(' ', args)}", error);
        }

        var cached = Directory.EnumerateFiles(Path.Combine(fixture.Home, ".cache", "gen3")).Select(File.ReadAllText).ToArray();
        Assert.Equal([0, 0, 0, 0, 3, 3, 0, 3, 0, 4, 3, 4], exits);
        Assert.NotEmpty(cached);
        scan.AssertNoSecret([apiKey, .. cached]);
    }

    [Fact]
    public async Task Gen3Library_TraceLogsAndExceptions_ShowNoClientSecretKeyOrToken()
    {
        await using var fixture = await Gen3ClientFixture.StartAsync(Ct);
        var client = JsonNode.Parse(await File.ReadAllTextAsync(fixture.Commons.Server.ClientPath, Ct))!;
        var (clientId, clientSecret) = ((string)client["client_id"]!, (string)client["client_secret"]!);
        var logs = new CapturingLoggerFactory();
        var options = new Gen3AuthOptions { HomeDirectory = fixture.Home, UseTokenCache = false, LoggerFactory = logs };
        var scan = new SecretScan();

        using var auth = new Auth(fixture.Commons.BaseUrl, clientCredentials: new ClientCredentials(clientId, clientSecret), options: options);
        var token = await auth.GetAccessTokenAsync(Ct);
        var programs = await new Querier(auth, loggerFactory: logs).GetProgramsAsync(Ct);
        using var wrongSecret = new Auth(fixture.Commons.BaseUrl, clientCredentials: new ClientCredentials(clientId, clientSecret + "x"), options: options);
        scan.Add("wrong client secret", await Assert.ThrowsAsync<Gen3AuthException>(() => wrongSecret.GetAccessTokenAsync(Ct)));
        using var unreachable = new Auth("http://127.0.0.1:9", accessToken: token, options: options);
        scan.Add("unreachable commons", await Assert.ThrowsAnyAsync<DtpException>(() => new Querier(unreachable, new Gen3ClientOptions { MaxRetryAttempts = 0 }, logs).GetProgramsAsync(Ct)));
        using var apiKeyAuth = new Auth(refreshFile: fixture.Commons.Server.CredentialsPath, options: options);
        await apiKeyAuth.GetAccessTokenAsync(Ct);
        scan.Add("Auth.ToString", auth.ToString() + apiKeyAuth.ToString() + Gen3Credentials.Load(fixture.Commons.Server.CredentialsPath));
        scan.AddLines("log", logs.Lines);

        Assert.Equal(["demo"], programs);
        Assert.Contains(logs.Lines, l => l.StartsWith("Debug", StringComparison.Ordinal));
        scan.AssertNoSecret(clientSecret, token, Gen3Credentials.Load(fixture.Commons.Server.CredentialsPath).ApiKey);
    }

    [Fact]
    public async Task IrodsCommands_VerboseSuccessAndWrongPassword_ShowNoPassword()
    {
        const string Password = "irods-Secret-pw-4417";
        var options = new IrodsTestServerOptions();
        options.Users["rods"] = Password;
        await using var server = IrodsTestKit.StartServer(options);
        IrodsTestKit.WriteTree(server, "/tempZone/home/rods/ds");
        var folder = Directory.CreateTempSubdirectory("dtp-secrets-irods-").FullName;
        var good = IrodsTestKit.WriteConfig(server, Password, Path.Combine(folder, "good.json"));
        var bad = IrodsTestKit.WriteConfig(server, Password + "-wrong", Path.Combine(folder, "bad.json"));
        var scan = new SecretScan();

        var ok = await CliRun.RunAsync(folder, "irods", "ls", "ds", "--json", "-v", "--storage-config", good);
        var get = await CliRun.RunAsync(folder, "irods", "get", "/tempZone/home/rods/ds", Path.Combine(folder, "out"), "-v", "--storage-config", good);
        var refused = await CliRun.RunAsync(folder, "irods", "ls", "ds", "--json", "-v", "--storage-config", bad);
        foreach (var (name, run) in new[] { ("ls", ok), ("get", get), ("ls with a wrong password", refused) })
        {
            scan.Add($"stdout of irods {name}", run.Output);
            scan.Add($"stderr of irods {name}", run.Error);
        }

        Assert.Equal((0, 0, 3), (ok.Exit, get.Exit, refused.Exit));
        scan.AssertNoSecret(Password, Password + "-wrong");
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task PacsCommands_RefusedBasicAndToken_ShowNoPasswordOrToken()
    {
        const string Password = "pacs-Secret-pw-9921";
        const string Token = "pacs-Secret-token-5531";
        var seen = new List<string?>();
        await using var pacs = LoopbackHttpServer.Start(async context =>
        {
            lock (seen)
            {
                seen.Add(context.Request.Headers["Authorization"]);
            }

            context.Response.StatusCode = 401;
            await context.Response.OutputStream.WriteAsync("<html><body><h1>401 Unauthorized</h1></body></html>"u8.ToArray());
            context.Response.Close();
        });
        var folder = Directory.CreateTempSubdirectory("dtp-secrets-pacs-").FullName;
        var basic = Path.Combine(folder, "basic.json");
        await File.WriteAllTextAsync(basic, new JsonObject { ["pacs_url"] = new Uri(pacs.BaseAddress, "dicom-web/").AbsoluteUri, ["pacs_username"] = "alice", ["pacs_password"] = Password }.ToJsonString(), Ct);
        var bearer = Path.Combine(folder, "bearer.json");
        await File.WriteAllTextAsync(bearer, new JsonObject { ["pacs_url"] = new Uri(pacs.BaseAddress, "dicom-web/").AbsoluteUri, ["pacs_token"] = Token }.ToJsonString(), Ct);
        var scan = new SecretScan();

        var runs = new[]
        {
            await CliRun.RunAsync(folder, "pacs", "studies", "-v", "--storage-config", basic),
            await CliRun.RunAsync(folder, "pacs", "studies", "--json", "-v", "--storage-config", bearer),
            await CliRun.RunAsync(folder, "pacs", "get", "1.2.3", Path.Combine(folder, "out"), "--json", "-v", "--storage-config", bearer),
        };
        foreach (var run in runs)
        {
            scan.Add("stdout of pacs", run.Output);
            scan.Add("stderr of pacs", run.Error);
        }

        Assert.All(runs, r => Assert.Equal(3, r.Exit));
        Assert.Contains($"Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + Password))}", seen);
        Assert.Contains($"Bearer {Token}", seen);
        scan.AssertNoSecret(Password, Token, Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + Password)));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task CredentialsFiles_WrittenByDtp_AreOwnerOnly()
    {
        await using var fixture = await Gen3ClientFixture.StartAsync(Ct);
        var userFile = fixture.PathOf("credentials-bob.json");

        var add = await CliRun.RunAsync(fixture.Home, "serve", "user", "add", "bob", "--data", fixture.Commons.DataDirectory, "--read", "demo/p1", "--out", userFile);
        var whoami = await CliRun.RunAsync(fixture.Home, "auth", "whoami", "--credentials", userFile);

        Assert.Equal((0, 0), (add.Exit, whoami.Exit));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(userFile));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(fixture.Commons.Server.CredentialsPath));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(fixture.Commons.Server.ClientPath));
        Assert.All(Directory.EnumerateFiles(Path.Combine(fixture.Home, ".cache", "gen3")), f => Assert.Equal(OwnerOnly, File.GetUnixFileMode(f)));
    }

    [Fact]
    public async Task CredentialsFiles_ReadableByOthers_Warn()
    {
        await using var fixture = await Gen3ClientFixture.StartAsync(Ct);
        var open = fixture.PathOf("open-credentials.json");
        File.Copy(fixture.Commons.Server.CredentialsPath, open);
        File.SetUnixFileMode(open, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var irods = fixture.PathOf("irods.json");
        await File.WriteAllTextAsync(irods, """{"irods_host": "127.0.0.1", "irods_port": 9, "irods_user": "u", "irods_password": "p", "irods_zone": "z", "irods_project_root": "/z"}""", Ct);
        File.SetUnixFileMode(irods, OwnerOnly | UnixFileMode.OtherRead);
        var closed = fixture.PathOf("closed.json");
        File.Copy(fixture.Commons.Server.CredentialsPath, closed);
        File.SetUnixFileMode(closed, OwnerOnly);

        var gen3 = await CliRun.RunAsync(fixture.Home, "auth", "whoami", "--credentials", open);
        var irodsRun = await CliRun.RunAsync(fixture.Home, "irods", "ls", "/z", "--storage-config", irods);
        var quiet = await CliRun.RunAsync(fixture.Home, "auth", "whoami", "--credentials", closed);

        Assert.Equal(0, gen3.Exit);
        Assert.Contains($"{open} holds a Gen3 API key and other users can open it (mode 644); restrict it with chmod 600.", gen3.Error, StringComparison.Ordinal);
        Assert.Contains($"{irods} holds irods_password and other users can open it (mode 604)", irodsRun.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("chmod", quiet.Error, StringComparison.Ordinal);
    }
}
