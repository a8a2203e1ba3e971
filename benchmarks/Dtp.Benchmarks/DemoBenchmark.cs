using System.Diagnostics;
using Dtp.Cli;

namespace Dtp.Benchmarks;

/// <summary><c>dtp demo</c> end to end, twice: a cold run (first use in the process) and a warm one; budget 30 s on 2 cores.</summary>
internal static class DemoBenchmark
{
    public static async Task RunAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("dtp-bench-demo-").FullName;
        try
        {
            var dir = Path.Combine(work, "dtp-demo");
            foreach (var run in new[] { "cold", "warm" })
            {
                var watch = Stopwatch.StartNew();
                using var output = new StringWriter();
                using var error = new StringWriter();
                var exit = await DtpCli.RunAsync(["demo", "--dir", dir], new System.CommandLine.InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
                if (exit != 0)
                {
                    throw new InvalidOperationException($"dtp demo exited {exit}: {error}");
                }

                Console.WriteLine($"dtp demo ({run}): {watch.Elapsed.TotalSeconds:F2} s (budget 30 s), {Environment.ProcessorCount} cores, load average {BenchmarkReport.LoadAverages()}");
                report.Add($"dtp demo end to end ({run})", watch.Elapsed.TotalSeconds, "s", target: 30);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
