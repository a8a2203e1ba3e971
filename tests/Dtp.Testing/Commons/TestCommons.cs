using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dtp.Commons;

namespace Dtp.Testing.Commons;

/// <summary>
/// An embedded commons on a free loopback port with a temporary data folder, for tests and benchmarks; an admin access
/// token is ready in <see cref="AdminToken"/>. Dispose to stop it and delete the folder.
/// </summary>
public sealed class TestCommons : IAsyncDisposable
{
    private TestCommons(CommonsServer server, string dataDirectory, string adminToken)
    {
        Server = server;
        DataDirectory = dataDirectory;
        AdminToken = adminToken;
    }

    /// <summary>Gets the running server.</summary>
    public CommonsServer Server { get; }

    /// <summary>Gets the root URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl => Server.BaseUrl;

    /// <summary>Gets the temporary data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>Gets an access token of the admin user (valid one hour).</summary>
    public string AdminToken { get; }

    /// <summary>Starts a commons in a new temporary folder.</summary>
    public static async Task<TestCommons> StartAsync(CancellationToken cancellationToken = default)
    {
        var folder = Directory.CreateTempSubdirectory("dtp-commons-").FullName;
        var server = await CommonsServer.StartAsync(new CommonsOptions { DataDirectory = folder, Port = 0 }, cancellationToken: cancellationToken);
        var token = await ExchangeAsync(server.BaseUrl, await File.ReadAllTextAsync(server.CredentialsPath, cancellationToken), cancellationToken);
        return new TestCommons(server, folder, token);
    }

    /// <summary>Exchanges a credentials file's content for an access token at a commons.</summary>
    public static async Task<string> ExchangeAsync(string baseUrl, string credentialsJson, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient();
        using var content = new StringContent(credentialsJson, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(baseUrl + "/user/credentials/cdis/access_token"), content, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        return (string)body!["access_token"]!;
    }

    /// <summary>Returns an HTTP client for the commons' root URL that sends the given token (the admin's by default).</summary>
    public HttpClient CreateClient(string? token = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", token ?? AdminToken);
        return http;
    }

    /// <summary>
    /// Returns an <see cref="Dtp.Gen3.Auth"/> for the commons with the admin's credentials file, ignoring the environment and any
    /// token cache; <paramref name="homeDirectory"/> stands in for the user's home folder.
    /// </summary>
    public Dtp.Gen3.Auth CreateAuth(string homeDirectory) => new(BaseUrl, Server.CredentialsPath,
        options: new Dtp.Gen3.Gen3AuthOptions { UseTokenCache = false, HomeDirectory = homeDirectory, GetEnvironmentVariable = _ => null });

    /// <summary>Creates program <paramref name="program"/> and project <paramref name="project"/> as the admin.</summary>
    public async Task CreateProjectAsync(string program, string project, CancellationToken cancellationToken = default)
    {
        using var http = CreateClient();
        using (var response = await http.PostAsJsonAsync("api/v0/submission/", new JsonObject { ["type"] = "program", ["name"] = program, ["dbgap_accession_number"] = program }, cancellationToken))
        {
            response.EnsureSuccessStatusCode();
        }

        using (var response = await http.PutAsJsonAsync($"api/v0/submission/{program}", new JsonObject
        {
            ["type"] = "project", ["code"] = project, ["dbgap_accession_number"] = $"{program}-{project}", ["name"] = project,
        }, cancellationToken))
        {
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Stops the server and deletes the data folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a reader being torn down; the temp folder is left behind.
        }
    }
}
