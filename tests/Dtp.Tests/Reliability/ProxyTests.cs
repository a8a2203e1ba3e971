using System.Diagnostics;
using System.Text.Json.Nodes;
using Dtp.Commons;
using Dtp.Testing;

namespace Dtp.Tests.Reliability;

/// <summary>
/// <c>HTTPS_PROXY</c>, <c>HTTP_PROXY</c> and <c>NO_PROXY</c> are honoured by the Gen3 and PACS HTTP clients. .NET reads them
/// once per process, so <c>dtp</c> runs as a child process with its own environment.
/// </summary>
public sealed class ProxyTests
{
    private static readonly string[] ProxyVariables = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Gen3Commands_HttpsProxySet_TunnelThroughItUnlessNoProxyNamesTheHost()
    {
        using var ca = ThrowAwayCa.Create();
        var folder = Directory.CreateTempSubdirectory("dtp-proxy-gen3-").FullName;
        await using var commons = await CommonsServer.StartAsync(new CommonsOptions { DataDirectory = folder, Port = 0, Certificate = ca.ServerCertificate }, cancellationToken: Ct);
        await using var proxy = LoopbackProxy.StartForward();
        string[] programs = ["programs", "--credentials", commons.CredentialsPath, "--ca-file", ca.PemFile];
        var port = new Uri(commons.BaseUrl).Port;

        var proxied = await RunDtpAsync(folder, new() { ["HTTPS_PROXY"] = proxy.Address.AbsoluteUri }, programs);
        var tunnels = proxy.Requests.Count;
        var bypassed = await RunDtpAsync(folder, new() { ["HTTPS_PROXY"] = proxy.Address.AbsoluteUri, ["NO_PROXY"] = "127.0.0.1" }, programs);
        var deadProxy = await RunDtpAsync(folder, new() { ["HTTPS_PROXY"] = "http://127.0.0.1:9" }, programs);

        Assert.True(proxied.Exit == 0, proxied.Error);
        Assert.Contains($"CONNECT 127.0.0.1:{port} HTTP/1.1", proxy.Requests);
        Assert.True(bypassed.Exit == 0, bypassed.Error);
        Assert.Equal(tunnels, proxy.Requests.Count);
        Assert.Equal(3, deadProxy.Exit);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task PacsCommands_HttpProxySet_SendRequestsThroughIt()
    {
        await using var pacs = LoopbackHttpServer.Start(async context =>
        {
            context.Response.ContentType = "application/dicom+json";
            await context.Response.OutputStream.WriteAsync("[]"u8.ToArray());
            context.Response.Close();
        });
        await using var proxy = LoopbackProxy.StartForward();
        var folder = Directory.CreateTempSubdirectory("dtp-proxy-pacs-").FullName;
        var config = Path.Combine(folder, "pacs.json");
        await File.WriteAllTextAsync(config, new JsonObject { ["pacs_url"] = new Uri(pacs.BaseAddress, "dicom-web/").AbsoluteUri }.ToJsonString(), Ct);

        var proxied = await RunDtpAsync(folder, new() { ["HTTP_PROXY"] = proxy.Address.AbsoluteUri }, "pacs", "studies", "--json", "--storage-config", config);

        Assert.True(proxied.Exit == 0, proxied.Error);
        Assert.Contains(proxy.Requests, r => r.StartsWith($"GET {pacs.BaseAddress.AbsoluteUri}dicom-web/studies", StringComparison.Ordinal));
        Directory.Delete(folder, recursive: true);
    }

    private static async Task<(int Exit, string Output, string Error)> RunDtpAsync(string home, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Dtp.Cli.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in ProxyVariables)
        {
            start.Environment.Remove(name);
        }

        start.Environment["HOME"] = home;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await output, await error);
    }
}
