using System.Net;
using System.Text.Json.Nodes;
using Dtp.Commons;
using Dtp.Gen3;
using Dtp.Testing;
using Dtp.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dtp.Tests.Gen3;

/// <summary><see cref="Querier"/>'s sheepdog calls over HTTP against the embedded commons.</summary>
public sealed class QuerierTests : IAsyncLifetime
{
    private Gen3ClientFixture fixture = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => fixture = await Gen3ClientFixture.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task GetProgramsAsync_WithAProgram_ListsItsName()
    {
        var querier = new Querier(fixture.Auth);

        var programs = await querier.GetProgramsAsync(Ct);

        Assert.Equal([Gen3ClientFixture.Program], programs);
    }

    [Fact]
    public async Task GetProjectsAsync_OfAProgram_ListsProjectCodes()
    {
        await fixture.Commons.CreateProjectAsync(Gen3ClientFixture.Program, "p2", Ct);
        var querier = new Querier(fixture.Auth);

        var projects = await querier.GetProjectsAsync(Gen3ClientFixture.Program, Ct);

        Assert.Equal([Gen3ClientFixture.Project, "p2"], projects);
    }

    [Fact]
    public async Task GetProjectsAsync_UnknownProgram_Throws404WithSheepdogsMessage()
    {
        var querier = new Querier(fixture.Auth);

        var ex = await Assert.ThrowsAsync<Gen3ApiException>(() => querier.GetProjectsAsync("nope", Ct));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("program nope not found", ex.ServerMessage);
        Assert.Contains("/api/v0/submission/nope", ex.Message, StringComparison.Ordinal);
        Assert.Equal(DtpErrorKind.Remote, ex.Kind);
    }

    [Fact]
    public async Task GetProgramsAsync_LinksWithTrailingSlashes_TakesTheLastSegment()
    {
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Json(HttpStatusCode.OK, """{"links": ["/v0/submission/alpha/", "/v0/submission/beta"]}"""));
        var querier = new Querier(new HttpClient(handler) { BaseAddress = new Uri("http://gen3.test") }, NullLogger<Querier>.Instance);

        var programs = await querier.GetProgramsAsync(Ct);

