using Dtp.Storage.Irods;
using Dtp.Testing;
using Dtp.Testing.Irods;

namespace Dtp.Tests.Irods;

public sealed class IrodsTlsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LoginAsync_ServerRequiresTls_NegotiatesTlsAndTrustsTheConfiguredCa()
    {
        using var ca = ThrowAwayCa.Create();
        await using var server = IrodsTestKit.StartServer(TlsOptions(ca));
        await using var client = new IrodsClient(TlsClientOptions(server, ca));

        await client.LoginAsync(Ct);
        var listed = await client.ListCollectionsAsync("/tempZone/home", cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(["/tempZone/home/rods"], listed);
        Assert.Contains(server.Captured, m => m.Type == "RODS_CS_NEG_T" && m.Body.Contains("cs_neg_result_kw=CS_NEG_USE_SSL;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoginAsync_ServerRequiresTlsClientRefuses_ThrowsClientNegotiationError()
    {
        using var ca = ThrowAwayCa.Create();
        await using var server = IrodsTestKit.StartServer(TlsOptions(ca));
        var options = TlsClientOptions(server, ca);
        options.ClientServerPolicy = IrodsClientServerPolicy.Refuse;
        await using var client = new IrodsClient(options);

        var ex = await Assert.ThrowsAsync<IrodsException>(() => client.LoginAsync(Ct));

        Assert.Equal(IrodsErrors.ClientNegotiationError, ex.Code);
    }

    [Fact]
    public async Task LoginAsync_CertificateFromAnotherCa_IsRejected()
    {
        using var ca = ThrowAwayCa.Create();
        using var other = ThrowAwayCa.Create();
        await using var server = IrodsTestKit.StartServer(TlsOptions(ca));
        await using var client = new IrodsClient(TlsClientOptions(server, other));

        var ex = await Assert.ThrowsAsync<DtpException>(() => client.LoginAsync(Ct));

        Assert.Equal(DtpErrorKind.Remote, ex.Kind);
        Assert.IsType<System.Security.Authentication.AuthenticationException>(ex.InnerException);
        Assert.DoesNotContain(server.Captured, m => m.IntInfo == 704);
    }

    [Fact]
    public async Task ReferenceClient_ServerRequiresTls_LogsInWithTheCaFile()
    {
        using var ca = ThrowAwayCa.Create();
        await using var server = IrodsTestKit.StartServer(TlsOptions(ca));
        var connection = IrodsTestKit.Connection(server);
        connection["host"] = "localhost";
        connection["negotiate"] = true;
        connection["policy"] = "CS_NEG_REQUIRE";
        connection["ca_file"] = ca.PemFile;

        var (exitCode, _, log) = await IrodsTestKit.RunPythonAsync("login", connection);

        Assert.True(exitCode == 0, log);
        Assert.Contains(server.Captured, m => m.Type == "RODS_CS_NEG_T" && m.Body.Contains("CS_NEG_USE_SSL", StringComparison.Ordinal));
        Assert.Contains(server.Captured, m => m.IntInfo == 704);
    }

    [Fact]
    public async Task LoginAsync_PamOverTls_LogsInWithTheIssuedPassword()
    {
        using var ca = ThrowAwayCa.Create();
        await using var server = IrodsTestKit.StartServer(TlsOptions(ca, pam: true));
        var options = TlsClientOptions(server, ca, "alice", "pam-secret");
        options.AuthenticationScheme = IrodsAuthenticationScheme.Pam;
        await using var client = new IrodsClient(options);

        await client.LoginAsync(Ct);
        var home = await client.StatAsync("/tempZone/home/alice", Ct);

        Assert.Equal(IrodsObjectKind.Collection, home?.Kind);
        Assert.Equal([725, 703, 704, 633], server.Captured.Where(m => m.Type == "RODS_API_REQ").Select(m => m.IntInfo));
    }

    [Fact]
    public async Task LoginAsync_PamWithWrongPassword_ThrowsPamAuthPasswordFailed()
    {
        using var ca = ThrowAwayCa.Create();
        await using var server = IrodsTestKit.StartServer(TlsOptions(ca, pam: true));
        var options = TlsClientOptions(server, ca, "alice", "guess");
        options.AuthenticationScheme = IrodsAuthenticationScheme.Pam;
        await using var client = new IrodsClient(options);

        var ex = await Assert.ThrowsAsync<IrodsException>(() => client.LoginAsync(Ct));

        Assert.Equal(IrodsErrors.PamAuthPasswordFailed, ex.Code);
        Assert.Contains("Authentication failed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginAsync_PamWithoutTls_RefusesToSendThePassword()
    {
        var serverOptions = new IrodsTestServerOptions();
        serverOptions.PamUsers["alice"] = "pam-secret";
        await using var server = IrodsTestKit.StartServer(serverOptions);
        var options = IrodsTestKit.ClientOptions(server, "alice", "pam-secret");
        options.AuthenticationScheme = IrodsAuthenticationScheme.Pam;
        await using var client = new IrodsClient(options);

        var ex = await Assert.ThrowsAsync<DtpException>(() => client.LoginAsync(Ct));

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
        Assert.DoesNotContain(server.Captured, m => m.Body.Contains("pam-secret", StringComparison.Ordinal));
    }

    private static IrodsTestServerOptions TlsOptions(ThrowAwayCa ca, bool pam = false)
    {
        var options = new IrodsTestServerOptions { ClientServerPolicy = "CS_NEG_REQUIRE", Certificate = ca.ServerCertificate };
        if (pam)
        {
            options.PamUsers["alice"] = "pam-secret";
        }

        return options;
    }

    private static IrodsClientOptions TlsClientOptions(IrodsTestServer server, ThrowAwayCa ca, string user = "rods", string password = "rods")
    {
        var options = IrodsTestKit.ClientOptions(server, user, password);
        options.Host = "localhost";
        options.ClientServerPolicy = IrodsClientServerPolicy.DontCare;
        options.CaCertificateFile = ca.PemFile;
        return options;
    }
}
