using Dtp.Sds;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Sds;

public sealed class SdsReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> TemplateVersions => new(SdsVersion.Known.Select(v => v.ToString()));

    [Theory]
    [MemberData(nameof(TemplateVersions))]
    public async Task ReadAsync_OfficialTemplateFolder_ReadsEveryFileAndDetectsVersion(string version)
    {
        var root = Requirements.Reference($"sds/templates/{version}");

        var dataset = await SdsDatasetReader.ReadAsync(root, cancellationToken: Ct);

        Assert.Equal(SdsVersion.Parse(version), dataset.Version);
        Assert.True(dataset.VersionDetected);
        Assert.DoesNotContain(dataset.Findings, f => f.Code == SdsFindingCodes.UnreadableFile);
        var expectedKinds = SdsFileKinds.All.Where(k => k != SdsFileKind.Manifest && k.InTemplate(dataset.Version)).ToHashSet();
        Assert.Equal(expectedKinds, dataset.Metadata.Keys.ToHashSet());
        Assert.NotEmpty(dataset.Manifests);
    }

    [Fact]
    public async Task ReadFileAsync_Template123DatasetDescription_ReadsElementsAndVersionFromLastRow()
    {
        var path = Requirements.Reference("sds/templates/1.2.3/dataset_description.xlsx");

        var file = (SdsElementFile)await SdsMetadataReader.ReadFileAsync(path, version: SdsVersion.V123, cancellationToken: Ct);

        Assert.Equal(SdsVersion.V123, SdsDatasetReader.DetectVersion(file));
        var version = file.Element("metadata_version")!;
        Assert.Equal("Metadata Version DO NOT CHANGE", version.Name);
        Assert.Equal(new SdsLocation("dataset_description.xlsx", "Sheet1", 21, 4), version.First!.Location);
        Assert.Equal("title", file.Elements[0].Key);
        Assert.Equal(20, file.Elements.Count);
    }

    [Fact]
    public async Task ReadFileAsync_Template302DatasetDescription_KeepsIndentationAndReadsHyperlinkFormulaText()
    {
        var path = Requirements.Reference("sds/templates/3.0.2/dataset_description.xlsx");

        var file = (SdsElementFile)await SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct);

        var orcid = file.Element("contributor_orcid")!;
        Assert.Equal("    Contributor ORCiD", orcid.Name);
        Assert.Equal(29, orcid.Row);
        Assert.Equal("3.0.2", file.Element("metadata_version")!.First!.Text);
        Assert.Equal(["SPARC"], file.Element("data_standard")!.Values.Select(v => v.Text));
    }

    [Fact]
    public async Task ReadFileAsync_Template123Subjects_SkipsDescriptionAndExampleRows()
    {
        var path = Requirements.Reference("sds/templates/1.2.3/subjects.xlsx");

        var file = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, version: SdsVersion.V123, cancellationToken: Ct);

        Assert.Empty(file.Records);
        Assert.Equal("subject_id", file.Headers[0].Key);
        Assert.Equal("protocol_url_or_doi", file.Header("protocol_url_or_doi")!.Key);
        Assert.Equal("protocol.io location", file.Header("protocol_url_or_doi")!.Text);
    }

    [Fact]
    public async Task ReadFileAsync_SparcMe123Subjects_ReadsRecordsWithCellLocations()
    {
        var path = Requirements.Reference("sds/examples/sparc-me-test-data-1.2.3/subjects.xlsx");

        var file = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, version: SdsVersion.V123, cancellationToken: Ct);

        Assert.Equal(6, file.Records.Count);
        var id = file.Records[0]["subject_id"]!;
        Assert.StartsWith("sub-", id.Text, StringComparison.Ordinal);
        Assert.Equal(1, id.Location.Column);
        Assert.Equal("A" + file.Records[0].Row.ToString(System.Globalization.CultureInfo.InvariantCulture), id.Location.Cell);
    }

    [Fact]
    public async Task ReadFileAsync_CsvWithDescriptionRow_SkipsItFor123()
    {
        var path = Requirements.Reference("sds/examples/sparc-curation-test-examples/su-pie.csv");

        var file = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, SdsFileKind.Subjects, SdsVersion.V123, cancellationToken: Ct);

        Assert.Equal(["eng-1", "bb-1"], file.Records.Take(2).Select(r => r["subject_id"]!.Text));
    }

    [Fact]
    public async Task ReadFileAsync_SubmissionCsvWithValueInColumnB_ReadsValuesFromB()
    {
        var path = Requirements.Reference("sds/examples/sparc-curation-test-examples/sm-210.csv");

        var file = (SdsElementFile)await SdsMetadataReader.ReadFileAsync(path, SdsFileKind.Submission, cancellationToken: Ct);

        Assert.Equal(2, file.ValueColumn);
        Assert.Equal("OT2ODWASTHEBEST", file.Element("award_number")!.First!.Text);
        Assert.Equal("B4", file.Element("award_number")!.First!.Location.Cell);
    }
}
