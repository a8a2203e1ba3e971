using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dtp.Conversion;
using Dtp.Sds;
using Dtp.Testing.Commons;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Conversion;

/// <summary>Default-mode output of the example datasets submitted to the embedded commons.</summary>
public sealed class ConvertorCommonsTests : IAsyncLifetime
{
    private readonly string output = Directory.CreateTempSubdirectory("dtp-convert-commons-").FullName;
    private TestCommons commons = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => commons = await TestCommons.StartAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        await commons.DisposeAsync();
        Directory.Delete(output, recursive: true);
    }

    [Theory]
    [InlineData("dtp/inputs/example_sds_dataset_2.0.0", "2.0.0", 2, 4, 18)]
    [InlineData("dtp/inputs/synthetic_sds_1.2.3", "1.2.3", 1, 0, 3)]
    [InlineData("sds/examples/digitaltwins-example-sds-2.0.0", "2.0.0", 2, 4, 18)]
    [InlineData("sds/examples/soda-test-dataset-2.1.0", "2.1.0", 5, 15, 0)]
    [InlineData("sds/examples/sparc-me-test-data-1.2.3", "1.2.3", 6, 6, 0)]
    public async Task DefaultMode_ExampleDataset_SubmitsWithoutEntityErrors(string input, string version, int cases, int samples, int files)
    {
        var source = Requirements.Reference(input);
        await commons.CreateProjectAsync("demo1", "12L", Ct);
        var result = await new Gen3Convertor("12L", "dataset-12L_1-version-1", version).ExecuteAsync(source, output, Ct);

        var errors = await SubmitAsync(result);

        Assert.Empty(errors);
        Assert.False(result.HasErrors, string.Join("\n", result.Findings));
        Assert.Equal(cases, result.RecordsPerNode["case"]);
        Assert.Equal(samples, result.RecordsPerNode["sample"]);
        Assert.Equal(files, result.RecordsPerNode["manifest"]);
    }

    [Theory]
    [MemberData(nameof(SdsFixture.Versions), MemberType = typeof(SdsFixture))]
    public async Task DefaultMode_OwnFixtureOfVersion_SubmitsWithoutEntityErrors(string version)
    {
        var source = Path.Combine(output, "source");
        await SdsFixture.WriteAsync(source, SdsVersion.Parse(version), Ct);
        await commons.CreateProjectAsync("demo1", "12L", Ct);
        var result = await new Gen3Convertor("12L", "dataset-12L_1-version-1", version).ExecuteAsync(source, Path.Combine(output, "out"), Ct);

        var errors = await SubmitAsync(result);

        Assert.Empty(errors);
        Assert.False(result.HasErrors, string.Join("\n", result.Findings));
        Assert.True(result.RecordsPerNode["case"] > 0);
    }

    /// <summary>Submits every non-empty output file of a conversion to the commons; returns the rejected files with their responses.</summary>
    private async Task<List<string>> SubmitAsync(ConversionResult result)
    {
        var errors = new List<string>();
        using var http = commons.CreateClient();
        foreach (var file in result.Files)
        {
            var content = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(result.Destination, file), Ct))!;
            if (content is JsonArray { Count: 0 })
            {
                continue;
            }

            using var response = await http.PutAsJsonAsync("api/v0/submission/demo1/12L", content, Ct);
            var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
            if (!response.IsSuccessStatusCode)
            {
                errors.Add($"{file}: {body.ToJsonString()}");
            }
        }

        return errors;
    }
}
