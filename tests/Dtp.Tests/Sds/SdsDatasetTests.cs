using System.Text;
using Dtp.Sds;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Dtp.Tests.Sds;

public sealed class SdsDatasetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dtp-sds-dataset-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Versions => new(SdsVersion.Known.Select(v => v.ToString()));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A 3.0.2 computational dataset with every required value filled.</summary>
    internal static async Task<string> CreateValidDatasetAsync(string root)
    {
        await SdsDatasetCreator.CreateAsync(root, SdsVersion.V302, cancellationToken: Ct);
        await SdsMetadataWriter.WriteElementsAsync(Path.Combine(root, "dataset_description.xlsx"), SdsFileKind.DatasetDescription, SdsVersion.V302,
            new Dictionary<string, IReadOnlyList<string>>
            {
                ["type"] = ["computational"],
                ["title"] = ["A heart model"],
                ["description"] = ["Simulated electrophysiology."],
                ["keywords"] = ["heart", "model"],
                ["contributor name"] = ["Doe, Jane"],
                ["contributor orcid"] = ["https://orcid.org/0000-0002-5497-0243"],
                ["contributor role"] = ["CorrespondingAuthor"],
                ["study purpose"] = ["p"],
                ["study data collection"] = ["c"],
                ["study primary conclusion"] = ["c"],
                ["study organ system"] = ["heart"],
                ["study approach"] = ["modelling"],
                ["study technique"] = ["simulation"],
            }, overwrite: true, Ct);
        await SdsMetadataWriter.WriteElementsAsync(Path.Combine(root, "submission.xlsx"), SdsFileKind.Submission, SdsVersion.V302,
            new Dictionary<string, IReadOnlyList<string>> { ["Consortium data standard"] = ["SPARC"], ["Funding consortium"] = ["EXTERNAL"] }, overwrite: true, Ct);
        return root;
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task CreateAsync_EachVersion_ValidatesWithOnlyMissingValueFindings(string version)
    {
        var root = Path.Combine(_folder, version);

        await SdsDatasetCreator.CreateAsync(root, SdsVersion.Parse(version), cancellationToken: Ct);
        var dataset = await SdsDatasetReader.ReadAsync(root, cancellationToken: Ct);
        var findings = SdsValidator.Validate(dataset);

        Assert.Equal(SdsVersion.Parse(version), dataset.Version);
        Assert.True(dataset.VersionDetected);
        Assert.All(findings, f => Assert.Equal(SdsFindingCodes.MissingValue, f.Code));
        var errors = findings.Where(f => f.Severity == SdsSeverity.Error).Select(f => f.Location.File + " " + f.Location.Cell).ToList();
        var description = version == "1.2.3" ? new[] { "D2", "D3", "D5", "D16", "D17" } // Name, Description, Contributors, counts
            : version.StartsWith('2') ? ["D5", "D19", "D29", "D30"]                       // Title, Contributor name, counts
            : ["D8", "D10", "D28", "D38", "D39"];                                         // Title, Description, Contributor name, counts
        var submission = version.StartsWith('1') || version == "2.0.0" ? new[] { "C2", "C3", "C4" } : ["C2", "C3", "C4", "C5", "C6"];
        string[] expected = [.. description.Select(c => "dataset_description.xlsx " + c), .. submission.Select(c => "submission.xlsx " + c)];
        Assert.Equal(expected.Order(StringComparer.Ordinal), errors.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CreateAsync_Version300_UsesAuxFolderAnd302UsesAuxiliary()
    {
        await SdsDatasetCreator.CreateAsync(Path.Combine(_folder, "a"), SdsVersion.V300, cancellationToken: Ct);
        await SdsDatasetCreator.CreateAsync(Path.Combine(_folder, "b"), SdsVersion.V302, cancellationToken: Ct);

        Assert.True(Directory.Exists(Path.Combine(_folder, "a", "aux")));
        Assert.True(Directory.Exists(Path.Combine(_folder, "b", "auxiliary")));
        Assert.Equal("(sds 3.0.1)", (await File.ReadAllTextAsync(Path.Combine(_folder, "b", ".dss"), Ct)).Trim());
    }

    [Fact]
    public async Task CreateAsync_NonEmptyFolderWithoutOverwrite_Throws()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "x.txt"), "x", Ct);

        await Assert.ThrowsAsync<DtpException>(() => SdsDatasetCreator.CreateAsync(_folder, SdsVersion.V302, cancellationToken: Ct));
    }

    [Fact]
    public async Task Validate_FilledComputationalDataset_HasNoFinding()
    {
        var root = await CreateValidDatasetAsync(Path.Combine(_folder, "valid"));

        var findings = SdsValidator.Validate(await SdsDatasetReader.ReadAsync(root, cancellationToken: Ct));

        Assert.Empty(findings);
    }

    [Fact]
    public async Task Validate_ExperimentalProfileOnComputationalDataset_RequiresCounts()
    {
        var root = await CreateValidDatasetAsync(Path.Combine(_folder, "valid"));

        var findings = SdsValidator.Validate(await SdsDatasetReader.ReadAsync(root, cancellationToken: Ct), new SdsValidationOptions { Profile = SdsProfile.Experimental });

        Assert.Equal(["dataset_description.xlsx D38", "dataset_description.xlsx D39"], findings.Select(f => f.Location.File + " " + f.Location.Cell));
    }

    [Fact]
    public async Task Validate_EntityFoldersAndSampleRows_ChecksIdsRowsAndUniqueness()
    {
        var root = await CreateValidDatasetAsync(Path.Combine(_folder, "d"));
        await SdsMetadataWriter.WriteTableAsync(Path.Combine(root, "subjects.xlsx"), SdsFileKind.Subjects, SdsVersion.V302,
            [Row(("subject id", "sub-1"), ("species", "Rattus norvegicus")), Row(("subject id", "sub_2"), ("species", "rat"))], overwrite: true, Ct);
        await SdsMetadataWriter.WriteTableAsync(Path.Combine(root, "samples.csv"), SdsFileKind.Samples, SdsVersion.V302,
            [Row(("sample id", "sam-1"), ("subject id", "sub-1")), Row(("sample id", "sam-1"), ("subject id", "sub-9")), Row(("sample id", "sam-2"))], cancellationToken: Ct);
        File.Delete(Path.Combine(root, "samples.xlsx"));
        Directory.CreateDirectory(Path.Combine(root, "primary", "sub-1", "sam-1"));
        Directory.CreateDirectory(Path.Combine(root, "primary", "sub-3"));
        Directory.CreateDirectory(Path.Combine(root, "primary", "sub-1", "scans"));

        var findings = SdsValidator.Validate(await SdsDatasetReader.ReadAsync(root, cancellationToken: Ct))
            .Select(f => $"{f.Severity} {f.Location.File} {f.Location.Cell ?? "-"} {f.Code}");

        Assert.Equal(
            [
                "Error subjects.xlsx A3 invalid-id",         // sub_2
                "Error samples.csv A3 duplicate",            // sam-1 again
                "Error samples.csv B4 missing-value",        // neither subject id nor was derived from
                "Error samples.csv B3 structure",            // sub-9 is not a subject
                "Error primary/sub-3/ - structure",          // no row in subjects
            ],
            findings);
    }

    [Fact]
    public async Task Validate_Version3PathRules_ReportsBadCharactersDeviceNamesAndOsFiles()
    {
        var root = await CreateValidDatasetAsync(Path.Combine(_folder, "p"));
        await File.WriteAllTextAsync(Path.Combine(root, "docs", "notes#1.txt"), "x", Ct);
        await File.WriteAllTextAsync(Path.Combine(root, "docs", "CON.txt"), "x", Ct);
        await File.WriteAllTextAsync(Path.Combine(root, "docs", "Thumbs.db"), "x", Ct);
        await File.WriteAllTextAsync(Path.Combine(root, "docs", "archive.tar.gz"), "x", Ct);
        await SdsManifestGenerator.UpdateAsync(root, cancellationToken: Ct);

        var findings = SdsValidator.Validate(await SdsDatasetReader.ReadAsync(root, cancellationToken: Ct))
            .Where(f => f.Code == SdsFindingCodes.PathName).Select(f => $"{f.Severity} {f.Location.File}");

        Assert.Equal(["Error docs/CON.txt", "Error docs/Thumbs.db", "Warning docs/archive.tar.gz", "Error docs/notes#1.txt"], findings);
    }

    [Fact]
    public async Task UpdateAsync_NewFiles_ListsThemAndKeepsDescriptionsOnUpdate()
    {
        var root = await CreateValidDatasetAsync(Path.Combine(_folder, "m"));
        Directory.CreateDirectory(Path.Combine(root, "primary", "scans"));
        await File.WriteAllTextAsync(Path.Combine(root, "primary", "scans", "a.nii"), "a", Ct);
        await File.WriteAllTextAsync(Path.Combine(root, "code", "run.py"), "print()", Ct);

        var first = await SdsManifestGenerator.UpdateAsync(root, cancellationToken: Ct);
        var manifest = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(Path.Combine(root, "manifest.xlsx"), cancellationToken: Ct);
        await SdsMetadataWriter.WriteTableAsync(Path.Combine(root, "manifest.xlsx"), SdsFileKind.Manifest, SdsVersion.V302,
            manifest.Records.Select(r => Row(("filename", r["filename"]!.Text), ("description", "kept " + r["filename"]!.Text))).ToList(), overwrite: true, Ct);
        File.Delete(Path.Combine(root, "code", "run.py"));
        await File.WriteAllTextAsync(Path.Combine(root, "primary", "scans", "b.nii"), "b", Ct);
        var second = await SdsManifestGenerator.UpdateAsync(root, cancellationToken: Ct);
        var updated = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(Path.Combine(root, "manifest.xlsx"), cancellationToken: Ct);
        var findings = SdsValidator.Validate(await SdsDatasetReader.ReadAsync(root, cancellationToken: Ct));

        Assert.Equal(["manifest.xlsx"], first.Written);
        Assert.Equal((2, 0), (first.Added, first.Removed));
        Assert.Equal(["code/run.py", "primary/scans/a.nii"], manifest.Records.Select(r => r["filename"]!.Text));
        Assert.Equal(".nii", manifest.Records[1]["file_type"]!.Text);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(,\d+)?\+00:00$", manifest.Records[1]["timestamp"]!.Text);
        Assert.Equal((1, 1), (second.Added, second.Removed));
        Assert.Equal(["primary/scans/a.nii", "primary/scans/b.nii"], updated.Records.Select(r => r["filename"]!.Text));
        Assert.Equal("kept primary/scans/a.nii", updated.Records[0]["description"]!.Text);
        Assert.NotNull(updated.Records[0]["timestamp"]);
        Assert.Empty(findings);
    }

    [Fact]
    public async Task ReadFileAsync_NotAZipXlsx_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_folder, "subjects.xlsx");
        await File.WriteAllTextAsync(path, "subject id,species\nsub-1,rat\n", Ct);

        var ex = await Assert.ThrowsAsync<SdsFormatException>(() => SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct));

        Assert.Contains("subjects.xlsx is not a valid .xlsx workbook", ex.Message, StringComparison.Ordinal);
        Assert.Equal(DtpErrorKind.Local, ex.Kind);
    }

    [Fact]
    public async Task ReadFileAsync_EmptyFile_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_folder, "samples.csv");
        await File.WriteAllBytesAsync(path, [], Ct);

        var ex = await Assert.ThrowsAsync<SdsFormatException>(() => SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct));

        Assert.Equal("samples.csv is empty (0 bytes).", ex.Message);
    }

    [Fact]
    public async Task ReadFileAsync_Xls_ThrowsAskingForXlsx()
    {
        var path = Path.Combine(_folder, "subjects.xls");
        await File.WriteAllBytesAsync(path, [0xD0, 0xCF, 0x11, 0xE0], Ct);

        var ex = await Assert.ThrowsAsync<SdsFormatException>(() => SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct));

        Assert.Contains("subjects.xls is an old binary Excel (.xls) file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFileAsync_Latin1Csv_ReadsTextAndWarns()
    {
        var path = Path.Combine(_folder, "subjects.csv");
        await File.WriteAllBytesAsync(path, Encoding.Latin1.GetBytes("subject id,species\nsub-1,Mus musculus é\n"), Ct);

        var file = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct);

        Assert.Equal("Mus musculus é", file.Records[0]["species"]!.Text);
        var warning = Assert.Single(file.Findings);
        Assert.Equal((SdsSeverity.Warning, "subjects.csv"), (warning.Severity, warning.Location.File));
        Assert.Contains("latin-1", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFileAsync_DuplicateHeaders_ReportsSecondHeaderCellAndKeepsFirstColumn()
    {
        var path = Path.Combine(_folder, "subjects.tsv");
        await File.WriteAllTextAsync(path, "subject id\tspecies\tSubject_ID\nsub-1\trat\tsub-X\n", Ct);

        var file = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct);

        var finding = Assert.Single(file.Findings);
        Assert.Equal((SdsSeverity.Error, SdsFindingCodes.Duplicate, "C1"), (finding.Severity, finding.Code, finding.Location.Cell));
        Assert.Equal("sub-1", file.Records[0]["subject_id"]!.Text);
    }

    [Fact]
    public async Task ReadFileAsync_TsvContentInCsvFile_ReportsWrongExtension()
    {
        var path = Path.Combine(_folder, "subjects.csv");
        await File.WriteAllTextAsync(path, "subject id\tspecies\nsub-1\trat\n", Ct);

        var file = await SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct);

        Assert.Contains(file.Findings, f => f.Code == SdsFindingCodes.Layout && f.Message.Contains("extension", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadFileAsync_WorkbookWithTwoSheets_ReadsFirstAndReportsError()
    {
        var path = Path.Combine(_folder, "subjects.xlsx");
        WriteWorkbook(path, ("Subjects", [["subject id", "species"], ["sub-1", "rat"]]), ("Notes", [["anything"]]));

        var file = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct);

        Assert.Equal("rat", file.Records[0]["species"]!.Text);
        Assert.Equal(new SdsLocation("subjects.xlsx", "Subjects", 2, 2), file.Records[0]["species"]!.Location);
        var finding = Assert.Single(file.Findings);
        Assert.Equal((SdsSeverity.Error, SdsFindingCodes.Layout), (finding.Severity, finding.Code));
        Assert.Contains("2 sheets (Subjects, Notes)", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_BadFilesInDataset_BecomeFindingsNotExceptions()
    {
        var root = await CreateValidDatasetAsync(Path.Combine(_folder, "bad"));
        await File.WriteAllTextAsync(Path.Combine(root, "subjects.xlsx"), "not a zip", Ct);
        File.Delete(Path.Combine(root, "samples.xlsx"));
        await File.WriteAllBytesAsync(Path.Combine(root, "samples.xls"), [0xD0, 0xCF], Ct);
        await File.WriteAllTextAsync(Path.Combine(root, "Performances.csv"), "performance id\nperf-1\n", Ct);

        var dataset = await SdsDatasetReader.ReadAsync(root, cancellationToken: Ct);
        var findings = SdsValidator.Validate(dataset).Select(f => $"{f.Severity} {f.Code} {f.Location.File}").ToList();

        Assert.Contains("Error unreadable-file subjects.xlsx", findings);
        Assert.Contains("Error unreadable-file samples.xls", findings);
        Assert.Contains("Warning layout Performances.csv", findings);   // capitalised name
        Assert.Contains("Error duplicate Performances.csv", findings);   // two performances files
    }

    [Theory]
    [InlineData(false, "45658")]
    [InlineData(true, "44196")]
    public async Task ReadFileAsync_HyperlinkDateAndUncachedFormulaCells_GiveTargetIsoDateAndDisplayText(bool date1904, string dateSerial)
    {
        var path = Path.Combine(_folder, "subjects.xlsx");
        using (var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            var styles = workbook.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = new Stylesheet(new CellFormats(new CellFormat(), new CellFormat { NumberFormatId = 14, ApplyNumberFormat = true }));
            var part = workbook.AddNewPart<WorksheetPart>();
            var link = part.AddHyperlinkRelationship(new Uri("https://doi.org/10.1000/xyz"), isExternal: true);
            Cell Text(string reference, string text) => new() { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(text)) };
            part.Worksheet = new Worksheet(
                new SheetData(
                    new Row(Text("A1", "subject id"), Text("B1", "protocol url or doi"), Text("C1", "date of birth"), Text("D1", "species")) { RowIndex = 1 },
                    new Row(
                        Text("A2", "sub-1"),
                        Text("B2", "the protocol"),
                        new Cell { CellReference = "C2", StyleIndex = 1, CellValue = new CellValue(dateSerial) },
                        new Cell { CellReference = "D2", CellFormula = new CellFormula("HYPERLINK(\"https://ncbi\",\"Rattus norvegicus\")") }) { RowIndex = 2 }),
                new Hyperlinks(new Hyperlink { Reference = "B2", Id = link.Id }));
            workbook.Workbook = new Workbook(
                new WorkbookProperties { Date1904 = date1904 },
                new Sheets(new Sheet { Name = "Sheet1", SheetId = 1, Id = workbook.GetIdOfPart(part) }));
        }

        var file = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct);

        var record = Assert.Single(file.Records);
        Assert.Equal("https://doi.org/10.1000/xyz", record["protocol_url_or_doi"]!.Text);
        Assert.Equal("2025-01-01", record["date_of_birth"]!.Text);
        Assert.Equal("Rattus norvegicus", record["species"]!.Text);
    }

    [Fact]
    public async Task ReadFileAsync_PrefixedPrettyPrintedWorksheet_ReadsCellsRichTextAndHyperlink()
    {
        var path = Path.Combine(_folder, "subjects.xlsx");
        using (var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            var part = workbook.AddNewPart<WorksheetPart>();
            var link = part.AddHyperlinkRelationship(new Uri("https://doi.org/10.1000/abc"), isExternal: true);
            var xml = $"""
                <?xml version="1.0" encoding="UTF-8"?>
                <x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
                  <x:sheetData>
                    <!-- header -->
                    <x:row r="1">
                      <x:c r="A1" t="inlineStr"><x:is><x:t>subject id</x:t></x:is></x:c>
                      <x:c r="B1" t="inlineStr"><x:is><x:t>species</x:t></x:is></x:c>
                      <x:c r="C1" t="inlineStr"><x:is><x:t>age</x:t></x:is></x:c>
                      <x:c r="D1" t="inlineStr"><x:is><x:t>protocol url or doi</x:t></x:is></x:c>
                    </x:row>
                    <x:row r="3">
                      <x:c r="A3" t="str"><x:v><![CDATA[sub-<1>]]></x:v></x:c>
                      <x:c r="B3" t="inlineStr"><x:is><x:r><x:t xml:space="preserve">Rattus </x:t></x:r><x:r><x:t>norvegicus &amp; co</x:t></x:r><x:rPh><x:t>ignored</x:t></x:rPh></x:is></x:c>
                      <x:c r="C3"><x:v> 12 </x:v></x:c>
                      <x:c r="D3" t="inlineStr"><x:is><x:t>the protocol</x:t></x:is></x:c>
                    </x:row>
                  </x:sheetData>
                  <x:hyperlinks><x:hyperlink ref="D3" rel:id="{link.Id}"/></x:hyperlinks>
                </x:worksheet>
                """;
            part.FeedData(new MemoryStream(Encoding.UTF8.GetBytes(xml.ReplaceLineEndings("\r\n"))));
            workbook.Workbook = new Workbook(new Sheets(new Sheet { Name = "Sheet1", SheetId = 1, Id = workbook.GetIdOfPart(part) }));
        }

        var file = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct);

        var record = Assert.Single(file.Records);
        Assert.Equal(3, record.Row);
        Assert.Equal("sub-<1>", record["subject_id"]!.Text);
        Assert.Equal("Rattus norvegicus & co", record["species"]!.Text);
        Assert.Equal("12", record["age"]!.Text);
        Assert.Equal(new SdsLocation("subjects.xlsx", "Sheet1", 3, 4), record["protocol_url_or_doi"]!.Location);
        Assert.Equal("https://doi.org/10.1000/abc", record["protocol_url_or_doi"]!.Text);
    }

    /// <summary>
    /// A worksheet of 20,000 rows (about 3 MB of XML, read in parallel blocks of rows on a machine with several cores), with
    /// what can defeat the cutting into blocks: end tags inside a comment and a CDATA section, rows without a number, a
    /// reference to a missing shared string late in the sheet.
    /// </summary>
    [Theory]
    [InlineData("plain")]
    [InlineData("end tags in a comment and a CDATA section")]
    [InlineData("rows without numbers")]
    public async Task ReadFileAsync_LargeWorksheet_EveryRowReadInOrderWithItsNumber(string variant)
    {
        const int rows = 20_000;
        var path = Path.Combine(_folder, "subjects.xlsx");
        var sheet = new StringBuilder("<x:row r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is><x:t>subject id</x:t></x:is></x:c><x:c r=\"B1\" t=\"inlineStr\"><x:is><x:t>species</x:t></x:is></x:c><x:c r=\"C1\" t=\"inlineStr\"><x:is><x:t>age</x:t></x:is></x:c></x:row>");
        for (var n = 2; n <= rows + 1; n++)
        {
            var number = variant == "rows without numbers" && n > 2 ? string.Empty : $" r=\"{n}\"";
            var species = variant == "end tags in a comment and a CDATA section" && n == rows / 2 ? "<![CDATA[</x:row></x:sheetData>]]>" : $"Rattus norvegicus {n % 7}";
            sheet.Append($"<x:row{number}><x:c t=\"inlineStr\"><x:is><x:t>sub-{n}</x:t></x:is></x:c><x:c t=\"inlineStr\"><x:is><x:t>{species}</x:t></x:is></x:c><x:c><x:v>{n * 3}</x:v></x:c><x:c t=\"s\"><x:v>{(n == rows ? 5 : 0)}</x:v></x:c></x:row>");
            if (variant == "end tags in a comment and a CDATA section" && n == rows / 3)
            {
                sheet.Append("<!-- </x:row> </x:sheetData> -->");
            }
        }

        WriteRawWorksheet(path, $"<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><x:sheetData>{sheet}</x:sheetData></x:worksheet>", "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si/></sst>");

        var file = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct);

        Assert.Equal(rows, file.Records.Count);
        Assert.Equal(Enumerable.Range(2, rows), file.Records.Select(r => r.Row));
        Assert.Equal(Enumerable.Range(2, rows).Select(n => $"sub-{n}"), file.Records.Select(r => r["subject_id"]!.Text));
        Assert.Equal(Enumerable.Range(2, rows).Select(n => (n * 3).ToString(System.Globalization.CultureInfo.InvariantCulture)), file.Records.Select(r => r["age"]!.Text));
        Assert.Equal(variant == "end tags in a comment and a CDATA section" ? "</x:row></x:sheetData>" : $"Rattus norvegicus {rows / 2 % 7}", file.Records[(rows / 2) - 2]["species"]!.Text);
        var finding = Assert.Single(file.Findings);
        Assert.Equal(new SdsLocation("subjects.xlsx", "Sheet1", rows, 4), finding.Location);
        Assert.Contains("shared string 5", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFileAsync_LargeWorksheetBrokenNearItsEnd_NamesTheFileAndTheError()
    {
        var path = Path.Combine(_folder, "subjects.xlsx");
        var rows = string.Concat(Enumerable.Range(1, 20_000).Select(n => $"<row r=\"{n}\"><c t=\"inlineStr\"><is><t>sub-{n}</t></is></c></row>"));
        WriteRawWorksheet(path, $"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{rows}<row r=\"20001\"><c><v>1</c></row></sheetData></worksheet>", sharedStringsXml: null);

        var ex = await Assert.ThrowsAsync<SdsFormatException>(() => SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct));

        Assert.StartsWith("subjects.xlsx contains malformed XML: </c> closes <v> (near byte ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFileAsync_SharedStringsWithRichTextAndPhoneticRuns_ReadsConcatenatedRuns()
    {
        var path = Path.Combine(_folder, "subjects.xlsx");
        WriteSharedStringsWorkbook(path, """
            <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
              <si><t>subject id</t></si><si><t>species</t></si><si/>
              <si><r><t xml:space="preserve">Rattus </t></r><r><rPr><b/></rPr><t>norvegicus &amp; co</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></si>
            </sst>
            """, [[0, 1], [2, 3]]);

        var file = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct);

        var record = Assert.Single(file.Records);
        Assert.Null(record["subject_id"]?.Text);
        Assert.Equal("Rattus norvegicus & co", record["species"]!.Text);
    }

    [Fact]
    public async Task ReadFileAsync_SharedStringsBeyondMemoryLimit_ThrowsNamingFileAndLimit()
    {
        var path = Path.Combine(_folder, "subjects.xlsx");
        var unique = string.Concat(Enumerable.Range(0, 100).Select(i => $"<si><t>species {i:D3}</t></si>"));
        WriteSharedStringsWorkbook(path, $"""<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{unique}</sst>""", [[0]]);
        var limits = new SdsReadLimits { MaxSharedStringBytes = 2_000 };

        var error = await Assert.ThrowsAsync<SdsFormatException>(() => SdsMetadataReader.ReadFileAsync(path, limits: limits, cancellationToken: Ct));

        Assert.Contains("subjects.xlsx", error.Message, StringComparison.Ordinal);
        Assert.Contains("xl/sharedStrings.xml", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxSharedStringBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFileAsync_RepeatedSharedStringsWithinMemoryLimit_ReadsThem()
    {
        var path = Path.Combine(_folder, "subjects.xlsx");
        var repeated = string.Concat(Enumerable.Repeat("<si><t>species 001</t></si>", 100));
        WriteSharedStringsWorkbook(path, $"""<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>subject id</t></si>{repeated}</sst>""", [[0], [100]]);
        var limits = new SdsReadLimits { MaxSharedStringBytes = 2_000 };

        var file = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, limits: limits, cancellationToken: Ct);

        Assert.Equal("species 001", Assert.Single(file.Records)["subject_id"]!.Text);
    }

    [Fact]
    public async Task WriteElementsAsync_Json_RoundTripsValuesAndVersion()
    {
        var path = Path.Combine(_folder, "dataset_description.json");

        await SdsMetadataWriter.WriteElementsAsync(path, SdsFileKind.DatasetDescription, SdsVersion.V210,
            new Dictionary<string, IReadOnlyList<string>> { ["Title"] = ["T"], ["Keywords"] = ["a", "b"] }, cancellationToken: Ct);
        var file = (SdsElementFile)await SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct);

        Assert.Equal(SdsVersion.V210, SdsDatasetReader.DetectVersion(file));
        Assert.Equal(["a", "b"], file.Element("keywords")!.Values.Select(v => v.Text));
        Assert.Equal("T", file.Element("title")!.First!.Text);
    }

    private static Dictionary<string, string?> Row(params (string Key, string? Value)[] cells) => cells.ToDictionary(c => c.Key, c => c.Value);

    /// <summary>Writes a one-sheet workbook whose cells (rows of shared-string indexes) refer to the given shared-strings XML.</summary>
    private static void WriteRawWorksheet(string path, string worksheetXml, string? sharedStringsXml)
    {
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        if (sharedStringsXml is not null)
        {
            workbook.AddNewPart<SharedStringTablePart>().FeedData(new MemoryStream(Encoding.UTF8.GetBytes(sharedStringsXml)));
        }

        var part = workbook.AddNewPart<WorksheetPart>();
        part.FeedData(new MemoryStream(Encoding.UTF8.GetBytes(worksheetXml)));
        workbook.Workbook = new Workbook(new Sheets(new Sheet { Name = "Sheet1", SheetId = 1, Id = workbook.GetIdOfPart(part) }));
    }

    private static void WriteSharedStringsWorkbook(string path, string sharedStringsXml, int[][] rows)
    {
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.AddNewPart<SharedStringTablePart>().FeedData(new MemoryStream(Encoding.UTF8.GetBytes(sharedStringsXml)));
        var part = workbook.AddNewPart<WorksheetPart>();
        part.Worksheet = new Worksheet(new SheetData(rows.Select(r => new Row(r.Select(i => new Cell { DataType = CellValues.SharedString, CellValue = new CellValue(i) })))));
        workbook.Workbook = new Workbook(new Sheets(new Sheet { Name = "Sheet1", SheetId = 1, Id = workbook.GetIdOfPart(part) }));
    }

    private static void WriteWorkbook(string path, params (string Name, string[][] Rows)[] sheets)
    {
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.Workbook = new Workbook(new Sheets());
        uint id = 1;
        foreach (var (name, rows) in sheets)
        {
            var part = workbook.AddNewPart<WorksheetPart>();
            part.Worksheet = new Worksheet(new SheetData(rows.Select(r => new Row(r.Select(v => new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(v)) })))));
            workbook.Workbook.Sheets!.Append(new Sheet { Name = name, SheetId = id++, Id = workbook.GetIdOfPart(part) });
        }
    }
}
