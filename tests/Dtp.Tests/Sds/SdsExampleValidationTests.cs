using Dtp.Sds;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Sds;

/// <summary>Acceptance: every example of the reference pack gives the findings a curator expects, cell by cell.</summary>
public sealed class SdsExampleValidationTests
{
    private const string Fixtures = "sds/examples/sparc-curation-test-examples/";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Line(SdsFinding f) =>
        $"{(f.Severity == SdsSeverity.Error ? "error" : "warning")} {f.Location.File} {f.Location.Cell ?? "-"} {f.Code}";

    private static async Task<string[]> ValidateDatasetAsync(string relative)
    {
        var dataset = await SdsDatasetReader.ReadAsync(Requirements.Reference(relative), cancellationToken: Ct);
        return SdsValidator.Validate(dataset).Select(Line).ToArray();
    }

    private static async Task<string[]> ValidateFixtureAsync(string name, SdsFileKind kind, SdsVersion version)
    {
        var file = await SdsMetadataReader.ReadFileAsync(Requirements.Reference(Fixtures + name), kind, version, cancellationToken: Ct);
        return SdsValidator.ValidateFile(file, version).Select(Line).ToArray();
    }

    [Fact]
    public async Task Validate_DigitalTwins200_ReportsReusedSampleIdsTimestampsMissingFilesAndSubmission()
    {
        var findings = await ValidateDatasetAsync("sds/examples/digitaltwins-example-sds-2.0.0");

        string[] expected =
        [
            "error dataset_description.xlsx F25 invalid-value",   // relation type 'Not Defined'
            "error submission.xlsx C2 missing-value",            // SPARC Award number
            "error submission.xlsx C3 missing-value",            // Milestone achieved
            "error submission.xlsx C4 missing-value",            // Milestone completion date
            "error samples.xlsx A4 duplicate",                   // sam-1 reused by sub-2 (invalid from 2.0)
            "error samples.xlsx A5 duplicate",                   // sam-2 reused by sub-2
            .. Enumerable.Range(2, 18).Select(row => $"error manifest.xlsx B{row} invalid-value"),   // '2023-09-19 23:09:24', no offset
            "error dataset_description.xlsx D30 count",          // Number of samples 4, two distinct sample ids
            .. Enumerable.Range(2, 18).Select(row => $"error manifest.xlsx A{row} manifest"),        // DICOM files omitted from the pack
        ];
        Assert.Equal(expected, findings);
    }

    [Fact]
    public async Task Validate_Soda210_ReportsMissingCorrespondingAuthorSpeciesAndManifests()
    {
        var findings = await ValidateDatasetAsync("sds/examples/soda-test-dataset-2.1.0");

        string[] expected =
        [
            "error dataset_description.xlsx D22 missing-value",  // no CorrespondingAuthor among the roles
            "error submission.xlsx D5 layout",                   // three milestones in one row
            "error subjects.xlsx F2 missing-value",              // species empty for all five subjects
            "error subjects.xlsx F3 missing-value",
            "error subjects.xlsx F4 missing-value",
            "error subjects.xlsx F5 missing-value",
            "error subjects.xlsx F6 missing-value",
            "warning derivative/ - manifest",                    // no manifests at all
            "warning docs/ - manifest",
            "warning primary/ - manifest",
        ];
        Assert.Equal(expected, findings);
    }

    [Fact]
    public async Task Validate_SparcMe123_ReportsMisspeltRoleAndMissingSubmission()
    {
        var findings = await ValidateDatasetAsync("sds/examples/sparc-me-test-data-1.2.3");

        Assert.Equal(["warning dataset_description.xlsx H8 invalid-value", "error submission.xlsx - missing-file"], findings);
    }

