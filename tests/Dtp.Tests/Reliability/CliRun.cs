using System.CommandLine;
using Dtp.Cli;

namespace Dtp.Tests.Reliability;

/// <summary>Runs <c>dtp</c> in-process with a home folder of the test's own (for <c>~/.gen3</c> and the token cache).</summary>
internal static class CliRun
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(string home, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DtpCli.RunAsync(new GlobalOptions { HomeDirectory = home }, args, new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
