using System.Diagnostics;
using System.Text.Json;
using Dtp.Sds;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Sds;

public sealed class SdsWriterTests : IDisposable
{
    internal const string Python = "/usr/bin/python3";

    // Values that break careless writers: non-BMP characters, edge spaces, formula-like text, numbers that are text.
    private static readonly string[] Tricky =
    [
        "µm, é, 日本, emoji 🐀",
        "  leading and trailing  ",
        "=SUM(A1:A2)",
        "007",
        "42",
        "line one\nline two",
        "a \"quoted\", comma",
        "tab\tinside",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 only",
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("dtp-sds-writer-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static List<IReadOnlyDictionary<string, string?>> TrickySubjects() =>
        Tricky.Select((value, i) => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?>
        {
            ["subject id"] = $"sub-{i + 1}",
            ["species"] = value,
            ["my extra column"] = i % 2 == 0 ? value : null,
        }).ToList();

    [Theory]
    [InlineData("subjects.xlsx")]
    [InlineData("subjects.csv")]
    [InlineData("subjects.tsv")]
    [InlineData("subjects.json")]
    public async Task WriteTableAsync_TrickyValues_ReadBackExactlyByOurReader(string name)
    {
        var path = Path.Combine(_folder, name);

        await SdsMetadataWriter.WriteTableAsync(path, SdsFileKind.Subjects, SdsVersion.V302, TrickySubjects(), cancellationToken: Ct);
        var file = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct);

        Assert.Empty(file.Findings);
        Assert.Equal(Tricky, file.Records.Select(r => r["species"]!.Text));
        Assert.Equal(Tricky.Where((_, i) => i % 2 == 0), file.Records.Select(r => r["my_extra_column"]?.Text).OfType<string>());
        Assert.Equal("subject id", file.Headers[0].Text);
        Assert.Equal("my extra column", file.Headers[^1].Text);
    }

    [Fact]
    public async Task WriteTableAsync_Xlsx_ReadBackExactlyByOpenpyxl()
    {
        Requirements.Executable(Python, "python3-openpyxl");
        var path = Path.Combine(_folder, "subjects.xlsx");

        await SdsMetadataWriter.WriteTableAsync(path, SdsFileKind.Subjects, SdsVersion.V302, TrickySubjects(), cancellationToken: Ct);
        var sheet = await ReadWithOpenpyxlAsync(path);

        Assert.Equal(1, sheet.Sheets);
        var header = sheet.Rows[0];
        var species = Array.IndexOf(header, "species");
        Assert.Equal(Tricky, sheet.Rows.Skip(1).Select(r => r[species]));
        Assert.Equal("my extra column", header[^1]);
        Assert.Empty(sheet.Warnings);
    }

    [Fact]
    public async Task WriteElementsAsync_DatasetDescription302_KeepsTemplateRowsIndentationAndValuesForOpenpyxlAndUs()
    {
        Requirements.Executable(Python, "python3-openpyxl");
        var path = Path.Combine(_folder, "dataset_description.xlsx");
        var values = new Dictionary<string, IReadOnlyList<string>>
        {
            ["Title"] = [" A title with edge spaces "],
            ["keywords"] = ["brain", "🐀 rat", "MRI"],
            ["Contributor name"] = ["Doe, Jane", "Roe, Richard"],
            ["custom element"] = ["kept"],
        };

        await SdsMetadataWriter.WriteElementsAsync(path, SdsFileKind.DatasetDescription, SdsVersion.V302, values, cancellationToken: Ct);
        var ours = (SdsElementFile)await SdsMetadataReader.ReadFileAsync(path, cancellationToken: Ct);
        var python = await ReadWithOpenpyxlAsync(path);

        Assert.Equal(SdsVersion.V302, SdsDatasetReader.DetectVersion(ours));
        Assert.Equal(" A title with edge spaces ", ours.Element("title")!.First!.Text);
        Assert.Equal(["brain", "🐀 rat", "MRI"], ours.Element("keywords")!.Values.Select(v => v.Text));
        Assert.Equal(["D11", "E11", "F11"], ours.Element("keywords")!.Values.Select(v => v.Location.Cell));
        Assert.Equal("kept", ours.Element("custom_element")!.First!.Text);
        Assert.Equal(["Metadata element", "Description", "Example", "Value", "Value 2", "Value 3", "Value n"], python.Rows[0]);
        Assert.Equal("    Contributor name", python.Rows[27][0]);
        Assert.Equal(["    Keywords", "brain", "🐀 rat", "MRI"], python.Rows[10].Where((_, i) => i == 0 || i >= 3).OfType<string>());
        Assert.Equal(" A title with edge spaces ", python.Rows[7][3]);
        Assert.DoesNotContain(python.Rows.SelectMany(r => r), v => v is not null && v.StartsWith('='));
    }

    [Theory]
    [InlineData("1.2.3")]
    [InlineData("2.0.0")]
    [InlineData("2.1.0")]
    [InlineData("3.0.0")]
    [InlineData("3.0.1")]
    [InlineData("3.0.2")]
    public async Task WriteTableAsync_EmptySubjects_HasTheTemplateHeaderOfTheVersion(string version)
    {
        var template = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(Requirements.Reference($"sds/templates/{version}/subjects.xlsx"), version: SdsVersion.Parse(version), cancellationToken: Ct);
        var path = Path.Combine(_folder, "subjects.xlsx");

        await SdsMetadataWriter.WriteTableAsync(path, SdsFileKind.Subjects, SdsVersion.Parse(version), [], cancellationToken: Ct);
        var written = (SdsTableFile)await SdsMetadataReader.ReadFileAsync(path, version: SdsVersion.Parse(version), cancellationToken: Ct);

        Assert.Equal(template.Headers, written.Headers);
        Assert.Empty(written.Records);
    }

    [Fact]
    public void FormatTimestamp_WithFraction_UsesCommaAndOffset()
    {
        var time = new DateTimeOffset(2025, 2, 24, 10, 43, 7, TimeSpan.FromHours(-8)).AddTicks(3_651_660);

        Assert.Equal("2025-02-24T10:43:07,365166-08:00", SdsMetadataWriter.FormatTimestamp(time));
        Assert.Equal("2025-02-24T10:43:07+00:00", SdsMetadataWriter.FormatTimestamp(new DateTimeOffset(2025, 2, 24, 10, 43, 7, TimeSpan.Zero)));
    }

    [Fact]
    public async Task WriteTableAsync_ExistingFileWithoutOverwrite_Throws()
    {
        var path = Path.Combine(_folder, "samples.xlsx");
        await SdsMetadataWriter.WriteTableAsync(path, SdsFileKind.Samples, SdsVersion.V302, [], cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<DtpException>(() => SdsMetadataWriter.WriteTableAsync(path, SdsFileKind.Samples, SdsVersion.V302, [], cancellationToken: Ct));

        Assert.Contains("samples.xlsx", ex.Message, StringComparison.Ordinal);
    }

    internal sealed record PythonSheet(int Sheets, string?[][] Rows, string[] Warnings);

    /// <summary>Reads the first sheet of a workbook with Debian's openpyxl: cells as text, and any warning it gave.</summary>
    internal static async Task<PythonSheet> ReadWithOpenpyxlAsync(string path)
    {
        const string Script = """
            import json, sys, warnings
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                import openpyxl
                wb = openpyxl.load_workbook(sys.argv[1])
            ws = wb.worksheets[0]
            rows = [[None if c.value is None else str(c.value) for c in row] for row in ws.iter_rows()]
            print(json.dumps({"Sheets": len(wb.worksheets), "Rows": rows, "Warnings": [str(w.message) for w in caught]}))
            """;
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"openpyxl failed: {await error}");
        return JsonSerializer.Deserialize<PythonSheet>(await output)!;
    }
}