    [Fact]
    public async Task Validate_Synthetic123_ReportsTemplateFoldersWithoutRowsAndManifestProblems()
    {
        var findings = await ValidateDatasetAsync("dtp/inputs/synthetic_sds_1.2.3");

        string[] expected =
        [
            "error submission.xlsx C2 missing-value",
            "error submission.xlsx C3 missing-value",
            "error submission.xlsx C4 missing-value",
            "error code/manifest.xlsx B2 invalid-value",         // '2023-09-01 10:00:02': neither date nor ISO timestamp
            "error primary/sub-1/sam-2/manifest.xlsx B2 invalid-value",
            "error primary/sub-1/sam-2/manifest.xlsx B3 invalid-value",
            "error dataset_description.xlsx D17 count",          // 1 sample declared; samples.xlsx holds only the template example row
            "error primary/pool-1/ - structure",
            "error primary/pool-2/ - structure",
            "error primary/sub-1/sam-1/ - structure",
            "error primary/sub-1/sam-2/ - structure",
            "error primary/sub-1/sam-3/ - structure",
            "error primary/sub-1/sam-3/sam-4/ - structure",
            "error primary/sub-1/sam-3/sam-5/ - structure",
            "error primary/sub-2/ - structure",
            "error primary/sub-2/perf-1/sam-1/ - structure",
            "error primary/sub-2/perf-1/sam-2/ - structure",
            "error primary/sub-2/perf-2/sam-1/ - structure",
            "error primary/sub-2/perf-2/sam-2/ - structure",
            "error primary/sub-3/ - structure",
            "error code/manifest.xlsx A2 manifest",              // ./run.py absent
            "error primary/sub-1/sam-2/manifest.xlsx A2 manifest",
            "error primary/sub-1/sam-2/manifest.xlsx A3 manifest",
            "warning code/README - manifest",
            "warning docs/README - manifest",
            "warning primary/README - manifest",
            "warning primary/pool-1/plog.xlsx - manifest",
            "warning primary/sub-1/sam-1/plog.xlsx - manifest",
            "warning primary/sub-2/perf-1/plog.xlsx - manifest",
            "warning primary/sub-2/plog.xlsx - manifest",
            "warning protocol/README - manifest",
            "warning derivative/ - manifest",
            "warning source/ - manifest",
        ];
        Assert.Equal(expected, findings);
    }

    [Fact]
    public async Task Validate_DatasetBad_ReportsTopLevelEntityFoldersEmptyManifestsAndNoDescription()
    {
        var findings = await ValidateDatasetAsync(Fixtures + "dataset-bad");

        string[] expected =
        [
            "error perf-oops-top/manifest.csv - unreadable-file",
            "error samp-oops-im-at-the-top-level/manifest.json - unreadable-file",
            "error sub-oop-top-level/manifest.xlsx - unreadable-file",
            "error dataset_description.xlsx - missing-file",
            "warning submission.xlsx - missing-file",
            "warning README.md - missing-file",
            "error perf-oops-top/ - structure",
            "error samp-oops-im-at-the-top-level/ - structure",
            "error sub-oop-top-level/ - structure",
        ];
        Assert.Equal(expected, findings);
    }

    [Fact]
    public async Task ValidateFile_SubmissionMultiRowErrorNoValues_ReportsRepeatedRowsAndMissingValues() =>
        Assert.Equal(
            [
                "error submission-multi-row-error-no-values.csv A5 duplicate",
                "error submission-multi-row-error-no-values.csv A6 duplicate",
                "error submission-multi-row-error-no-values.csv A7 duplicate",
                "error submission-multi-row-error-no-values.csv A8 duplicate",
                "error submission-multi-row-error-no-values.csv C2 missing-value",
                "error submission-multi-row-error-no-values.csv C3 missing-value",
                "error submission-multi-row-error-no-values.csv C4 missing-value",
            ],
            await ValidateFixtureAsync("submission-multi-row-error-no-values.csv", SdsFileKind.Submission, SdsVersion.V123));

    [Fact]
    public async Task ValidateFile_SubmissionMultiColumnExtraRow_ReportsNamelessRowExtraColumnsAndBadDate() =>
        Assert.Equal(
            [
                "error submission-multi-column-extra-row.csv A5 layout",
                "error submission-multi-column-extra-row.csv D3 layout",
                "error submission-multi-column-extra-row.csv D4 layout",
                "error submission-multi-column-extra-row.csv C4 invalid-value",
            ],
            await ValidateFixtureAsync("submission-multi-column-extra-row.csv", SdsFileKind.Submission, SdsVersion.V123));

    [Fact]
    public async Task ValidateFile_SubmissionDataInDefinition_ReportsEmptyValueColumn() =>
        Assert.Equal(
            [
                "error submission-data-in-definition.csv C2 missing-value",
                "error submission-data-in-definition.csv C3 missing-value",
                "error submission-data-in-definition.csv C4 missing-value",
            ],
            await ValidateFixtureAsync("submission-data-in-definition.csv", SdsFileKind.Submission, SdsVersion.V123));

    [Fact]
    public async Task ValidateFile_SubmissionMatchedAltHeader_FindsValueColumnCAndReportsItEmpty() =>
        Assert.Equal(
            [
                "error submission-matched-alt-header.csv C2 missing-value",
                "error submission-matched-alt-header.csv C3 missing-value",
                "error submission-matched-alt-header.csv C4 missing-value",
            ],
            await ValidateFixtureAsync("submission-matched-alt-header.csv", SdsFileKind.Submission, SdsVersion.V123));

