using System.CommandLine;
using System.Globalization;
using Dtp.Cli;
using Dtp.Testing;

namespace Dtp.Benchmarks;

/// <summary>
/// The CLI on every case of the bad-input corpus (zip bombs, huge shared-strings tables, broken credentials and configs), each
/// measured in a child process of its own: the whole corpus in one process for the peak memory of the run, then every case alone
/// for the worst case; target under 300 MB each. A case that does not end in its expected exit code and message is a mismatch.
/// </summary>
internal static class BadInputBenchmark
{
    private const int TargetMb = 300;

    /// <summary>Set in the child processes: <c>all</c> or the index of the one case to run.</summary>
    private const string CaseVariable = "DTP_BENCH_BAD_INPUT_CASE";

    public static async Task RunAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        var cases = BadInputCorpus.Load(BadInputCorpus.SourceFolder);
        var chosen = Environment.GetEnvironmentVariable(CaseVariable);
        if (chosen is not null)
        {
            var mismatches = 0;
            foreach (var @case in chosen == "all" ? cases : [cases[int.Parse(chosen, CultureInfo.InvariantCulture)]])
            {
                mismatches += await RunCaseAsync(@case, cancellationToken) ? 0 : 1;
            }

            report.Add("cases not ending in their expected exit code and message", mismatches, "errors", target: 0);
            return;
        }

        var work = Directory.CreateTempSubdirectory("dtp-bench-bad-input-").FullName;
        try
        {
            var whole = await RunChildAsync("all", work, cancellationToken);
            Console.WriteLine($"whole corpus: {cases.Count} cases in one process, peak working set {whole.PeakMemoryMb} MB");
            var peaks = new List<(string Name, long Peak)>();
            for (var i = 0; i < cases.Count; i++)
            {
                var alone = await RunChildAsync(i.ToString(CultureInfo.InvariantCulture), work, cancellationToken);
                peaks.Add((cases[i].Name, alone.PeakMemoryMb));
                Console.WriteLine($"{cases[i].Name}: peak working set {alone.PeakMemoryMb} MB");
            }

            var worst = peaks.MaxBy(p => p.Peak);
            var lightest = peaks.MinBy(p => p.Peak);
            report.Add($"bad-input corpus, all {cases.Count} cases in one process: peak memory", whole.PeakMemoryMb, "MB", target: TargetMb, peakMemoryMb: whole.PeakMemoryMb);
            report.Add($"bad-input corpus, worst case alone ({worst.Name}): peak memory", worst.Peak, "MB", target: TargetMb, peakMemoryMb: worst.Peak);
            report.Add($"bad-input corpus, lightest case alone ({lightest.Name}): peak memory", lightest.Peak, "MB", peakMemoryMb: lightest.Peak);
            report.Add($"bad-input corpus: cases not ending in their expected exit code and message (of {cases.Count})", whole.Results.Sum(r => r.Value), "errors", target: 0);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<BenchmarkRunner.ScenarioOutcome> RunChildAsync(string chosen, string work, CancellationToken cancellationToken)
    {
        var outcome = await BenchmarkRunner.RunChildAsync("bad-input", new() { [CaseVariable] = chosen }, Path.Combine(work, $"case-{chosen}.json"), cancellationToken);
        return outcome.Failed is null && outcome.Results.Count == 1 ? outcome : throw new InvalidOperationException($"bad-input case {chosen}: {outcome.Failed}");
    }

    /// <summary>Runs one case in a fresh work folder with HOME pointing into it; returns whether it ended as expected.</summary>
    private static async Task<bool> RunCaseAsync(BadInputCase @case, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("dtp-bench-bad-input-case-").FullName;
        try
        {
            Environment.SetEnvironmentVariable("HOME", Directory.CreateDirectory(Path.Combine(work, "home")).FullName);
            await using var server = @case.StartServer();
            var args = @case.Prepare(work, Path.Combine(work, "dest"), server?.BaseAddress);
            using var output = new StringWriter(CultureInfo.InvariantCulture);
            using var error = new StringWriter(CultureInfo.InvariantCulture);
            var exit = await DtpCli.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
            if (exit != @case.Exit || !(output + error.ToString()).Contains(@case.Message, StringComparison.Ordinal))
            {
                Console.WriteLine($"MISMATCH {@case.Name}: exit {exit} (expected {@case.Exit}); {error.ToString().Trim()}");
                return false;
            }

            return true;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
