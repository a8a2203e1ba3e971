using System.CommandLine;
using System.Text.Json.Nodes;
using Dtp.Cli;

namespace Dtp.Tests.Demo;

/// <summary><c>dtp demo</c> in-process, in a temporary folder.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("dtp-demo-test-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task Demo_TwiceInARow_NamesADatasetFolderThatSdsValidatePasses()
    {
        var dir = Path.Combine(work, "dtp-demo");

        var (firstExit, _, firstError) = await RunAsync(["demo", "--dir", dir]);
        var (exit, output, error) = await RunAsync(["demo", "--dir", dir]);

        Assert.True(firstExit == ExitCodes.Ok, firstError);
        Assert.True(exit == ExitCodes.Ok, error);
        var datasets = Directory.GetDirectories(dir).Where(d => File.Exists(Path.Combine(d, "dataset_description.xlsx"))).ToList();
        var dataset = Assert.Single(datasets);
        Assert.Equal("demo-imaging-dataset-1-version-1", Path.GetFileName(dataset));
        Assert.Contains($"the dataset is in {dataset}", output, StringComparison.Ordinal);
        var (validateExit, validateOutput, _) = await RunAsync(["sds", "validate", dataset, "--json"]);
        Assert.Equal(ExitCodes.Ok, validateExit);
        Assert.Equal(0, (int?)JsonNode.Parse(validateOutput)!["errors"]);
        Assert.Equal(12, Directory.EnumerateFiles(Path.Combine(dataset, "primary"), "*.dcm", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task Demo_FolderItDidNotMake_ExitsFourAndLeavesItAlone()
    {
        var dir = Path.Combine(work, "mine");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "notes.txt"), "keep me", Ct);

        var (exit, _, error) = await RunAsync(["demo", "--dir", dir]);

        Assert.Equal(ExitCodes.LocalInput, exit);
        Assert.Contains(dir, error, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(Path.Combine(dir, "notes.txt"), Ct));
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DtpCli.RunAsync(new GlobalOptions { HomeDirectory = work }, args, new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }
}
