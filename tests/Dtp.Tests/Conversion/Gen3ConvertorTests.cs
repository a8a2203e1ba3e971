using System.Text.Json.Nodes;
using Dtp.Cli;
using Dtp.Conversion;
using Dtp.Gen3.Dictionary;

namespace Dtp.Tests.Conversion;

/// <summary><see cref="Gen3Convertor"/> on small fixtures: typed reading, the spec's edge cases in both modes, schema override.</summary>
public sealed class Gen3ConvertorTests : IDisposable
{
    private const string Experiment = "dataset-12L_1-version-1";
    private readonly string root = Directory.CreateTempSubdirectory("dtp-convert-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Source => Path.Combine(root, "sds");

    private string Output => Path.Combine(root, "out");

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static readonly object?[] SubjectHeader = ["subject id", "pool id", "subject experimental group", "age", "sex", "species", "strain", "RRID for strain", "age category", "also in dataset", "member of"];

    private static object?[] Subject(object? id, object? age = null) => [id, null, "Control", age ?? "30y", "Female", "Human", "N/A strain", "RRID:X", "adult", "none", "none"];

    private void Dataset(object?[][] subjects, object?[][]? manifest = null, string manifestFolder = "")
    {
        Workbook.Write(Path.Combine(Source, "dataset_description.xlsx"), ("Sheet1",
        [
            ["Metadata element", "Description", "Example", "Value"],
            ["Metadata Version", null, null, "2.0.0"],
            ["Type", null, null, "experimental"],
            ["Title", null, null, "A title"],
            ["Number of subjects", null, null, 2],
            ["Number of samples", null, null, 0],
        ]));
        Workbook.Write(Path.Combine(Source, "subjects.xlsx"), ("Sheet1", [SubjectHeader, .. subjects]));
        if (manifest is not null)
        {
            Workbook.Write(Path.Combine(Source, manifestFolder, "manifest.xlsx"), ("Sheet1", [["filename", "timestamp", "description", "file type"], .. manifest]));
        }
    }

    private async Task<JsonNode> ReadOutputAsync(string file) => JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Output, file), Ct))!;

    [Fact]
    public async Task ReadExcelAsync_FirstOrNamedSheet_ReturnsTypedCellsWithCoordinates()
    {
        var path = Path.Combine(root, "book.xlsx");
        Workbook.Write(path, ("first", [["name", "n"], ["a", 2]]), ("second", [["when", "ok", "x"], [new DateTime(2023, 9, 1, 10, 0, 0), true, 1.5]]));

        var first = await Gen3Convertor.ReadExcelAsync(path, cancellationToken: Ct);
        var second = await Gen3Convertor.ReadExcelAsync(path, "second", Ct);

        Assert.Equal("first", first.SheetName);
        Assert.Equal(["name", "n"], first.Columns);
        Assert.Equal(new ExcelCell(2, 2, ExcelCellKind.WholeNumber, 2L), first.Rows[0][1]);
        Assert.Equal("second", second.SheetName);
        Assert.Equal(ExcelCellKind.DateTime, second.Rows[0][0]!.Kind);
        Assert.Equal(new DateTime(2023, 9, 1, 10, 0, 0), second.Rows[0][0]!.Value);
        Assert.Equal(true, second.Rows[0][1]!.Value);
        Assert.Equal(1.5, second.Rows[0][2]!.Value);
        Assert.Equal("C2", second.Rows[0][2]!.Reference);
    }

    [Fact]
    public async Task ReadExcelAsync_UnknownSheet_ThrowsNamingTheSheets()
    {
        var path = Path.Combine(root, "book.xlsx");
        Workbook.Write(path, ("first", [["a"]]));

        var error = await Assert.ThrowsAsync<DtpException>(() => Gen3Convertor.ReadExcelAsync(path, "missing", Ct));

        Assert.Contains("'missing'", error.Message, StringComparison.Ordinal);
        Assert.Contains("first", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_NumericAgeAndDateTimestamp_DefaultKeepsValuesCompatFailsLikeTheOriginal()
    {
        Dataset([Subject("sub-1", 41)], [["a.dcm", new DateTime(2023, 9, 1, 10, 0, 0), "d", "dcm"]]);

        var result = await new Gen3Convertor("12L", Experiment).ExecuteAsync(Source, Output, Ct);
        var compat = new Gen3Convertor("12L", Experiment) { Compatibility = CompatVariant.E5f555c };

        Assert.False(result.HasErrors, string.Join("\n", result.Findings));
        Assert.Equal("41", (string?)(await ReadOutputAsync("subjects.json"))[0]!["age"]);
        Assert.Equal("2023-09-01T10:00:00", (string?)(await ReadOutputAsync("manifest.json"))[0]!["timestamp"]);
        Assert.Equal(2L, (long)(await ReadOutputAsync("dataset_description.json"))["number_of_subjects"]![0]!);
        var error = await Assert.ThrowsAsync<DtpException>(() => compat.ExecuteAsync(Source, Path.Combine(root, "compat"), Ct));
        Assert.Contains("D2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_BlankSubjectId_DefaultReportsTheCellCompatFails()
    {
        Dataset([Subject("sub-1"), Subject(null)], [["a.dcm", "2023", "d", "dcm"]]);

        var result = await new Gen3Convertor("12L", Experiment).ExecuteAsync(Source, Output, Ct);
        var compat = new Gen3Convertor("12L", Experiment) { Compatibility = CompatVariant.E5f555c };

        var finding = Assert.Single(result.Findings, f => f.Severity == ConversionSeverity.Error);
        Assert.Equal("A3", finding.Source?.Cell);
        Assert.Equal("subject_id", finding.Property);
        Assert.Single((await ReadOutputAsync("subjects.json")).AsArray());
        var error = await Assert.ThrowsAsync<DtpException>(() => compat.ExecuteAsync(Source, Path.Combine(root, "compat"), Ct));
        Assert.Contains("row 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_QuotesAndNewlines_DefaultKeepsTextCompatRewritesIt()
    {
        Dataset([Subject("sub-1")], [["a.dcm", "2023", "Line one \"quoted\"\nline two", "dcm"]]);

        await new Gen3Convertor("12L", Experiment).ExecuteAsync(Source, Output, Ct);
        var defaultDescription = (await ReadOutputAsync("manifest.json"))[0]!["description"]!.ToJsonString();
        await new Gen3Convertor("12L", Experiment) { Compatibility = CompatVariant.E5f555c }.ExecuteAsync(Source, Output, Ct);
        var compatDescription = (await ReadOutputAsync("manifest.json"))[0]!["description"]!.ToJsonString();

        Assert.Equal("\"Line one \\u0022quoted\\u0022\\nline two\"", defaultDescription);
        Assert.Equal("[\"Line one \\u0027quoted\\u0027\",\"line two\"]", compatDescription);
    }

    [Fact]
    public async Task Execute_NoManifest_DefaultWarnsAndWritesNoRecordsCompatFails()
    {
        Dataset([Subject("sub-1")]);

        var result = await new Gen3Convertor("12L", Experiment).ExecuteAsync(Source, Output, Ct);

        Assert.Contains(result.Findings, f => f.Severity == ConversionSeverity.Warning && f.Node == "manifest");
        Assert.Empty((await ReadOutputAsync("manifest.json")).AsArray());
        await Assert.ThrowsAsync<DtpException>(() => new Gen3Convertor("12L", Experiment) { Compatibility = CompatVariant.V95c5155 }.ExecuteAsync(Source, Path.Combine(root, "compat"), Ct));
    }

    [Fact]
    public async Task Execute_DuplicateSubjectIds_ReportsTheSecondCellAndKeepsTheFirst()
    {
        Dataset([Subject("sub-1"), Subject("sub-1")], [["a.dcm", "2023", "d", "dcm"]]);

        var result = await new Gen3Convertor("12L", Experiment).ExecuteAsync(Source, Output, Ct);

        var finding = Assert.Single(result.Findings, f => f.Severity == ConversionSeverity.Error);
        Assert.Equal("A3", finding.Source?.Cell);
        Assert.Contains("A2", finding.Message, StringComparison.Ordinal);
        Assert.Single((await ReadOutputAsync("subjects.json")).AsArray());
    }

    [Fact]
    public async Task Execute_NestedManifest_DefaultKeepsTheFolderCompatDropsIt()
    {
        Dataset([Subject("sub-1")], [["./a b.dcm", "2023", "d", "dcm"]], "primary/sub-1");

        await new Gen3Convertor("12L", Experiment).ExecuteAsync(Source, Output, Ct);
        var record = (await ReadOutputAsync("manifest.json"))[0]!;
        await new Gen3Convertor("12L", Experiment) { Compatibility = CompatVariant.E5f555c }.ExecuteAsync(Source, Output, Ct);
        var compat = (await ReadOutputAsync("manifest.json"))[0]!;

        Assert.Equal("primary/sub-1/a b.dcm", (string?)record["filename"]);
        Assert.Equal($"{Experiment}-manifest-primary-sub-1-a-b.dcm", (string?)record["submitter_id"]);
        Assert.Equal("./a b.dcm", (string?)compat["filename"]);
        Assert.Equal("dataset-12L-1-version-1-manifest-.-a-b.dcm", (string?)compat["submitter_id"]);
    }

    [Fact]
    public async Task SetSchemaDir_DictionaryWithAnExtraRequiredProperty_ChangesOutputAndValidation()
    {
        Dataset([Subject("sub-1")], [["a.dcm", "2023", "d", "dcm"]]);
        var all = Gen3Dictionary.Sds.ToAllDocument();
        var caseNode = all["case"]!.AsObject();
        caseNode["properties"]!.AsObject()["favourite_colour"] = new JsonObject { ["type"] = "integer" };
        caseNode["required"]!.AsArray().Add("favourite_colour");
        var schema = Path.Combine(root, "dictionary.json");
        await File.WriteAllTextAsync(schema, all.ToJsonString(), Ct);
        var convertor = new Gen3Convertor("12L", Experiment);
        convertor.SetSchemaDir(schema);
        var compat = new Gen3Convertor("12L", Experiment) { Compatibility = CompatVariant.E5f555c };
        compat.SetSchemaDir(schema);

        var result = await convertor.ExecuteAsync(Source, Output, Ct);
        await compat.ExecuteAsync(Source, Path.Combine(root, "compat"), Ct);

        var finding = Assert.Single(result.Findings, f => f.Severity == ConversionSeverity.Error);
        Assert.Equal("favourite_colour", finding.Property);
        var compatCase = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "compat", "subjects.json"), Ct))![0]!;
        Assert.Equal("NA", (string?)compatCase["favourite_colour"]);
    }

    [Fact]
    public async Task ConvertCommand_ErrorsRemain_ExitsFourAndListsTheCell()
    {
        Dataset([Subject(null)], [["a.dcm", "2023", "d", "dcm"]]);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await DtpCli.RunAsync(["convert", Source, Output, "--project", "12L", "--experiment", Experiment, "--json"], new() { Output = stdout, Error = stderr }, Ct);

        Assert.Equal(4, exit);
        var summary = JsonNode.Parse(stdout.ToString())!;
        Assert.Equal(1, (int)summary["errors"]!);
        Assert.Equal("A2", (string?)summary["findings"]!.AsArray().First(f => (string?)f!["severity"] == "error")!["cell"]);
        Assert.True(File.Exists(Path.Combine(Output, "conversion_summary.json")));
    }
}
