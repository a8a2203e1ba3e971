using Dtp.Storage.Irods;

namespace Dtp.Tests.Irods;

public sealed class IrodsLoginTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LoginAsync_WithRightPassword_ReturnsServerRelease()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));

        var release = await client.LoginAsync(Ct);

        Assert.Equal("rods4.3.4", release);
    }

    [Fact]
    public async Task LoginAsync_WithWrongPassword_ThrowsCatInvalidAuthentication()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server, password: "Secret-42"));

        var ex = await Assert.ThrowsAsync<IrodsException>(() => client.LoginAsync(Ct));

        Assert.Equal(IrodsErrors.CatInvalidAuthentication, ex.Code);
        Assert.Equal("CAT_INVALID_AUTHENTICATION", ex.ErrorName);
        Assert.Contains("Authentication failed", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret-42", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginAsync_WithUnknownUser_ThrowsCatInvalidUser()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server, user: "nobody"));

        var ex = await Assert.ThrowsAsync<IrodsException>(() => client.LoginAsync(Ct));

        Assert.Equal(IrodsErrors.CatInvalidUser, ex.Code);
    }

    [Fact]
    public async Task ReferenceClient_WithRightPassword_LogsIn()
    {
        await using var server = IrodsTestKit.StartServer();

        var (exitCode, output, log) = await IrodsTestKit.RunPythonAsync("login", IrodsTestKit.Connection(server));

        Assert.True(exitCode == 0, log);
        Assert.Equal("/tempZone/home/rods", (string?)output?["home"]);
    }

    [Fact]
    public async Task ReferenceClient_WithWrongPassword_RaisesCatInvalidAuthentication()
    {
        await using var server = IrodsTestKit.StartServer();

        var (exitCode, output, log) = await IrodsTestKit.RunPythonAsync("login", IrodsTestKit.Connection(server, password: "wrong"));

        Assert.True(exitCode == 1, log);
        Assert.Equal("CAT_INVALID_AUTHENTICATION", (string?)output?["error"]);
    }

    [Fact]
    public async Task ReferenceClient_WithNegotiationRequested_LogsInOverTcp()
    {
        await using var server = IrodsTestKit.StartServer();
        var connection = IrodsTestKit.Connection(server);
        connection["negotiate"] = true;

        var (exitCode, _, log) = await IrodsTestKit.RunPythonAsync("login", connection);

        Assert.True(exitCode == 0, log);
        Assert.Contains(server.Captured, m => m.Type == "RODS_CS_NEG_T" && m.Body.Contains("CS_NEG_USE_TCP", StringComparison.Ordinal));
    }
}
