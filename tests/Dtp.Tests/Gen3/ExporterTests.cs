using System.Net;
using System.Text.Json.Nodes;
using Dtp.Gen3;

namespace Dtp.Tests.Gen3;

/// <summary><see cref="Exporter"/> over HTTP against the embedded commons: both formats, with and without a file.</summary>
public sealed class ExporterTests : IAsyncLifetime
{
    private Gen3ClientFixture fixture = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        fixture = await Gen3ClientFixture.StartAsync(Ct);
        await fixture.SeedAsync("dataset-1", 3, Ct);
    }

    public async ValueTask DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task ExportNodeAsync_JsonWithoutFilename_ReturnsTheRecords()
    {
        var exporter = new Exporter(fixture.Auth);

        var records = await exporter.ExportNodeAsync("demo", "p1", "case", Gen3ExportFormat.Json, cancellationToken: Ct);

        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal("case", (string?)r["type"]));
        Assert.All(records, r => Assert.Equal("30 years", (string?)r["age"]));
    }

    [Fact]
    public async Task ExportNodeAsync_TsvWithoutFilename_ReturnsRowsKeyedByColumn()
    {
        var exporter = new Exporter(fixture.Auth);

        var rows = await exporter.ExportNodeAsync("demo", "p1", "case", Gen3ExportFormat.Tsv, cancellationToken: Ct);

        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal("dataset-1", (string?)r["experiments.submitter_id"]));
        Assert.Equal(["dataset-1-sub-00001", "dataset-1-sub-00002", "dataset-1-sub-00003"], rows.Select(r => (string?)r["submitter_id"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ExportNodeAsync_JsonWithFilename_WritesSheepdogsDocumentAndReturnsTheRecords()
    {
        var exporter = new Exporter(fixture.Auth);
        var file = fixture.PathOf("case.json");

        var records = await exporter.ExportNodeAsync("demo", "p1", "case", Gen3ExportFormat.Json, file, cancellationToken: Ct);

        var written = JsonNode.Parse(await File.ReadAllTextAsync(file, Ct))!;
        Assert.Equal(3, written["data"]!.AsArray().Count);
        Assert.Equal(written["data"]!.AsArray().Select(r => (string?)r!["id"]), records.Select(r => (string?)r["id"]));
    }

    [Fact]
    public async Task ExportNodeAsync_TsvWithFilename_WritesTheTsvAndReturnsItsRows()
    {
        var exporter = new Exporter(fixture.Auth);
        var file = fixture.PathOf("case.tsv");

        var rows = await exporter.ExportNodeAsync("demo", "p1", "case", Gen3ExportFormat.Tsv, file, cancellationToken: Ct);

        var lines = await File.ReadAllLinesAsync(file, Ct);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("type\tid\tproject_id\tsubmitter_id", lines[0], StringComparison.Ordinal);
        Assert.Equal(3, rows.Count);
    }

    [Fact]
    public async Task ExportNodeAsync_ExistingFileWithoutOverwrite_ThrowsLocalAndKeepsTheFile()
    {
        var exporter = new Exporter(fixture.Auth);
        var file = fixture.PathOf("keep.json");
        await File.WriteAllTextAsync(file, "mine", Ct);

        var ex = await Assert.ThrowsAsync<DtpException>(() => exporter.ExportNodeAsync("demo", "p1", "case", Gen3ExportFormat.Json, file, cancellationToken: Ct));

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
        Assert.Equal("mine", await File.ReadAllTextAsync(file, Ct));
    }

    [Fact]
    public async Task ExportRecordAsync_JsonWithAndWithoutFilename_ReturnsTheRecordWithEveryProperty()
    {
        var exporter = new Exporter(fixture.Auth);
        var id = (string)(await exporter.ExportNodeAsync("demo", "p1", "experiment", Gen3ExportFormat.Json, cancellationToken: Ct))[0]["id"]!;
        var file = fixture.PathOf("experiment.json");

        var record = await exporter.ExportRecordAsync("demo", "p1", id, Gen3ExportFormat.Json, cancellationToken: Ct);
        var saved = await exporter.ExportRecordAsync("demo", "p1", id, Gen3ExportFormat.Json, file, cancellationToken: Ct);

        Assert.Equal("dataset-1", (string?)record["submitter_id"]);
        Assert.True(record.ContainsKey("data_description"));
        Assert.Null(record["data_description"]);
        Assert.True(JsonNode.DeepEquals(record, saved));
        Assert.IsType<JsonArray>(JsonNode.Parse(await File.ReadAllTextAsync(file, Ct)));
    }

    [Fact]
    public async Task ExportRecordAsync_TsvWithAndWithoutFilename_ReturnsItsRow()
    {
        var exporter = new Exporter(fixture.Auth);
        var id = (string)(await exporter.ExportNodeAsync("demo", "p1", "experiment", Gen3ExportFormat.Json, cancellationToken: Ct))[0]["id"]!;
        var file = fixture.PathOf("experiment.tsv");

        var row = await exporter.ExportRecordAsync("demo", "p1", id, Gen3ExportFormat.Tsv, cancellationToken: Ct);
        var saved = await exporter.ExportRecordAsync("demo", "p1", id, Gen3ExportFormat.Tsv, file, cancellationToken: Ct);

        Assert.Equal(id, (string?)row["id"]);
        Assert.Equal("None", (string?)row["data_description"]);
        Assert.True(JsonNode.DeepEquals(row, saved));
        Assert.Equal(2, (await File.ReadAllLinesAsync(file, Ct)).Length);
    }

    [Fact]
    public async Task ExportRecordAsync_UnknownId_Throws404()
    {
        var exporter = new Exporter(fixture.Auth);

        var ex = await Assert.ThrowsAsync<Gen3ApiException>(() => exporter.ExportRecordAsync("demo", "p1", "00000000-0000-0000-0000-000000000000", Gen3ExportFormat.Json, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.StartsWith("Unable to find", ex.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_Json_WritesAnArrayIndentedByFourSpaces()
    {
        var file = fixture.PathOf("saved.json");

        await Exporter.SaveAsync([new JsonObject { ["a"] = 1 }], Gen3ExportFormat.Json, file, cancellationToken: Ct);

        Assert.Equal("[\n    {\n        \"a\": 1\n    }\n]", (await File.ReadAllTextAsync(file, Ct)).ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task SaveAsync_Tsv_WritesLinkColumnsListsAndBooleansAsSheepdogDoes()
    {
        var file = fixture.PathOf("saved.tsv");
        var record = new JsonObject
        {
            ["type"] = "case",
            ["submitter_id"] = "s1",
            ["keywords"] = new JsonArray("a", "b"),
            ["flag"] = true,
            ["note"] = "tab\there",
            ["experiments"] = new JsonArray(new JsonObject { ["node_id"] = "u1", ["submitter_id"] = "e1" }),
        };

        await Exporter.SaveAsync([record], Gen3ExportFormat.Tsv, file, cancellationToken: Ct);

        var lines = await File.ReadAllLinesAsync(file, Ct);
        Assert.Equal("type\tsubmitter_id\tkeywords\tflag\tnote\texperiments.id\texperiments.submitter_id", lines[0]);
        Assert.Equal("case\ts1\ta,b\tTrue\t\"tab\there\"\tu1\te1", lines[1]);
    }
}
