using System.CommandLine;
using System.Text.Json.Nodes;
using Dtp.Cli;
using Dtp.Commons;
using Dtp.Testing;
using Dtp.Testing.Irods;
using Dtp.Testing.Orthanc;
using Dtp.Tests.Infrastructure;
using Dtp.Tests.Irods;

namespace Dtp.Tests.Reliability;

/// <summary>
/// Certificate verification is always on: each service behind a certificate from a throw-away private authority fails
/// clearly without the CA file and works with it (<c>--ca-file</c>, <c>gen3_ca_file</c>, <c>pacs_ca_file</c>,
/// <c>irods_ssl_ca_certificate_file</c>); no option turns verification off.
/// </summary>
public sealed class TlsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Gen3Commands_HttpsCommons_FailWithoutTheCaFileAndWorkWithIt()
    {
        using var ca = ThrowAwayCa.Create();
        using var stranger = ThrowAwayCa.Create();
        var folder = Directory.CreateTempSubdirectory("dtp-tls-commons-").FullName;
        await using var server = await CommonsServer.StartAsync(new CommonsOptions { DataDirectory = folder, Port = 0, Certificate = ca.ServerCertificate }, cancellationToken: Ct);
        var gen3Config = Path.Combine(folder, "gen3.json");
        await File.WriteAllTextAsync(gen3Config, new JsonObject { ["gen3_endpoint"] = server.BaseUrl, ["gen3_cred_file"] = server.CredentialsPath, ["gen3_ca_file"] = ca.PemFile }.ToJsonString(), Ct);

        var without = await CliRun.RunAsync(folder, "programs", "--credentials", server.CredentialsPath);
        var wrongCa = await CliRun.RunAsync(folder, "programs", "--credentials", server.CredentialsPath, "--ca-file", stranger.PemFile);
        var withOption = await CliRun.RunAsync(folder, "programs", "--credentials", server.CredentialsPath, "--ca-file", ca.PemFile);
        var withConfig = await CliRun.RunAsync(folder, "auth", "whoami", "--gen3-config", gen3Config);

        Assert.StartsWith("https://127.0.0.1:", server.BaseUrl, StringComparison.Ordinal);
        AssertUntrusted(without);
        AssertUntrusted(wrongCa);
        Assert.Equal((0, 0), (withOption.Exit, withConfig.Exit));
        Assert.StartsWith("admin", withConfig.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_TlsCertAndKey_ServesHttpsThatClientsTrustWithTheCaFile()
    {
        using var ca = ThrowAwayCa.Create();
        var folder = Directory.CreateTempSubdirectory("dtp-tls-serve-").FullName;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var serve = DtpCli.RunAsync(["serve", "--json", "--port", "0", "--data", folder, "--tls-cert", ca.ServerCertificatePemFile, "--tls-key", ca.ServerKeyPemFile],
            new InvocationConfiguration { Output = output, Error = error }, stop.Token);
        while (!output.ToString().Contains('}', StringComparison.Ordinal) && !serve.IsCompleted)
        {
            await Task.Delay(50, Ct);
        }

        var started = JsonNode.Parse(output.ToString())!;
        var credentials = (string)started["credentials"]!;
        var programs = await CliRun.RunAsync(folder, "programs", "--credentials", credentials, "--ca-file", ca.PemFile);
        var untrusted = await CliRun.RunAsync(folder, "programs", "--credentials", credentials);
        await stop.CancelAsync();
        var exit = await serve;
        var halfOption = await CliRun.RunAsync(folder, "serve", "--data", folder, "--tls-cert", ca.ServerCertificatePemFile);

        Assert.StartsWith("https://127.0.0.1:", (string)started["base_url"]!, StringComparison.Ordinal);
        Assert.Equal(0, programs.Exit);
        AssertUntrusted(untrusted);
        Assert.Equal(ExitCodes.Ok, exit);   // Ctrl+C is how serve is meant to stop
        Assert.Equal(ExitCodes.LocalInput, halfOption.Exit);
        Assert.Contains("--tls-cert and --tls-key go together", halfOption.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PacsCommands_OrthancBehindTls_FailWithoutPacsCaFileAndWorkWithIt()
    {
        // Debian's Orthanc 1.10.1 crashes (civetweb segfault) on its first HTTPS request with SslEnabled, so TLS is
        // terminated in front of it, as a gateway of a hospital PACS would.
        using var ca = ThrowAwayCa.Create();
        await using var orthanc = await Requirements.RunAsync(() => OrthancServer.StartAsync(cancellationToken: Ct));
        await using var gateway = LoopbackProxy.StartTls(orthanc.BaseAddress, ca.ServerCertificate);
        var folder = Directory.CreateTempSubdirectory("dtp-tls-pacs-").FullName;
        var config = new JsonObject { ["pacs_url"] = gateway.Rewrite(orthanc.DicomWebRoot).AbsoluteUri, ["pacs_username"] = orthanc.UserName, ["pacs_password"] = orthanc.Password };
        var untrustedConfig = Path.Combine(folder, "untrusted.json");
        await File.WriteAllTextAsync(untrustedConfig, config.ToJsonString(), Ct);
        config["pacs_ca_file"] = ca.PemFile;
        var trustedConfig = Path.Combine(folder, "trusted.json");
        await File.WriteAllTextAsync(trustedConfig, config.ToJsonString(), Ct);

        var without = await CliRun.RunAsync(folder, "pacs", "studies", "--storage-config", untrustedConfig);
        var with = await CliRun.RunAsync(folder, "pacs", "studies", "--json", "--storage-config", trustedConfig);

        Assert.StartsWith("https://", (string)config["pacs_url"]!, StringComparison.Ordinal);
        AssertUntrusted(without);
        Assert.True(with.Exit == 0, with.Error);
        Assert.Empty(JsonNode.Parse(with.Output)!.AsArray());
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task IrodsCommands_ServerRequiresTls_FailWithoutTheCaFileAndWorkWithIt()
    {
        using var ca = ThrowAwayCa.Create();
        await using var server = IrodsTestKit.StartServer(new IrodsTestServerOptions { ClientServerPolicy = "CS_NEG_REQUIRE", Certificate = ca.ServerCertificate });
        IrodsTestKit.WriteTree(server, "/tempZone/home/rods/ds");
        var folder = Directory.CreateTempSubdirectory("dtp-tls-irods-").FullName;
        var config = new JsonObject
        {
            ["irods_host"] = "localhost", ["irods_port"] = server.Port, ["irods_user"] = "rods", ["irods_password"] = "rods",
            ["irods_zone"] = server.Options.Zone, ["irods_project_root"] = "/tempZone/home/rods", ["irods_client_server_policy"] = "CS_NEG_REQUIRE",
        };
        var untrustedConfig = Path.Combine(folder, "untrusted.json");
        await File.WriteAllTextAsync(untrustedConfig, config.ToJsonString(), Ct);
        config["irods_ssl_ca_certificate_file"] = ca.PemFile;
        var trustedConfig = Path.Combine(folder, "trusted.json");
        await File.WriteAllTextAsync(trustedConfig, config.ToJsonString(), Ct);

        var without = await CliRun.RunAsync(folder, "irods", "ls", "ds", "--storage-config", untrustedConfig);
        var with = await CliRun.RunAsync(folder, "irods", "ls", "ds", "--json", "--storage-config", trustedConfig);

        AssertUntrusted(without);
        Assert.True(with.Exit == 0, with.Error);
        Assert.Equal("/tempZone/home/rods/ds/primary", (string?)JsonNode.Parse(with.Output)!["collections"]![0]);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Commands_NoOptionDisablesCertificateVerification()
    {
        var names = new List<string>();
        void Walk(Command command)
        {
            names.AddRange(command.Options.SelectMany(o => o.Aliases.Append(o.Name)));
            foreach (var sub in command.Subcommands)
            {
                Walk(sub);
            }
        }

        Walk(DtpCli.BuildRootCommand());

        Assert.Contains("--ca-file", names);
        Assert.DoesNotContain(names, n => n.Contains("insecure", StringComparison.OrdinalIgnoreCase) || n.Contains("verify", StringComparison.OrdinalIgnoreCase)
            || n.Contains("no-check", StringComparison.OrdinalIgnoreCase) || n is "-k");
    }

    /// <summary>An untrusted certificate is a remote failure (exit 3) whose message says the certificate is not trusted and how to trust it.</summary>
    private static void AssertUntrusted((int Exit, string Output, string Error) run)
    {
        Assert.True(run.Exit == ExitCodes.Remote, $"exit {run.Exit}: {run.Error}");
        Assert.Contains("certificate", run.Error, StringComparison.OrdinalIgnoreCase);
    }
}
