using System.CommandLine;
using System.Text.Json.Nodes;
using Dtp.Cli;

namespace Dtp.Tests.Cli;

public sealed class CliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_WithVersion_PrintsTheVersionAndExitsZero()
    {
        var (exit, output, _) = await RunAsync(["--version"]);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.StartsWith("0.1.0", output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WithHelp_ListsTheGlobalOptions()
    {
        var (exit, output, _) = await RunAsync(["--help"]);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("--json", output, StringComparison.Ordinal);
        Assert.Contains("--verbose", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WithAnUnknownCommand_ExitsWithUsage()
    {
        var (exit, _, error) = await RunAsync(["frobnicate"]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("frobnicate", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WithAnUnknownOption_ExitsWithUsage()
    {
        var (exit, _, _) = await RunAsync(["--no-such-option"]);

        Assert.Equal(ExitCodes.Usage, exit);
    }

    [Fact]
    public async Task AuthToken_WithAMissingCredentialsFile_ExitsFourNamingTheFile()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"dtp-missing-{Guid.NewGuid():N}.json");

        var (exit, output, error) = await RunAsync(["auth", "token", "--credentials", missing]);

        Assert.Equal(ExitCodes.LocalInput, exit);
        Assert.Empty(output);
        Assert.Contains(missing, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthWhoami_WithABadGen3Config_ExitsFourNamingFileAndKey()
    {
        var config = Path.Combine(Path.GetTempPath(), $"dtp-gen3-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, """{"gen3_endpoint": 12}""", Ct);

        try
        {
            var (exit, _, error) = await RunAsync(["auth", "whoami", "--gen3-config", config]);

            Assert.Equal(ExitCodes.LocalInput, exit);
            Assert.Contains(config, error, StringComparison.Ordinal);
            Assert.Contains("\"gen3_endpoint\"", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Theory]
    [InlineData(false, "text result")]
    [InlineData(true, "{\n  \"answer\": 42\n}")]
    public async Task GuardedAction_WritesTextOrJsonToStdout(bool json, string expected)
    {
        var root = RootWith(ctx => ctx.WriteResultAsync(new JsonObject { ["answer"] = 42 }, "text result"));

        var (exit, output, error) = await RunAsync(root, json ? ["probe", "--json"] : ["probe"]);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(expected, output.TrimEnd().ReplaceLineEndings("\n"));
        Assert.Empty(error);
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task GuardedAction_WhenTheActionFails_PrintsOneErrorLineAndTheMatchingExitCode(Exception failure, int expectedExit)
    {
        var root = RootWith(_ => throw failure);

        var (exit, output, error) = await RunAsync(root, ["probe"]);

        Assert.Equal(expectedExit, exit);
        Assert.Empty(output);
        Assert.Equal($"error: {failure.Message}", error.Trim());
    }

    public static TheoryData<Exception, int> Failures() => new()
    {
        { new DtpException("https://gen3.example.org/user/user answered 401", DtpErrorKind.Remote), ExitCodes.Remote },
        { new DtpException("dataset_description.xlsx, row 3, column D: not a date", DtpErrorKind.Local), ExitCodes.LocalInput },
        { new HttpRequestException("Connection refused (127.0.0.1:9)"), ExitCodes.Remote },
        { new IOException("Disk full: /data/out"), ExitCodes.LocalInput },
        { new ArgumentException("--parallel must be at least 1"), ExitCodes.LocalInput },
    };

    [Fact]
    public async Task GuardedAction_WhenCancelled_Exits130()
    {
        using var cancel = new CancellationTokenSource();
        var root = RootWith(async ctx =>
        {
            await cancel.CancelAsync();
            ctx.CancellationToken.ThrowIfCancellationRequested();
        });

        var (exit, _, error) = await RunAsync(root, ["probe"], cancel.Token);

        Assert.Equal(ExitCodes.Cancelled, exit);
        Assert.Equal("cancelled", error.Trim());
    }

    [Fact]
    public async Task GuardedAction_WhenABugThrows_LetsItPropagateAsExitOne()
    {
        var root = RootWith(_ => throw new InvalidOperationException("a bug"));

        var (exit, _, error) = await RunAsync(root, ["probe"]);

        Assert.Equal(ExitCodes.Unexpected, exit);
        Assert.Contains("InvalidOperationException", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GuardedAction_WithVerbose_WritesDebugLogsToStderrOnly()
    {
        var root = RootWith(ctx =>
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogDebug(ctx.LoggerFactory.CreateLogger("Dtp.Probe"), "probing");
            return ctx.WriteResultAsync(null, "done");
        });

        var (_, output, error) = await RunAsync(root, ["probe", "-v"]);

        Assert.Equal("done", output.Trim());
        Assert.Equal("debug: Probe: probing", error.Trim());
    }

    private static RootCommand RootWith(Func<CommandContext, Task> action)
    {
        var global = new GlobalOptions();
        var root = DtpCli.BuildRootCommand(global);
        var probe = new Command("probe");
        probe.SetGuardedAction(global, async ctx =>
        {
            await action(ctx);
            return ExitCodes.Ok;
        });
        root.Subcommands.Add(probe);
        return root;
    }

    private static Task<(int Exit, string Output, string Error)> RunAsync(string[] args) =>
        Capture((io, ct) => DtpCli.RunAsync(new GlobalOptions { HomeDirectory = Path.GetTempPath() }, args, io, ct), Ct);

    private static Task<(int Exit, string Output, string Error)> RunAsync(RootCommand root, string[] args, CancellationToken? cancellationToken = null) =>
        Capture((io, ct) => root.Parse(args).InvokeAsync(io, ct), cancellationToken ?? Ct);

    private static async Task<(int Exit, string Output, string Error)> Capture(Func<InvocationConfiguration, CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await run(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
