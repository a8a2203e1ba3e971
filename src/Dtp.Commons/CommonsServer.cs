using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Dtp.Commons.Fence;
using Dtp.Commons.Peregrine;
using Dtp.Commons.Sheepdog;
using Dtp.Gen3.Dictionary;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dtp.Commons;

/// <summary>
/// An embedded Gen3-compatible data commons: fence (tokens) under <c>/user</c>, sheepdog under <c>/api/v0/submission</c>,
/// backed by SQLite in a data folder. Start it in-process with <see cref="StartAsync"/>; <c>dtp serve</c> runs the same server.
/// </summary>
public sealed partial class CommonsServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly CommonsData data;

    private CommonsServer(WebApplication app, CommonsData data, string baseUrl)
    {
        this.app = app;
        this.data = data;
        BaseUrl = baseUrl;
    }

    /// <summary>Gets the root URL clients use, e.g. <c>http://127.0.0.1:8080</c> (no trailing slash).</summary>
    public string BaseUrl { get; }

    /// <summary>Gets the data folder.</summary>
    public string DataDirectory => data.DirectoryPath;

    /// <summary>Gets the path of the admin's Gen3 credentials file, rewritten at each start for the current base URL.</summary>
    public string CredentialsPath => Path.Combine(data.DirectoryPath, CommonsData.CredentialsFile);

    /// <summary>Gets the path of the admin's OAuth client file (<c>{"client_id", "client_secret"}</c>, for client credentials).</summary>
    public string ClientPath => Path.Combine(data.DirectoryPath, CommonsData.ClientFile);

    /// <summary>Starts a commons: opens (or creates) the data folder, listens, ensures the admin user and writes its credentials file.</summary>
    /// <param name="options">Where to keep data and listen.</param>
    /// <param name="loggerFactory">Logging for the server; none when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="IOException">The port is taken or the data folder cannot be written.</exception>
    public static async Task<CommonsServer> StartAsync(CommonsOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dictionary = options.Dictionary ?? Gen3Dictionary.Sds;
        var data = new CommonsData(options.DataDirectory, options.TimeProvider);
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(CommonsServer).Assembly.GetName().Name });
            builder.Logging.ClearProviders();
            if (loggerFactory is not null)
            {
                builder.Services.AddSingleton(loggerFactory);
            }

            var address = IPAddress.Parse(options.BindAddress);
            if (options.Certificate is not null)
            {
                builder.WebHost.UseKestrelHttpsConfiguration();
            }

            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(address, options.Port, listen =>
                {
                    if (options.Certificate is { } certificate)
                    {
                        listen.UseHttps(certificate);
                    }
                });
                kestrel.Limits.MaxRequestBodySize = 512L * 1024 * 1024;
            });
            var app = builder.Build();
            var submissions = new SubmissionService(dictionary, data.Store, options.TimeProvider);
            var sheepdog = new SheepdogApi(dictionary, data.Store, data.Users, data.Tokens, submissions, new ExportService(dictionary, data.Store));
            var fence = new FenceApi(data.Tokens, data.Users);
            var peregrine = new PeregrineApi(dictionary, data.Store, data.Users, sheepdog);
            var logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<CommonsServer>();
            app.Use(async (context, next) =>
            {
                try
                {
                    await next(context).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
                {
                    LogFailure(logger, context.Request.Method, context.Request.Path, ex);
                    await Http.MessageAsync(context, 500, "internal server error").ConfigureAwait(false);
                }
            });
            app.Map("/user/{**rest}", (RequestDelegate)(context => fence.HandleAsync(context, Rest(context))));
            app.MapPost("/api" + PeregrineApi.GraphqlPath, (RequestDelegate)peregrine.QueryAsync);
            app.MapGet("/api" + PeregrineApi.SchemaPath, (RequestDelegate)peregrine.SchemaAsync);
            app.Map("/api" + SheepdogApi.Prefix, (RequestDelegate)(context => sheepdog.HandleAsync(context, "")));
            app.Map("/api" + SheepdogApi.Prefix + "/{**rest}", (RequestDelegate)(context => sheepdog.HandleAsync(context, Rest(context))));
            app.MapGet("/api/_status", (RequestDelegate)(context => Http.TextAsync(context, 200, "text/html; charset=utf-8", "Healthy")));
            app.MapGet("/api/_version", (RequestDelegate)(context => Http.JsonAsync(context, 200, new JsonObject
            {
                ["commit"] = "",
                ["dictionary"] = new JsonObject { ["commit"] = dictionary.Commit, ["version"] = dictionary.Version },
                ["version"] = typeof(CommonsServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            })));
            await app.StartAsync(cancellationToken).ConfigureAwait(false);

            var listening = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var port = new Uri(listening).Port;
            var host = address.Equals(IPAddress.Any) ? "127.0.0.1" : address.Equals(IPAddress.IPv6Any) ? "[::1]" : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
            var scheme = options.Certificate is null ? "http" : "https";
            var server = new CommonsServer(app, data, $"{scheme}://{host}:{port}");
            await server.BootstrapAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>Stops listening (requests in flight finish first).</summary>
    /// <param name="cancellationToken">Makes the stop ungraceful.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) => app.StopAsync(cancellationToken);

    /// <summary>Stops the server and closes the database.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        data.Dispose();
    }

    private static string Rest(HttpContext context) => context.GetRouteValue("rest") as string ?? "";

    private async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        data.Store.SetMeta("base_url", BaseUrl);
        var admin = data.Users.Ensure(CommonsData.AdminName, isAdmin: true);
        await data.WriteCredentialsAsync(admin, BaseUrl, CredentialsPath, overwrite: true, cancellationToken).ConfigureAwait(false);
        if (!File.Exists(ClientPath))
        {
            var secret = data.Users.AddClient(CommonsData.AdminClientId, admin.Id);
            var json = new JsonObject { ["client_id"] = CommonsData.AdminClientId, ["client_secret"] = secret }.ToJsonString();
            await Dtp.IO.AtomicFile.WriteTextAsync(ClientPath, json, overwrite: true, UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFailure(ILogger logger, string method, string path, Exception exception);
}
