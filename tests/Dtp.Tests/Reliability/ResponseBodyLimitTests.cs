using System.Text;
using Dtp.Gen3;
using Dtp.Testing;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Reliability;

/// <summary>Gen3 answers longer than <see cref="Gen3ClientOptions.MaxResponseBodyBytes"/>, or endless, end in a clear error naming their status once the limit is read.</summary>
public sealed class ResponseBodyLimitTests
{
    private const long Limit = 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("endless", 200)]
    [InlineData("declared", 200)]
    [InlineData("endless", 500)]
    public async Task GraphqlQueryAsync_AnswerOverTheLimit_ThrowsNamingTheUrlTheStatusAndTheLimit(string kind, int status)
    {
        var sent = 0L;
        await using var server = LoopbackHttpServer.Start(async context =>
        {
            var block = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
            context.Response.ContentType = "application/json";
            context.Response.StatusCode = status;
            if (kind == "endless")
            {
                context.Response.SendChunked = true;
            }
            else
            {
                context.Response.ContentLength64 = 10 * Limit;
            }

            while (true)
            {
                await context.Response.OutputStream.WriteAsync(block);
                Interlocked.Add(ref sent, block.Length);
            }
        });
        using var auth = new Auth(endpoint: server.BaseAddress.ToString(), accessToken: TestJwt.Create($"{server.BaseAddress}user", DateTimeOffset.UtcNow.AddHours(1)),
            options: new Gen3AuthOptions { UseTokenCache = false });
        var querier = new Querier(auth, new Gen3ClientOptions { MaxResponseBodyBytes = Limit, MaxRetryAttempts = 0 });

        var ex = await Assert.ThrowsAsync<DtpException>(() => querier.GraphqlQueryAsync("{ case { id } }", cancellationToken: Ct));

        Assert.Equal(DtpErrorKind.Remote, ex.Kind);
        Assert.Contains($"POST {server.BaseAddress}api/v0/submission/graphql", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"answered {status} ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1,048,576 bytes", ex.Message, StringComparison.Ordinal);
        Assert.InRange(Interlocked.Read(ref sent), 0, 10 * Limit);
    }
}
