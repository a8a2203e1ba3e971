using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Testing.Commons;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Commons;

/// <summary>Runs <c>dtp serve</c> as a child process (the Dtp.Cli build output, started with <c>dotnet</c>).</summary>
public sealed class ServeProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_PortZero_CurlExchangesCredentialsAndListsPrograms()
    {
        Requirements.Executable("/usr/bin/curl", "curl");
        var folder = Directory.CreateTempSubdirectory("dtp-serve-").FullName;
        try
        {
            using var serve = await ServeAsync(folder);

            var tokenJson = await RunAsync("/usr/bin/curl", "-s", "-X", "POST", "-H", "Content-Type: application/json", "-d", "@" + Path.Combine(folder, "credentials.json"), serve.BaseUrl + "/user/credentials/cdis/access_token");
            var token = (string)JsonNode.Parse(tokenJson)!["access_token"]!;
            var programs = await RunAsync("/usr/bin/curl", "-s", "-H", "Authorization: bearer " + token, serve.BaseUrl + "/api/v0/submission/");

            Assert.Equal("{\"links\":[]}", programs);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_KilledMidBatch_RestartHoldsAllOrNoneOfTheBatch()
    {
        var folder = Directory.CreateTempSubdirectory("dtp-serve-").FullName;
        try
        {
            TimeSpan batchTime;
            using (var serve = await ServeAsync(folder))
            {
                using var setup = await ClientAsync(serve.BaseUrl, folder);
                await PutAsync(setup, "api/v0/submission/", new JsonObject { ["type"] = "program", ["name"] = "demo", ["dbgap_accession_number"] = "d" }, post: true);
                await PutAsync(setup, "api/v0/submission/demo", new JsonObject { ["type"] = "project", ["code"] = "p1", ["dbgap_accession_number"] = "d", ["name"] = "p1" });
                await PutAsync(setup, "api/v0/submission/demo/p1", SdsRecords.Experiment("e1", "p1"));
                var watch = Stopwatch.StartNew();
                await PutAsync(setup, "api/v0/submission/demo/p1/_dry_run", Batch(0));
                batchTime = watch.Elapsed;
                serve.Kill();
            }

            var outcomes = new List<int>();
            var interruptedRounds = 0;
            for (var round = 1; round <= 3; round++)
            {
                using var serve = await ServeAsync(folder);
                using var http = await ClientAsync(serve.BaseUrl, folder);
                var before = await CountCasesAsync(http);
                var put = PutAsync(http, "api/v0/submission/demo/p1", Batch(round));
                await Task.Delay(batchTime * round / 2, Ct); // half, one and one and a half dry-run times: before, during and after the commit
                serve.Kill();
                var interrupted = false;
                try
                {
                    await put;
                }
                catch (HttpRequestException)
                {
                    interrupted = true;
                }

                using var again = await ServeAsync(folder);
                using var check = await ClientAsync(again.BaseUrl, folder);
                var added = await CountCasesAsync(check) - before;
                outcomes.Add(added);
                interruptedRounds += interrupted ? 1 : 0;
                again.Kill();
            }

            TestContext.Current.TestOutputHelper?.WriteLine($"records kept per killed batch of 500: {string.Join(", ", outcomes)}; {interruptedRounds} of 3 requests were cut by the kill");
            Assert.All(outcomes, added => Assert.True(added is 0 or 500, $"{added} records of a 500-record batch survived the kill"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static JsonArray Batch(int round) => new([.. Enumerable.Range(0, 500).Select(i => (JsonNode)SdsRecords.Case($"r{round}-case-{i}", "e1"))]);

    private static async Task<int> CountCasesAsync(HttpClient http)
    {
        var export = await http.GetFromJsonAsync<JsonObject>("api/v0/submission/demo/p1/export?node_label=case&format=json", Ct);
        return export!["data"]!.AsArray().Count;
    }

    private static async Task PutAsync(HttpClient http, string path, JsonNode body, bool post = false)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = post ? await http.PostAsync(new Uri(path, UriKind.Relative), content, Ct) : await http.PutAsync(new Uri(path, UriKind.Relative), content, Ct);
        response.EnsureSuccessStatusCode();
    }

    internal static async Task<HttpClient> ClientAsync(string baseUrl, string folder)
    {
        var token = await TestCommons.ExchangeAsync(baseUrl, await File.ReadAllTextAsync(Path.Combine(folder, "credentials.json"), Ct), Ct);
        var http = new HttpClient { BaseAddress = new Uri(baseUrl + "/") };
        http.DefaultRequestHeaders.Authorization = new("bearer", token);
        return http;
    }

    internal static async Task<ServeProcess> ServeAsync(string folder, params string[] extra)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Dtp.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { cli, "serve", "--port", "0", "--data", folder }.Concat(extra))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var serve = new ServeProcess(process);
        var line = await process.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct);
        if (line is null || !line.StartsWith("dtp commons listening on ", StringComparison.Ordinal))
        {
            var error = await process.StandardError.ReadToEndAsync(Ct);
            serve.Kill();
            Assert.Fail($"dtp serve did not start: {line} {error}");
        }

        serve.BaseUrl = line!["dtp commons listening on ".Length..];
        return serve;
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return output;
    }

    internal sealed class ServeProcess(Process process) : IDisposable
    {
        public string BaseUrl { get; set; } = "";

        /// <summary>SIGKILL by PID (Process.Kill on Unix), then reap.</summary>
        public void Kill()
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }
        }

        public void Dispose()
        {
            Kill();
            process.Dispose();
        }
    }
}
