using System.Net;
using System.Text;
using Dtp.Gen3;
using Dtp.Testing;

namespace Dtp.Tests.Reliability;

/// <summary>Gen3 answers longer than <see cref="Gen3ClientOptions.MaxResponseBodyBytes"/>, or endless, end in a clear error once the limit is read.</summary>
public sealed class ResponseBodyLimitTests
{
    private const long Limit = 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("endless")]
    [InlineData("declared")]
    public async Task GraphqlQueryAsync_AnswerOverTheLimit_ThrowsNamingTheUrlAndTheLimit(string kind)
    {
        var sent = 0L;
        await using var server = LoopbackHttpServer.Start(async context =>
        {
            var block = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
            context.Response.ContentType = "application/json";
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
        using var auth = new Auth(endpoint: server.BaseAddress.ToString(), accessToken: AccessToken(server.BaseAddress), options: new Gen3AuthOptions { UseTokenCache = false });
        var querier = new Querier(auth, new Gen3ClientOptions { MaxResponseBodyBytes = Limit, MaxRetryAttempts = 0 });

        var ex = await Assert.ThrowsAsync<DtpException>(() => querier.GraphqlQueryAsync("{ case { id } }", cancellationToken: Ct));

        Assert.Equal(DtpErrorKind.Remote, ex.Kind);
        Assert.Contains($"POST {server.BaseAddress}api/v0/submission/graphql", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1,048,576 bytes", ex.Message, StringComparison.Ordinal);
        Assert.InRange(Interlocked.Read(ref sent), 0, 10 * Limit);
    }

    private static string AccessToken(Uri server)
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Part("""{"alg":"RS256","typ":"JWT"}""")}.{Part($$"""{"iss":"{{server}}user","exp":4102444800,"pur":"access","sub":"1"}""")}.c2lnbmF0dXJl";
    }
}
