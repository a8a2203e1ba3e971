using System.Net;
using System.Text.Json.Nodes;
using Dtp.Gen3;
using Dtp.Testing;

namespace Dtp.Tests.Gen3;

/// <summary><see cref="Gen3Submitter"/> over HTTP against the embedded commons: files, folders, batches, errors, faults and round trips.</summary>
public sealed class Gen3SubmitterTests : IAsyncLifetime
{
    private Gen3ClientFixture fixture = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => fixture = await Gen3ClientFixture.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task SubmitRecordAsync_JsonObjectFileWithCredentialsPath_SubmitsItsContent()
    {
        var file = await WriteJsonAsync("experiment.json", Gen3ClientFixture.Experiment("dataset-1"));
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Commons.Server.CredentialsPath, fixture.SubmitterOptions());

        var result = await submitter.SubmitRecordAsync("demo", "p1", file, cancellationToken: Ct);

        Assert.True(result.Success);
        Assert.Equal(1, result.CreatedCount);
        Assert.True(Assert.Single(result.Batches).Landed);
        Assert.Equal("dataset-1", (string?)Assert.Single(await ExportAsync("experiment"))["submitter_id"]);
    }

    [Fact]
    public async Task SubmitRecordAsync_JsonArrayWithChildrenFirst_SubmitsParentsFirstAndLandsInOneBatch()
    {
        var file = await WriteJsonAsync("mixed.json", new JsonArray([.. Gen3ClientFixture.Cases(3, "dataset-1"), Gen3ClientFixture.Experiment("dataset-1")]));
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions());

        var result = await submitter.SubmitRecordAsync("demo", "p1", file, cancellationToken: Ct);

        Assert.True(result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));
        Assert.Equal(4, result.CreatedCount);
        Assert.Equal(3, (await ExportAsync("case")).Count);
    }

    [Fact]
    public async Task SubmitRecordAsync_ConverterFolderInBatchesOfOne_SubmitsEveryFileParentsFirst()
    {
        var folder = Directory.CreateDirectory(fixture.PathOf("converted")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "a_subjects.json"), new JsonArray([.. Gen3ClientFixture.Cases(2, "dataset-1")]).ToJsonString(), Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "experiment.json"), Gen3ClientFixture.Experiment("dataset-1").ToJsonString(), Ct);
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions(initialBatchSize: 1));

        var result = await submitter.SubmitRecordAsync("demo", "p1", folder, cancellationToken: Ct);

        Assert.True(result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));
        Assert.Equal(3, result.CreatedCount);
        Assert.Equal(0, result.Batches[0].Offset);
        Assert.All(result.Batches, b => Assert.True(b.Landed));
    }

    [Fact]
    public async Task SubmitRecordAsync_TsvAndCsvFiles_SubmitTheSameRecordsAsTheirJsonTwin()
    {
        await fixture.SeedAsync("dataset-1", 0, Ct);
        var header = "type\tsubmitter_id\texperiments.submitter_id\tsubject_id\tpool_id\tsubject_experimental_group\tage\tsex\tspecies\tstrain\trrid_for_strain\tage_category\talso_in_dataset\tmember_of";
        var tsv = fixture.PathOf("cases.tsv");
        await File.WriteAllTextAsync(tsv, header + "\ncase\tt-1\tdataset-1\tsub-t-1\tpool-1\tg1\t30 years\tFemale\tHomo sapiens\tC57BL/6\tRRID:IMSR_JAX:000664\tadult\tnone\tnone\n", Ct);
        var csv = fixture.PathOf("cases.csv");
        await File.WriteAllTextAsync(csv, header.Replace('\t', ',') + "\ncase,t-2,dataset-1,sub-t-2,pool-1,g1,\"30 years\",Female,Homo sapiens,C57BL/6,RRID:IMSR_JAX:000664,adult,none,none\n", Ct);
        var json = await WriteJsonAsync("cases.json", new JsonArray(Gen3ClientFixture.Case("t-3", "dataset-1")));
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions());

        var results = new[]
        {
            await submitter.SubmitRecordAsync("demo", "p1", tsv, cancellationToken: Ct),
            await submitter.SubmitRecordAsync("demo", "p1", csv, cancellationToken: Ct),
            await submitter.SubmitRecordAsync("demo", "p1", json, cancellationToken: Ct),
        };

        Assert.All(results, r => Assert.True(r.Success, string.Join("; ", r.Errors.Select(e => e.Message))));
        var cases = (await ExportAsync("case")).ToDictionary(c => (string)c["submitter_id"]!);
        Assert.Equal(3, cases.Count);
        foreach (var twin in new[] { "t-1", "t-2" })
        {
            Assert.True(JsonNode.DeepEquals(Comparable(cases["t-3"], "t-3"), Comparable(cases[twin], twin)), $"{twin} differs from its JSON twin");
        }
    }

    [Fact]
    public async Task SubmitRecordAsync_InvalidEntity_ReturnsItsErrorsAndWritesNothingOfTheBatch()
    {
        var bad = Gen3ClientFixture.Case("dataset-1-sub-bad", "dataset-1");
        bad["age"] = 42;
        var file = await WriteJsonAsync("bad.json", new JsonArray(Gen3ClientFixture.Experiment("dataset-1"), Gen3ClientFixture.Case("dataset-1-sub-ok", "dataset-1"), bad));
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions());

        var result = await submitter.SubmitRecordAsync("demo", "p1", file, cancellationToken: Ct);

        Assert.False(result.Success);
        var error = Assert.Single(result.Errors);
        Assert.Equal("dataset-1-sub-bad", error.Entity);
        Assert.Equal(["age"], error.Keys);
        Assert.Equal("42 is not of type 'string'", error.Message);
        Assert.Equal("INVALID_VALUE", error.Type);
        Assert.Equal("bad.json[2]", error.Source);
        Assert.False(Assert.Single(result.Batches).Landed);
        Assert.Empty(await ExportAsync("experiment"));
    }

    [Fact]
    public async Task SubmitRecordAsync_RejectedSecondBatch_SaysWhichBatchesLandedAndHowManyWereNotSent()
    {
        var records = new JsonArray([Gen3ClientFixture.Experiment("dataset-1"), .. Gen3ClientFixture.Cases(4, "dataset-1")]);
        records[3]!["age"] = 42;
        var file = await WriteJsonAsync("some-bad.json", records);
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions(initialBatchSize: 1, maxBatchSize: 1));

        var result = await submitter.SubmitRecordAsync("demo", "p1", file, cancellationToken: Ct);

        Assert.False(result.Success);
        Assert.Equal([true, true, true, false], result.Batches.Select(b => b.Landed));
        Assert.Equal(1, result.NotAttempted);
        Assert.Equal(3, (await ExportAsync("experiment")).Count + (await ExportAsync("case")).Count);
    }

    [Fact]
    public async Task SubmitRecordAsync_DuplicateSubmitterIds_AreReportedWithoutSendingAnything()
    {
        var file = await WriteJsonAsync("dupes.json", new JsonArray(Gen3ClientFixture.Experiment("dataset-1"), Gen3ClientFixture.Experiment("dataset-1")));
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions());

        var result = await submitter.SubmitRecordAsync("demo", "p1", file, cancellationToken: Ct);

        Assert.False(result.Success);
        Assert.Empty(result.Batches);
        var error = Assert.Single(result.Errors);
        Assert.Equal("NOT_UNIQUE", error.Type);
        Assert.Equal("dupes.json[1]", error.Source);
        Assert.Contains("dupes.json[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitRecordAsync_DryRun_ValidatesEverythingAndWritesNothing()
    {
        var file = await WriteJsonAsync("dry.json", new JsonArray([.. Gen3ClientFixture.Cases(3, "dataset-1"), Gen3ClientFixture.Experiment("dataset-1")]));
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions(initialBatchSize: 1));

        var result = await submitter.SubmitRecordAsync("demo", "p1", file, dryRun: true, cancellationToken: Ct);

        Assert.True(result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));
        Assert.True(result.DryRun);
        Assert.False(Assert.Single(result.Batches).Landed);
        Assert.Empty(await ExportAsync("experiment"));
    }

    [Fact]
    public async Task SubmitRecordAsync_UnknownProject_Throws404()
    {
        var file = await WriteJsonAsync("experiment.json", Gen3ClientFixture.Experiment("dataset-1"));
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions());

        var ex = await Assert.ThrowsAsync<Gen3ApiException>(() => submitter.SubmitRecordAsync("demo", "nope", file, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task SubmitRecordAsync_MalformedJsonFile_ThrowsLocalNamingTheFileAndLine()
    {
        var file = fixture.PathOf("broken.json");
        await File.WriteAllTextAsync(file, "[\n  {\"type\": \"experiment\",\n  \"submitter_id\": }\n]", Ct);
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions());

        var ex = await Assert.ThrowsAsync<DtpException>(() => submitter.SubmitRecordAsync("demo", "p1", file, cancellationToken: Ct));

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
        Assert.Contains("broken.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitRecordAsync_TsvWithUnclosedQuote_ThrowsLocalNamingTheFileAndLine()
    {
        var file = fixture.PathOf("broken.tsv");
        await File.WriteAllTextAsync(file, "type\tsubmitter_id\nexperiment\tok\nexperiment\t\"never closed\n", Ct);
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions());

        var ex = await Assert.ThrowsAsync<DtpException>(() => submitter.SubmitRecordAsync("demo", "p1", file, cancellationToken: Ct));

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
        Assert.Contains("broken.tsv line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitRecordAsync_GatewayRefusingBodiesOver20kB_HalvesBatchesAndStillSubmitsEverything()
    {
        await fixture.SeedAsync("dataset-1", 0, Ct);
        await using var proxy = FaultProxy.Start(new Uri(fixture.Commons.BaseUrl));
        proxy.DefaultFault = Fault.RejectBodiesOver(20_000);
        using var auth = new Auth(endpoint: proxy.BaseAddress.ToString(), accessToken: fixture.Commons.AdminToken, options: Gen3ClientFixture.AuthOptions(fixture.Home));
        var options = fixture.SubmitterOptions(initialBatchSize: 200);
        options.Dictionary = Dtp.Gen3.Dictionary.Gen3Dictionary.Sds;
        using var submitter = new Gen3Submitter(proxy.BaseAddress.ToString(), auth, options);

        var result = await submitter.SubmitRecordsAsync("demo", "p1", Gen3ClientFixture.Cases(300, "dataset-1"), cancellationToken: Ct);

        Assert.True(result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));
        Assert.Equal(300, result.CreatedCount);
        Assert.Equal(300, result.Batches.Sum(b => b.Count));
        Assert.All(result.Batches, b => Assert.InRange(b.Count, 1, 60));
        Assert.Equal(300, (await ExportAsync("case")).Count);
    }

    [Fact]
    public async Task GetDictionaryAsync_FromTheCommons_OrdersExperimentBeforeCase()
    {
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions());

        var dictionary = await submitter.GetDictionaryAsync(Ct);
        var order = Gen3Submitter.SubmissionOrder(dictionary);

        Assert.True(dictionary.TryGetNode("case", out _));
        Assert.True(order["project"] < order["experiment"]);
        Assert.True(order["experiment"] < order["case"]);
        Assert.True(order["case"] < order["sample"]);
        Assert.Same(dictionary, await submitter.GetDictionaryAsync(Ct));
    }

    [Fact]
    public async Task RoundTrip_SubmittedRecords_ComeBackEqualThroughJsonAndTsvExports()
    {
        var experiment = Gen3ClientFixture.Experiment("dataset-1");
        var cases = Gen3ClientFixture.Cases(5, "dataset-1");
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions());
        Assert.True((await submitter.SubmitRecordsAsync("demo", "p1", [experiment, .. cases], cancellationToken: Ct)).Success);
        var exporter = new Exporter(fixture.Auth);

        var json = (await exporter.ExportNodeAsync("demo", "p1", "case", Gen3ExportFormat.Json, cancellationToken: Ct)).ToDictionary(r => (string)r["submitter_id"]!);
        var tsv = (await exporter.ExportNodeAsync("demo", "p1", "case", Gen3ExportFormat.Tsv, cancellationToken: Ct)).ToDictionary(r => (string)r["submitter_id"]!);

        foreach (var submitted in cases)
        {
            var id = (string)submitted["submitter_id"]!;
            foreach (var (key, value) in submitted.Where(p => p.Key != "experiments"))
            {
                Assert.Equal((string?)value, (string?)json[id][key] ?? "");
                Assert.Equal((string?)value, (string?)tsv[id][key]);
            }

            Assert.Equal("dataset-1", (string?)json[id]["experiments"]![0]!["submitter_id"]);
            Assert.Equal("dataset-1", (string?)tsv[id]["experiments.submitter_id"]);
        }
    }

    [Fact]
    public async Task RoundTrip_TsvSavedFromAnExport_SubmitsBackAsTheSameRecords()
    {
        await fixture.SeedAsync("dataset-1", 3, Ct);
        var exporter = new Exporter(fixture.Auth);
        var exported = await exporter.ExportNodeAsync("demo", "p1", "case", Gen3ExportFormat.Json, cancellationToken: Ct);
        var file = fixture.PathOf("cases.tsv");
        await Exporter.SaveAsync(exported.Select(r => new JsonObject(r.Where(p => p.Key is not ("id" or "project_id")).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())))), Gen3ExportFormat.Tsv, file, cancellationToken: Ct);
        using var submitter = new Gen3Submitter(fixture.Commons.BaseUrl, fixture.Auth, fixture.SubmitterOptions());

        var result = await submitter.SubmitRecordAsync("demo", "p1", file, cancellationToken: Ct);

        Assert.True(result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));
        Assert.Equal(3, result.UpdatedCount);
        var again = await exporter.ExportNodeAsync("demo", "p1", "case", Gen3ExportFormat.Json, cancellationToken: Ct);
        Assert.True(JsonNode.DeepEquals(new JsonArray([.. exported.OrderBy(r => (string?)r["id"]).Select(r => r.DeepClone())]), new JsonArray([.. again.OrderBy(r => (string?)r["id"]).Select(r => r.DeepClone())])));
    }

    private static JsonObject Comparable(JsonObject record, string submitterId)
    {
        var copy = record.DeepClone().AsObject();
        foreach (var key in new[] { "id", "submitter_id", "subject_id" })
        {
            copy.Remove(key);
        }

        copy["experiments"]![0]!.AsObject().Remove("node_id");
        Assert.Equal("sub-" + submitterId, (string?)record["subject_id"]);
        return copy;
    }

    private async Task<IReadOnlyList<JsonObject>> ExportAsync(string node) =>
        await new Exporter(fixture.Auth).ExportNodeAsync("demo", "p1", node, Gen3ExportFormat.Json, cancellationToken: Ct);

    private async Task<string> WriteJsonAsync(string name, JsonNode content)
    {
        var path = fixture.PathOf(name);
        await File.WriteAllTextAsync(path, content.ToJsonString(), Ct);
        return path;
    }
}
