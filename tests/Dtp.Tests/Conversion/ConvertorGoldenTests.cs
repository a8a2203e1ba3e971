using System.Text.Json.Nodes;
using Dtp.Cli;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Conversion;

/// <summary>Compatibility mode against the original's outputs in <c>dtp/convertor_golden/</c>, through <c>dtp convert</c>.</summary>
public sealed class ConvertorGoldenTests : IDisposable
{
    private readonly string output = Path.Combine(Path.GetTempPath(), "dtp-golden-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Theory]
    [InlineData("e5f555c_Gen3Convertor__example_sds_dataset_0dfcad5", "e5f555c", "2.0.0", "example_sds_dataset_2.0.0")]
    [InlineData("95c5155_MetadataConvertor__example_sds_dataset_0dfcad5", "95c5155", "2.0.0", "example_sds_dataset_2.0.0")]
    [InlineData("95c5155_MetadataConvertor_with_caf6a6d_mapping__example_sds_dataset_0dfcad5", "95c5155-mapping-2023-09", "2.0.0", "example_sds_dataset_2.0.0")]
    [InlineData("e5f555c_Gen3Convertor__synthetic_sds_1.2.3", "e5f555c", "1.2.3", "synthetic_sds_1.2.3")]
    [InlineData("95c5155_MetadataConvertor__synthetic_sds_1.2.3", "95c5155", "1.2.3", "synthetic_sds_1.2.3")]
    public async Task Convert_CompatVariant_WritesTheOriginalsBytes(string golden, string variant, string version, string input)
    {
        var goldenDir = Requirements.Reference("dtp/convertor_golden/" + golden);
        var inputDir = Requirements.Reference("dtp/inputs/" + input);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await DtpCli.RunAsync(
            ["convert", inputDir, output, "--project", "12L", "--experiment", "dataset-12L_1-version-1", "--version", version, "--compat", variant],
            new() { Output = stdout, Error = stderr }, TestContext.Current.CancellationToken);

        Assert.True(exit == 0, stderr.ToString());
        var expectedFiles = Directory.GetFiles(goldenDir).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(expectedFiles, Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in new[] { "experiment.json", "dataset_description.json", "subjects.json" })
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(goldenDir, name), TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(Path.Combine(output, name), TestContext.Current.CancellationToken));
        }

        Assert.Equal(await ManifestRecordsAsync(Path.Combine(goldenDir, "manifest.json")), await ManifestRecordsAsync(Path.Combine(output, "manifest.json")));
    }

    /// <summary>The manifest's records as a sorted list of their exact texts (the original's order followed filesystem enumeration).</summary>
    private static async Task<List<string>> ManifestRecordsAsync(string path)
    {
        var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        var records = JsonNode.Parse(text)!.AsArray();
        var chunks = text.Split("\n    },\n    {", StringSplitOptions.None);
        Assert.Equal(records.Count, text == "[]" ? 0 : chunks.Length);
        return [.. chunks.Select(c => c.Trim('[', ']', '\n', ' ', '{', '}')).Order(StringComparer.Ordinal)];
    }
}