    [Fact]
    public async Task ValidateFile_Sm210SparcNa_RejectsNotApplicableForSparcFunding() =>
        Assert.Equal(
            ["error sm-210-sparc-na.csv B4 invalid-value", "error sm-210-sparc-na.csv B5 invalid-value", "error sm-210-sparc-na.csv B6 invalid-value"],
            await ValidateFixtureAsync("sm-210-sparc-na.csv", SdsFileKind.Submission, SdsVersion.V210));

    [Fact]
    public async Task ValidateFile_SmOt_ReportsCompletionDateThatIsNotADate() =>
        Assert.Equal(["error sm-ot.csv C4 invalid-value"], await ValidateFixtureAsync("sm-ot.csv", SdsFileKind.Submission, SdsVersion.V123));

    [Theory]
    [InlineData("sm-210.csv")]
    [InlineData("sm-210-sparc-award.csv")]
    [InlineData("sm-210-ext-award.csv")]
    [InlineData("sm-210-ext-blank.csv")]
    [InlineData("sm-210-ext-na.csv")]
    [InlineData("sm-reva.csv")]
    public async Task ValidateFile_GoodSubmission210_HasNoFinding(string name) =>
        Assert.Empty(await ValidateFixtureAsync(name, SdsFileKind.Submission, SdsVersion.V210));

    [Fact]
    public async Task ValidateFile_SuCry_ReportsSingleCharacterIdsAndMissingSpeciesColumn()
    {
        var findings = await ValidateFixtureAsync("su-cry.csv", SdsFileKind.Subjects, SdsVersion.V123);

        string[] expected = [.. Enumerable.Range(2, 8).Select(row => $"error su-cry.csv A{row} invalid-id"), "error su-cry.csv 1 missing-value"];
        Assert.Equal(expected, findings);
    }

    [Fact]
    public async Task ValidateFile_SuPie_HasNoFindingAfterSkippingDescriptionAndExampleRows() =>
        Assert.Empty(await ValidateFixtureAsync("su-pie.csv", SdsFileKind.Subjects, SdsVersion.V123));

    [Fact]
    public async Task ValidateFile_SaPie_HasNoFinding() =>
        Assert.Empty(await ValidateFixtureAsync("sa-pie.csv", SdsFileKind.Samples, SdsVersion.V123));

    [Fact]
    public async Task ValidateFile_SiPie_HasNoFinding() =>
        Assert.Empty(await ValidateFixtureAsync("si-pie.csv", SdsFileKind.Sites, SdsVersion.V302));

    [Fact]
    public async Task ValidateFile_CuPie_HasNoFinding() =>
        Assert.Empty(await ValidateFixtureAsync("cu-pie.csv", SdsFileKind.Curation, SdsVersion.V302));

    [Fact]
    public async Task ValidateFile_DdPie_ReportsNoContactPersonAndOddNamesAndRoles() =>
        Assert.Equal(
            [
                "warning dd-pie.csv D5 invalid-value",   // 'Scientist 1' is not 'Last, First'
                "warning dd-pie.csv E5 invalid-value",   // 'Man with no name'
                "warning dd-pie.csv D8 invalid-value",   // role 'Priest'
                "warning dd-pie.csv E8 invalid-value",   // role 'WHY DO YOU HAVE A TRAILING COMMA!??!'
                "error dd-pie.csv D9 missing-value",     // both contributors 'Is Contact Person' = No
            ],
            await ValidateFixtureAsync("dd-pie.csv", SdsFileKind.DatasetDescription, SdsVersion.V123));

    [Fact]
    public async Task ValidateFile_DdNoSubNoSamp_ReportsNoContactPersonButAcceptsZeroCounts() =>
        Assert.Equal(
            ["warning dd-no-sub-no-samp.csv D5 invalid-value", "warning dd-no-sub-no-samp.csv D8 invalid-value", "error dd-no-sub-no-samp.csv D9 missing-value"],
            await ValidateFixtureAsync("dd-no-sub-no-samp.csv", SdsFileKind.DatasetDescription, SdsVersion.V123));

    [Fact]
    public async Task ValidateFile_AbiScaffoldManifest_ReportsShiftedColumnAsBadTimestamp() =>
        Assert.Equal(["error abi-scaffold.csv B2 invalid-value"], await ValidateFixtureAsync("manifest/abi-scaffold.csv", SdsFileKind.Manifest, SdsVersion.V210));
}
