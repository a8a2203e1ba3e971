using Dtp.Cli.Demo;
using Dtp.Sds;

namespace Dtp.Tests.Demo;

public sealed class ExampleDatasetTests : IDisposable
{
    private readonly string root = Path.Combine(Directory.CreateTempSubdirectory("dtp-example-").FullName, "dataset");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(root)!, recursive: true);

    [Fact]
    public async Task CreateAsync_EmptyFolder_WritesAValidDatasetWithEveryImageInTheManifest()
    {
        var files = await ExampleDataset.CreateAsync(root, Ct);

        var dataset = await SdsDatasetReader.ReadAsync(root, cancellationToken: Ct);
        var findings = SdsValidator.Validate(dataset);
        Assert.DoesNotContain(findings, f => f.Severity == SdsSeverity.Error);
        Assert.Equal(SdsVersion.V200, dataset.Version);
        Assert.Equal(ExampleDataset.Subjects * ExampleDataset.SamplesPerSubject * ExampleDataset.ImagesPerSample, files.Count);
        Assert.Equal(ExampleDataset.Subjects, dataset.Subjects!.Records.Count);
        Assert.Equal(ExampleDataset.Subjects * ExampleDataset.SamplesPerSubject, dataset.Samples!.Records.Count);
        Assert.Equal(files.Order(StringComparer.Ordinal), dataset.Manifests.Single().Records.Select(r => r["filename"]!.Text).Order(StringComparer.Ordinal));
    }
}
