using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Commons;
using Dtp.Testing.Commons;
using Microsoft.Extensions.Time.Testing;

namespace Dtp.Tests.Commons;

public sealed class CommonsServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Put_MalformedJson_Gives400WithPythonWording()
    {
        await using var commons = await StartWithProjectAsync();
        using var http = commons.CreateClient();

        var (status, body) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", "{\"type\":", "application/json");

        Assert.Equal(400, status);
        Assert.Equal("Unable to parse json: Expecting value: line 1 column 9 (char 8)", (string?)body["message"]);
    }

    [Fact]
    public async Task Put_TsvSentAsTextPlain_IsReadAsJsonAndRejected()
    {
        await using var commons = await StartWithProjectAsync();
        using var http = commons.CreateClient();

        var (status, body) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", "type\tsubmitter_id\nexperiment\tx\n", "text/plain");

        Assert.Equal(400, status);
        Assert.Equal("Unable to parse json: Expecting value: line 1 column 1 (char 0)", (string?)body["message"]);
    }

    [Fact]
    public async Task Put_UnknownNodeType_GivesTwoTransactionalErrors()
    {
        await using var commons = await StartWithProjectAsync();
        using var http = commons.CreateClient();

        var (status, body) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", "{\"type\":\"nosuchnode\",\"submitter_id\":\"x\"}", "application/json");

        Assert.Equal(400, status);
        Assert.Equal("Transaction aborted due to 2 transactional error(s).", (string?)body["message"]);
        Assert.Equal("Unable to parse entity. Details: [400] - Node type \"nosuchnode\" not found in dictionary", (string?)body["transactional_errors"]![0]!["message"]);
        Assert.Equal("Nothing to submit", (string?)body["transactional_errors"]![1]);
    }

    [Fact]
    public async Task Put_EmptyList_NothingToSubmit()
    {
        await using var commons = await StartWithProjectAsync();
        using var http = commons.CreateClient();

        var (status, body) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", "[]", "application/json");

        Assert.Equal(400, status);
        Assert.Equal(["Nothing to submit"], body["transactional_errors"]!.AsArray().Select(e => (string?)e));
        Assert.False((bool)body["success"]!);
    }

    [Fact]
    public async Task Put_UnknownProject_Gives404()
    {
        await using var commons = await StartWithProjectAsync();
        using var http = commons.CreateClient();

        var (status, body) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/nope", "{\"type\":\"experiment\",\"submitter_id\":\"x\",\"projects\":{\"code\":\"nope\"}}", "application/json");

        Assert.Equal(404, status);
        Assert.Equal("Project nope not found", (string?)body["message"]);
    }

    [Fact]
    public async Task Put_BatchWithOneInvalidEntity_WritesNothing()
    {
        await using var commons = await StartWithProjectAsync();
        using var http = commons.CreateClient();
        var batch = new JsonArray(Experiment("e1"), Experiment("e2"), new JsonObject { ["type"] = "experiment", ["submitter_id"] = "e3", ["projects"] = new JsonObject { ["code"] = "p1" }, ["experimental_description"] = 5 });

        var (status, body) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", batch.ToJsonString(), "application/json");
        var export = await http.GetFromJsonAsync<JsonObject>("api/v0/submission/demo/p1/export?node_label=experiment&format=json", Ct);

        Assert.Equal(400, status);
        Assert.Equal(1, (int)body["entity_error_count"]!);
        Assert.Equal("5 is not of type 'string'", (string?)body["entities"]![2]!["errors"]![0]!["message"]);
        Assert.Empty(export!["data"]!.AsArray());
    }

    [Fact]
    public async Task Put_SameRecordTwice_UpdatesAndKeepsId()
    {
        await using var commons = await StartWithProjectAsync();
        using var http = commons.CreateClient();

        var (_, first) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", Experiment("e1").ToJsonString(), "application/json");
        var updated = Experiment("e1");
        updated["experimental_description"] = "changed";
        var (status, second) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", updated.ToJsonString(), "application/json");
        var entity = await http.GetFromJsonAsync<JsonObject>($"api/v0/submission/demo/p1/entities/{(string?)first["entities"]![0]!["id"]}", Ct);

        Assert.Equal(200, status);
        Assert.Equal("update", (string?)second["entities"]![0]!["action"]);
        Assert.Equal((string?)first["entities"]![0]!["id"], (string?)second["entities"]![0]!["id"]);
        Assert.Equal("changed", (string?)entity!["entities"]![0]!["properties"]!["experimental_description"]);
    }

    [Fact]
    public async Task Submit_ConcurrentBatchesToOneProject_NoRecordLostOrDuplicated()
    {
        await using var commons = await StartWithProjectAsync();
        using var http = commons.CreateClient();

        var batches = Enumerable.Range(0, 8).Select(b => new JsonArray([.. Enumerable.Range(0, 25).Select(i => (JsonNode)Experiment($"e{i}"))]));
        var responses = await Task.WhenAll(batches.Select(batch => SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", batch.ToJsonString(), "application/json")));
        var export = await http.GetFromJsonAsync<JsonObject>("api/v0/submission/demo/p1/export?node_label=experiment&format=json", Ct);

        Assert.All(responses, r => Assert.Equal(200, r.Status));
        Assert.Equal(25, responses.Sum(r => (int)r.Body["created_entity_count"]!));
        Assert.Equal(25, export!["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task Put_ReadOnlyUser_Gets403()
    {
        await using var commons = await StartWithProjectAsync();
        var token = await UserTokenAsync(commons, "reader", read: ["demo/p1"]);
        using var http = commons.CreateClient(token);

        var (status, body) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", Experiment("e1").ToJsonString(), "application/json");
        using var export = await http.GetAsync(new Uri("api/v0/submission/demo/p1/export?node_label=experiment&format=json", UriKind.Relative), Ct);

        Assert.Equal(403, status);
        Assert.Equal("You don't have access to this resource: user is unauthorized", (string?)body["message"]);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
    }

    [Fact]
    public async Task Export_UserWithoutReadAccess_Gets403()
    {
        await using var commons = await StartWithProjectAsync();
        await commons.CreateProjectAsync("demo", "p2", Ct);
        var token = await UserTokenAsync(commons, "writer", write: ["demo/p2"]);
        using var http = commons.CreateClient(token);

        var (status, body) = await SendAsync(http, HttpMethod.Get, "api/v0/submission/demo/p1/export?node_label=case&format=json", null, null);
        var (ownStatus, _) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p2", Experiment("e1", "p2").ToJsonString(), "application/json");

        Assert.Equal(403, status);
        Assert.StartsWith("You don't have access to this resource: ", (string?)body["message"], StringComparison.Ordinal);
        Assert.Equal(200, ownStatus);
    }

    [Fact]
    public async Task CreateProgram_NonAdmin_Gets403()
    {
        await using var commons = await StartWithProjectAsync();
        var token = await UserTokenAsync(commons, "writer", write: ["demo/p1"]);
        using var http = commons.CreateClient(token);

        var (status, _) = await SendAsync(http, HttpMethod.Post, "api/v0/submission/", "{\"type\":\"program\",\"name\":\"x\",\"dbgap_accession_number\":\"x\"}", "application/json");

        Assert.Equal(403, status);
    }

    [Fact]
    public async Task Get_GarbledToken_Gives401WithAuthenticationError()
    {
        await using var commons = await TestCommons.StartAsync(Ct);
        using var http = commons.CreateClient("not-a-jwt");

        var (status, body) = await SendAsync(http, HttpMethod.Get, "api/v0/submission/", null, null);

        Assert.Equal(401, status);
        Assert.StartsWith("Authentication Error: ", (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exchange_WithoutApiKey_Gives400()
    {
        await using var commons = await TestCommons.StartAsync(Ct);
        using var http = new HttpClient();

        var (status, body) = await SendAsync(http, HttpMethod.Post, commons.BaseUrl + "/user/credentials/api/access_token", "{}", "application/json");

        Assert.Equal(400, status);
        Assert.Equal("Please provide an api_key in payload", (string?)body["error"]);
    }

    [Fact]
    public async Task Exchange_KeyExpiringWithinTheHour_Gives400UnlessShorterTokenAsked()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var folder = Directory.CreateTempSubdirectory("dtp-commons-").FullName;
        try
        {
            await using var server = await CommonsServer.StartAsync(new CommonsOptions { DataDirectory = folder, Port = 0, TimeProvider = time }, cancellationToken: Ct);
            var credentials = await File.ReadAllTextAsync(server.CredentialsPath, Ct);
            time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromMinutes(30));
            using var http = new HttpClient();

            var (status, body) = await SendAsync(http, HttpMethod.Post, server.BaseUrl + "/user/credentials/cdis/access_token", credentials, "application/json");
            var (shortStatus, _) = await SendAsync(http, HttpMethod.Post, server.BaseUrl + "/user/credentials/cdis/access_token?expires_in=600", credentials, "application/json");

            Assert.Equal(400, status);
            Assert.StartsWith("Cannot issue an access token that would expire after the provided API key does", (string?)body["error"], StringComparison.Ordinal);
            Assert.Equal(200, shortStatus);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Exchange_RevokedKey_Gives401()
    {
        await using var commons = await TestCommons.StartAsync(Ct);
        using var http = commons.CreateClient();
        var (_, created) = await SendAsync(http, HttpMethod.Post, "user/credentials/api", "{}", "application/json");

        var (before, _) = await SendAsync(http, HttpMethod.Post, "user/credentials/api/access_token", created.ToJsonString(), "application/json");
        var (revoke, _) = await SendAsync(http, HttpMethod.Delete, $"user/credentials/api/{(string?)created["key_id"]}", null, null);
        var (after, body) = await SendAsync(http, HttpMethod.Post, "user/credentials/api/access_token", created.ToJsonString(), "application/json");

        Assert.Equal(200, before);
        Assert.Equal(204, revoke);
        Assert.Equal(401, after);
        Assert.NotNull((string?)body["error"]);
    }

    [Fact]
    public async Task ClientCredentials_WrongSecret_Gives401()
    {
        await using var commons = await TestCommons.StartAsync(Ct);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(commons.BaseUrl + "/user/oauth2/token?grant_type=client_credentials&scope=openid"));
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("dtp-admin:wrong")));

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["error"]);
    }

    [Fact]
    public async Task Restart_OnAnotherPort_KeepsRecordsAndAcceptsOldTokens()
    {
        var folder = Directory.CreateTempSubdirectory("dtp-commons-").FullName;
        try
        {
            string token;
            await using (var first = await CommonsServer.StartAsync(new CommonsOptions { DataDirectory = folder, Port = 0 }, cancellationToken: Ct))
            {
                token = await TestCommons.ExchangeAsync(first.BaseUrl, await File.ReadAllTextAsync(first.CredentialsPath, Ct), Ct);
                using var http = new HttpClient { BaseAddress = new Uri(first.BaseUrl + "/") };
                http.DefaultRequestHeaders.Authorization = new("bearer", token);
                await SendAsync(http, HttpMethod.Post, "api/v0/submission/", "{\"type\":\"program\",\"name\":\"demo\",\"dbgap_accession_number\":\"d\"}", "application/json");
            }

            await using var second = await CommonsServer.StartAsync(new CommonsOptions { DataDirectory = folder, Port = 0 }, cancellationToken: Ct);
            using var again = new HttpClient { BaseAddress = new Uri(second.BaseUrl + "/") };
            again.DefaultRequestHeaders.Authorization = new("bearer", token);

            var (status, body) = await SendAsync(again, HttpMethod.Get, "api/v0/submission/", null, null);

            Assert.Equal(200, status);
            Assert.Equal(["/v0/submission/demo"], body["links"]!.AsArray().Select(l => (string?)l));
            var apiKey = (string)JsonNode.Parse(await File.ReadAllTextAsync(second.CredentialsPath, Ct))!["api_key"]!;
            Assert.Contains(second.BaseUrl + "/user", Encoding.UTF8.GetString(Convert.FromBase64String(PadBase64(apiKey))), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ExportIds_TwoNodeTypes_ReturnsBothInsteadOfUpstream500()
    {
        await using var commons = await StartWithProjectAsync();
        using var http = commons.CreateClient();
        var (_, experiment) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", Experiment("e1").ToJsonString(), "application/json");
        var experimentId = (string)experiment["entities"]![0]!["id"]!;
        var (_, child) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", SdsRecords.Case("c1", "e1").ToJsonString(), "application/json");

        using var response = await http.GetAsync(new Uri($"api/v0/submission/demo/p1/export?ids={experimentId}&format=json&with_children=true", UriKind.Relative), Ct);
        var records = await response.Content.ReadFromJsonAsync<JsonArray>(Ct);

        Assert.True((bool)child["success"]!, child.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["case", "experiment"], records!.Select(r => (string?)r!["type"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Put_SecondChildOnOneToOneLink_IsInvalidLink()
    {
        await using var commons = await StartWithProjectAsync();
        using var http = commons.CreateClient();
        await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", Experiment("e1").ToJsonString(), "application/json");

        var (firstStatus, first) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", Complete("dataset_description", "dd1", "experiments", "e1").ToJsonString(), "application/json");
        var (secondStatus, second) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", Complete("dataset_description", "dd2", "experiments", "e1").ToJsonString(), "application/json");

        Assert.Equal(200, firstStatus);
        Assert.True((bool)first["success"]!);
        Assert.Equal(400, secondStatus);
        Assert.Equal("INVALID_LINK", (string?)second["entities"]![0]!["errors"]![0]!["type"]);
    }

    [Fact]
    public async Task Put_OneToOneChildOfParentWithOtherTypesChildren_IsAccepted()
    {
        await using var commons = await StartWithProjectAsync();
        using var http = commons.CreateClient();
        await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", Experiment("e1").ToJsonString(), "application/json");
        await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1", SdsRecords.Case("c1", "e1").ToJsonString(), "application/json");

        var (status, body) = await SendAsync(http, HttpMethod.Put, "api/v0/submission/demo/p1",
            new JsonArray(Complete("dataset_description", "dd1", "experiments", "e1"), Complete("manifest", "m1", "experiments", "e1")).ToJsonString(), "application/json");

        Assert.Equal(200, status);
        Assert.True((bool)body["success"]!, body.ToJsonString());
    }

    /// <summary>A record of <paramref name="type"/> with every required property set to an empty value of its schema type.</summary>
    internal static JsonObject Complete(string type, string submitterId, string link, string parent)
    {
        var node = Dtp.Gen3.Dictionary.Gen3Dictionary.Sds.Nodes[type];
        var record = new JsonObject { ["type"] = type, ["submitter_id"] = submitterId, [link] = new JsonObject { ["submitter_id"] = parent } };
        foreach (var name in node.Required.Where(r => !record.ContainsKey(r)))
        {
            var schemaType = node.Schema["properties"]![name]!["type"];
            var first = schemaType is JsonArray list ? (string?)list[0] : (string?)schemaType;
            record[name] = first switch
            {
                "array" => new JsonArray(),
                "integer" or "number" => 0,
                "boolean" => false,
                _ => "",
            };
        }

        return record;
    }

    private static async Task<TestCommons> StartWithProjectAsync()
    {
        var commons = await TestCommons.StartAsync(Ct);
        await commons.CreateProjectAsync("demo", "p1", Ct);
        return commons;
    }

    private static async Task<string> UserTokenAsync(TestCommons commons, string name, string[]? read = null, string[]? write = null)
    {
        var path = await CommonsUsers.AddAsync(commons.DataDirectory, name, read ?? [], write ?? [], admin: false, cancellationToken: Ct);
        return await TestCommons.ExchangeAsync(commons.BaseUrl, await File.ReadAllTextAsync(path, Ct), Ct);
    }

    private static JsonObject Experiment(string submitterId, string project = "p1") => SdsRecords.Experiment(submitterId, project);

    private static async Task<(int Status, JsonObject Body)> SendAsync(HttpClient http, HttpMethod method, string url, string? body, string? contentType)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.RelativeOrAbsolute));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new(contentType!);
        }

        using var response = await http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return ((int)response.StatusCode, text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? []);
    }

    private static string PadBase64(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        return payload + new string('=', (4 - (payload.Length % 4)) % 4);
    }
}