        Assert.Equal(["alpha", "beta"], programs);
        Assert.Equal("http://gen3.test/api/v0/submission/", Assert.Single(handler.Requests).Uri.ToString());
    }

    [Fact]
    public async Task GetNodeRecordsAsync_AfterSubmission_ReturnsEveryRecordWithLinksByNodeId()
    {
        var seeded = await fixture.SeedAsync("dataset-1", 3, Ct);
        var querier = new Querier(fixture.Auth);

        var cases = await querier.GetNodeRecordsAsync("case", Gen3ClientFixture.Program, Gen3ClientFixture.Project, Ct);
        var experiments = await querier.GetNodeRecordsAsync("experiment", Gen3ClientFixture.Program, Gen3ClientFixture.Project, Ct);

        Assert.Equal(4, seeded.CreatedCount);
        Assert.Equal(["dataset-1-sub-00001", "dataset-1-sub-00002", "dataset-1-sub-00003"], cases.Select(c => (string?)c["submitter_id"]).Order(StringComparer.Ordinal));
        var experiment = Assert.Single(experiments);
        Assert.All(cases, c => Assert.Equal((string?)experiment["id"], (string?)c["experiments"]![0]!["node_id"]));
        Assert.All(cases, c => Assert.Equal("demo-p1", (string?)c["project_id"]));
    }

    [Fact]
    public async Task GetNodeRecordsAsync_UnknownNodeType_Throws400()
    {
        var querier = new Querier(fixture.Auth);

        var ex = await Assert.ThrowsAsync<Gen3ApiException>(() => querier.GetNodeRecordsAsync("spaceship", Gen3ClientFixture.Program, Gen3ClientFixture.Project, Ct));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("dictionary does not have node with type spaceship", ex.ServerMessage);
    }

    [Fact]
    public async Task GetNodeRecordsAsync_UnknownProject_Throws404()
    {
        var querier = new Querier(fixture.Auth);

        var ex = await Assert.ThrowsAsync<Gen3ApiException>(() => querier.GetNodeRecordsAsync("case", Gen3ClientFixture.Program, "nope", Ct));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("Project nope not found", ex.ServerMessage);
    }

    [Fact]
    public async Task GetNodeRecordsAsync_NodeNameWithQuote_IsRefusedBeforeAnyRequest()
    {
        var querier = new Querier(fixture.Auth);

        await Assert.ThrowsAsync<ArgumentException>(() => querier.GetNodeRecordsAsync("case\"&ids=x", Gen3ClientFixture.Program, Gen3ClientFixture.Project, Ct));
    }

    [Fact]
    public async Task GetProgramsAsync_WithoutToken_Throws401()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Commons.BaseUrl) };
        var querier = new Querier(http, NullLogger<Querier>.Instance);

        var ex = await Assert.ThrowsAsync<Gen3ApiException>(() => querier.GetProgramsAsync(Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.StartsWith("Authentication Error", ex.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetNodeRecordsAsync_UserWithoutReadGrant_Throws403()
    {
        await fixture.Commons.CreateProjectAsync(Gen3ClientFixture.Program, "other", Ct);
        var credentials = await CommonsUsers.AddAsync(fixture.Commons.DataDirectory, "outsider", ["demo/other"], [], admin: false, fixture.PathOf("outsider.json"), cancellationToken: Ct);
        using var auth = new Auth(refreshFile: credentials, options: Gen3ClientFixture.AuthOptions(fixture.Home));
        var querier = new Querier(auth);

        var ex = await Assert.ThrowsAsync<Gen3ApiException>(() => querier.GetNodeRecordsAsync("case", Gen3ClientFixture.Program, Gen3ClientFixture.Project, Ct));

        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.StartsWith("You don't have access to this resource", ex.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetProgramsAsync_Through502And503HtmlPages_IsRetriedAndSucceeds()
    {
        await using var proxy = FaultProxy.Start(new Uri(fixture.Commons.BaseUrl));
        proxy.FailNext(Fault.HttpError(502));
        proxy.FailNext(Fault.HttpError(503));
        using var auth = new Auth(endpoint: proxy.BaseAddress.ToString(), accessToken: fixture.Commons.AdminToken, options: Gen3ClientFixture.AuthOptions(fixture.Home));
        var querier = new Querier(auth, new Gen3ClientOptions { RetryDelay = TimeSpan.FromMilliseconds(10) });

        var programs = await querier.GetProgramsAsync(Ct);

        Assert.Equal([Gen3ClientFixture.Program], programs);
        Assert.Equal(3, proxy.ConnectionCount);
    }

    [Fact]
    public async Task GetProgramsAsync_WhenEveryAttemptGets502_ThrowsTransientWithTheStatus()
    {
        await using var proxy = FaultProxy.Start(new Uri(fixture.Commons.BaseUrl));
        proxy.DefaultFault = Fault.HttpError(502);
        using var auth = new Auth(endpoint: proxy.BaseAddress.ToString(), accessToken: fixture.Commons.AdminToken, options: Gen3ClientFixture.AuthOptions(fixture.Home));
        var querier = new Querier(auth, new Gen3ClientOptions { RetryDelay = TimeSpan.FromMilliseconds(10), MaxRetryAttempts = 2 });

        var ex = await Assert.ThrowsAsync<Gen3ApiException>(() => querier.GetProgramsAsync(Ct));

        Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode);
        Assert.True(ex.IsTransient);
        Assert.Equal(3, proxy.ConnectionCount);
        Assert.DoesNotContain("<html>", ex.Message, StringComparison.Ordinal);
    }
}
