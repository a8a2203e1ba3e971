using System.Net;

namespace Dtp.Testing;

/// <summary>A tiny real HTTP server on 127.0.0.1 for tests that need a peer over the network (a fault proxy's upstream, a token service).</summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Func<HttpListenerContext, Task> answer;
    private readonly Task loop;

    private LoopbackHttpServer(Func<HttpListenerContext, Task> answer)
    {
        this.answer = answer;
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                BaseAddress = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Prefixes.Clear();
            }
        }

        loop = ServeAsync();
    }

    /// <summary>Gets <c>http://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Starts a server that answers every request through <paramref name="answer"/> (which must close the response).</summary>
    public static LoopbackHttpServer Start(Func<HttpListenerContext, Task> answer) => new(answer);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Close();
        await loop;
        stopping.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().WaitAsync(stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await answer(context);
                }
                catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
                {
                    // The client or a fault proxy cut this exchange.
                }
            });
        }
    }
}
