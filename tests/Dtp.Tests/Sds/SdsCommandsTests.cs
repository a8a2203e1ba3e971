using System.CommandLine;
using System.Text.Json.Nodes;
using Dtp.Cli;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Sds;

public sealed class SdsCommandsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dtp-sds-cli-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DtpCli.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Validate_ValidDataset_ExitsZeroAndSaysValid()
    {
        var root = await SdsDatasetTests.CreateValidDatasetAsync(Path.Combine(_folder, "ok"));

        var (exit, output, _) = await RunAsync("sds", "validate", root);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.EndsWith("SDS 3.0.2: 0 error(s), 0 warning(s) — valid", output.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_DatasetWithErrorsAsJson_ExitsFourWithCellPreciseFindings()
    {
        var root = Requirements.Reference("sds/examples/digitaltwins-example-sds-2.0.0");

        var (exit, output, _) = await RunAsync("sds", "validate", root, "--json");

        Assert.Equal(ExitCodes.LocalInput, exit);
        var json = JsonNode.Parse(output)!;
        Assert.Equal("2.0.0", (string?)json["version"]);
        Assert.False((bool)json["valid"]!);
        var first = json["findings"]![0]!;
        Assert.Equal(("error", "dataset_description.xlsx", "Sheet1", 25, "F", "invalid-value"),
            ((string?)first["severity"], (string?)first["file"], (string?)first["sheet"], (int?)first["row"], (string?)first["column"], (string?)first["code"]));
    }

    [Fact]
    public async Task Validate_TableOutput_ListsSeverityFileCellAndMessage()
    {
        var root = Requirements.Reference("sds/examples/sparc-me-test-data-1.2.3");

        var (exit, output, _) = await RunAsync("sds", "validate", root);

        Assert.Equal(ExitCodes.LocalInput, exit);
        Assert.Contains("warning  dataset_description.xlsx H8", output, StringComparison.Ordinal);
        Assert.Contains("'PrincipleInvestigator'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_ThenInfo_ReportsVersionAndEmptyCounts()
    {
        var root = Path.Combine(_folder, "new");

        var created = await RunAsync("sds", "new", root, "--version", "2.1.0");
        var (exit, output, _) = await RunAsync("sds", "info", root, "--json");

        Assert.Equal(ExitCodes.Ok, created.Exit);
        Assert.Equal(ExitCodes.Ok, exit);
        var json = JsonNode.Parse(output)!;
        Assert.Equal(("2.1.0", true, 0, 0), ((string?)json["version"], (bool)json["versionDetected"]!, (int)json["subjects"]!, (int)json["samples"]!));
    }

    [Fact]
    public async Task New_UnknownVersion_IsAUsageError()
    {
        var (exit, _, error) = await RunAsync("sds", "new", Path.Combine(_folder, "x"), "--version", "banana");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("not an SDS version", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_IntoNonEmptyFolder_ExitsFourNamingTheFolder()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "keep.txt"), "x", Ct);

        var (exit, _, error) = await RunAsync("sds", "new", _folder, "--version", "3.0.2");

        Assert.Equal(ExitCodes.LocalInput, exit);
        Assert.Contains(_folder, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_DatasetWithFiles_WritesManifestAndValidationPasses()
    {
        var root = await SdsDatasetTests.CreateValidDatasetAsync(Path.Combine(_folder, "m"));
        await File.WriteAllTextAsync(Path.Combine(root, "docs", "protocol.pdf"), "%PDF", Ct);

        var (exit, output, _) = await RunAsync("sds", "manifest", root);
        var validation = await RunAsync("sds", "validate", root);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("1 entries added", output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, validation.Exit);
    }

    [Fact]
    public async Task Validate_MissingFolder_ExitsFour()
    {
        var (exit, _, error) = await RunAsync("sds", "validate", Path.Combine(_folder, "absent"));

        Assert.Equal(ExitCodes.LocalInput, exit);
        Assert.Contains("is not a folder", error, StringComparison.Ordinal);
    }
}
