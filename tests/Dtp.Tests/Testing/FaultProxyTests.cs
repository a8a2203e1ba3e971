using System.Globalization;
using System.Net;
using System.Text;
using Dtp.Testing;

namespace Dtp.Tests.Testing;

public sealed class FaultProxyTests : IAsyncLifetime
{
    private static readonly byte[] Payload = Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 31)).ToArray();

    private LoopbackHttpServer upstream = null!;
    private FaultProxy proxy = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        upstream = LoopbackHttpServer.Start(AnswerAsync);
        proxy = FaultProxy.Start(upstream.BaseAddress);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await proxy.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task Get_WithoutFault_PassesTheBodyThroughUnchanged()
    {
        using var http = NewClient();

        var body = await http.GetByteArrayAsync("data", Ct);

        Assert.Equal(Payload, body);
        Assert.Equal(["#1: pass through"], proxy.Log);
    }

    [Fact]
    public async Task Post_WithoutFault_DeliversTheWholeRequestBody()
    {
        using var http = NewClient();

        using var response = await http.PostAsync("echo", new ByteArrayContent(Payload), Ct);

        Assert.Equal(Payload.Length.ToString(CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Get_WhenTheResponseIsCut_FailsReadingTheTruncatedBody()
    {
        proxy.FailNext(Fault.CutResponseAfter(4096));
        using var http = NewClient();

        using var response = await http.GetAsync("data", HttpCompletionOption.ResponseHeadersRead, Ct);
        var stream = await response.Content.ReadAsStreamAsync(Ct);
        var received = new MemoryStream();
        await Assert.ThrowsAnyAsync<IOException>(() => stream.CopyToAsync(received, Ct));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(received.Length, 1, 4096);
        Assert.Equal(Payload.AsSpan(0, (int)received.Length).ToArray(), received.ToArray());
    }

    [Fact]
    public async Task Get_WhenTheResponseIsResetMidBody_Fails()
    {
        proxy.FailNext(Fault.ResetResponseAfter(10_000));
        using var http = NewClient();

        var ex = await Record.ExceptionAsync(() => http.GetByteArrayAsync("data", Ct));

        Assert.True(ex is HttpRequestException or IOException, $"unexpected {ex}");
    }

    [Fact]
    public async Task Post_WhenTheRequestIsCut_Fails()
    {
        proxy.FailNext(Fault.CutRequestAfter(1000));
        using var http = NewClient();

        var ex = await Record.ExceptionAsync(() => http.PostAsync("echo", new ByteArrayContent(Payload), Ct));

        Assert.True(ex is HttpRequestException or IOException, $"unexpected {ex}");
    }

    [Fact]
    public async Task Get_WhenTheConnectionIsReset_ThrowsHttpRequestException()
    {
        proxy.FailNext(Fault.Reset);
        using var http = NewClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetByteArrayAsync("data", Ct));
    }

    [Fact]
    public async Task Get_WhenEveryConnectionIsDropped_ThrowsHttpRequestException()
    {
        // HttpClient itself retries once when a fresh connection closes before any response byte: drop them all.
        proxy.DefaultFault = Fault.Drop;
        using var http = NewClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetByteArrayAsync("data", Ct));
    }

    [Fact]
    public async Task Get_WhenDelayedPastTheClientTimeout_TimesOut()
    {
        proxy.FailNext(Fault.Delayed(TimeSpan.FromSeconds(30)));
        using var http = NewClient(TimeSpan.FromMilliseconds(300));

        var ex = await Assert.ThrowsAsync<TaskCanceledException>(() => http.GetByteArrayAsync("data", Ct));

        Assert.IsType<TimeoutException>(ex.InnerException);
    }

    [Fact]
    public async Task Get_WhenDelayedBriefly_StillDeliversTheBody()
    {
        proxy.FailNext(Fault.Delayed(TimeSpan.FromMilliseconds(50)));
        using var http = NewClient();

        var body = await http.GetByteArrayAsync("data", Ct);

        Assert.Equal(Payload, body);
        Assert.Equal(["#1: delay 50 ms"], proxy.Log);
    }

    [Fact]
    public async Task Get_WhenTheServerHangs_TimesOut()
    {
        proxy.FailNext(Fault.Hang);
        using var http = NewClient(TimeSpan.FromMilliseconds(300));

        var ex = await Assert.ThrowsAsync<TaskCanceledException>(() => http.GetByteArrayAsync("data", Ct));

        Assert.IsType<TimeoutException>(ex.InnerException);
    }

    [Theory]
    [InlineData(413)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Get_WithAnHttpErrorFault_AnswersThatStatusWithAnHtmlBody(int status)
    {
        proxy.FailNext(Fault.HttpError(status));
        using var http = NewClient();

        using var response = await http.GetAsync("data", Ct);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<html>", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Null(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Get_With429Fault_AnswersWithRetryAfter()
    {
        proxy.FailNext(Fault.HttpError(429, retryAfterSeconds: 7));
        using var http = NewClient();

        using var response = await http.GetAsync("data", Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Post_WithAnHttpErrorFault_DrainsTheBodyAndAnswers()
    {
        proxy.FailNext(Fault.HttpError(413));
        using var http = NewClient();

        using var response = await http.PostAsync("echo", new ByteArrayContent(Payload), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task FailNext_AfterTheQueuedFaults_PassesConnectionsThrough()
    {
        proxy.FailNext(Fault.HttpError(503), count: 2);
        using var http = NewClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.GetAsync("data", Ct);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], statuses);
        Assert.Equal(3, proxy.ConnectionCount);
    }

    [Fact]
    public async Task DefaultFault_AppliesToEveryConnection()
    {
        proxy.DefaultFault = Fault.HttpError(502);
        using var http = NewClient();

        using var first = await http.GetAsync("data", Ct);
        using var second = await http.GetAsync("data", Ct);

        Assert.Equal((HttpStatusCode.BadGateway, HttpStatusCode.BadGateway), (first.StatusCode, second.StatusCode));
    }

    [Fact]
    public void Rewrite_KeepsPathAndQuery()
    {
        var rewritten = proxy.Rewrite(new Uri("https://pacs.example.org:8443/dicom-web/studies?PatientID=7"));

        Assert.Equal($"http://127.0.0.1:{proxy.Port}/dicom-web/studies?PatientID=7", rewritten.ToString());
    }

    private HttpClient NewClient(TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = proxy.BaseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };

    private static async Task AnswerAsync(HttpListenerContext context)
    {
        byte[] body;
        if (context.Request.HttpMethod == "POST")
        {
            var received = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(received);
            body = Encoding.ASCII.GetBytes(received.Length.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            body = Payload;
        }

        context.Response.ContentLength64 = body.Length;
        await context.Response.OutputStream.WriteAsync(body);
        context.Response.Close();
    }
}
