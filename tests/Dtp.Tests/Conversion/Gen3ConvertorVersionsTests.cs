using System.Text.Json.Nodes;
using Dtp.Conversion;
using Dtp.Gen3.Dictionary;
using Dtp.Sds;

namespace Dtp.Tests.Conversion;

/// <summary>Default mode on SDS 2.1.0 and 3.0.x inputs and on code_description, performances and resources.</summary>
public sealed class Gen3ConvertorVersionsTests : IDisposable
{
    private const string Experiment = "dataset-12L_1-version-1";
    private readonly string root = Directory.CreateTempSubdirectory("dtp-convert-versions-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Source => Path.Combine(root, "sds");

    private string Output => Path.Combine(root, "out");

    public void Dispose() => Directory.Delete(root, recursive: true);

    private async Task<JsonNode> ReadOutputAsync(string file) => JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Output, file), Ct))!;

    [Theory]
    [InlineData("2.0.0")]
    [InlineData("2.1.0")]
    [InlineData("3.0.0")]
    [InlineData("3.0.1")]
    [InlineData("3.0.2")]
    public async Task Execute_Version_MapsWhatTheDictionaryHoldsAndReportsTheRest(string version)
    {
        var sds = SdsVersion.Parse(version);
        await SdsFixture.WriteAsync(Source, sds, Ct);

        var result = await new Gen3Convertor("12L", Experiment, version).ExecuteAsync(Source, Output, Ct);
        var description = await ReadOutputAsync("dataset_description.json");
        var sample = (await ReadOutputAsync("samples.json"))[0]!;
        var manifest = (await ReadOutputAsync("manifest.json"))[0]!;

        Assert.False(result.HasErrors, string.Join("\n", result.Findings));
        Assert.Equal(["Round trip"], description["title"]!.AsArray().Select(n => (string?)n));
        Assert.Equal([version], description["metadata_version"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(["Doe, Jane", "Roe, Richard"], description["contributor_name"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(2, (int)description["number_of_subjects"]![0]!);
        Assert.Equal(2, result.RecordsPerNode["case"]);
        Assert.Equal($"{Experiment}-subjects-sub-1", (string?)sample["cases"]![0]!["submitter_id"]);
        Assert.Equal("tissue", (string?)sample["sample_type"]);
        Assert.Equal("primary/sub-1/a.dcm", (string?)manifest["filename"]);
        var v3Findings = result.Findings.Where(f => f.Message.Contains("'License'", StringComparison.Ordinal)
            || f.Message.Contains("'metadata only'", StringComparison.Ordinal) || f.Message.Contains("'entity'", StringComparison.Ordinal)).ToList();
        Assert.Equal(sds.AtLeast(SdsVersion.V300) ? 3 : 0, v3Findings.Count);
        Assert.All(v3Findings, f => Assert.Contains("left out", f.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Execute_CodeDescriptionPerformancesResources_MapsWhatTheDictionaryHolds()
    {
        await SdsFixture.WriteAsync(Source, SdsVersion.V210, Ct);

        var result = await new Gen3Convertor("12L", Experiment, "2.1.0").ExecuteAsync(Source, Output, Ct);
        var code = await ReadOutputAsync("code_description.json");
        var performance = Assert.Single((await ReadOutputAsync("performances.json")).AsArray())!;
        var resources = (await ReadOutputAsync("resources.json")).AsArray();

        Assert.Equal(["experiment", "dataset_description", "case", "sample", "manifest", "code_description", "performance", "resource"], result.RecordsPerNode.Keys);
        Assert.Equal($"{Experiment}-code_description", (string?)code["submitter_id"]);
        Assert.Equal(Experiment, (string?)code["experiments"]![0]!["submitter_id"]);
        Assert.Contains(result.Findings, f => f.Node == "code_description" && f.Source?.Cell == "A2" && f.Message.Contains("'RRID Term'", StringComparison.Ordinal));
        Assert.Equal($"{Experiment}-performances-perf-1", (string?)performance["submitter_id"]);
        Assert.Contains(result.Findings, f => f.Node == "performance" && f.Message.Contains("column 'date'", StringComparison.Ordinal));
        Assert.Empty(resources);
        var refused = Assert.Single(result.Findings, f => f.Node == "resource");
        Assert.Equal(("version", "resources.xlsx"), (refused.Property, refused.Source?.File));
        Assert.Contains("1 row(s) are not converted", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Findings, f => f.Message.Contains("not converted: the dictionary holds none", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Execute_DictionaryDefiningResourceVersion_ConvertsResources()
    {
        await SdsFixture.WriteAsync(Source, SdsVersion.V210, Ct);
        var all = Gen3Dictionary.Sds.ToAllDocument();
        all["resource"]!["properties"]!.AsObject()["version"] = new JsonObject { ["type"] = "string" };
        var schema = Path.Combine(root, "dictionary.json");
        await File.WriteAllTextAsync(schema, all.ToJsonString(), Ct);
        var convertor = new Gen3Convertor("12L", Experiment, "2.1.0");
        convertor.SetSchemaDir(schema);

        var result = await convertor.ExecuteAsync(Source, Output, Ct);
        var resource = Assert.Single((await ReadOutputAsync("resources.json")).AsArray())!;

        Assert.False(result.HasErrors, string.Join("\n", result.Findings));
        Assert.Equal($"{Experiment}-resources-RRID-SCR_003070", (string?)resource["submitter_id"]);
        Assert.Equal(("RRID:SCR_003070", "https://imagej.net", "NIH", "1.54"),
            ((string?)resource["rrid"], (string?)resource["url"], (string?)resource["vendor"], (string?)resource["version"]));
    }
}
