using System.Diagnostics;
using System.Globalization;

namespace Dtp.Benchmarks;

/// <summary>Collects the figures a scenario measured (its table rows); the scenario still prints its own lines for people.</summary>
internal sealed class BenchmarkReport
{
    private readonly List<BenchmarkResult> results = [];

    /// <summary>Gets the figures added so far, in order.</summary>
    public IReadOnlyList<BenchmarkResult> Results => results;

    /// <summary>Adds one figure; see <see cref="BenchmarkResult"/> for what each part means.</summary>
    public void Add(string operation, double value, string unit, string? baseline = null, double? baselineValue = null, double? target = null, long? peakMemoryMb = null) =>
        results.Add(new BenchmarkResult(operation, value, unit)
        {
            Baseline = baseline,
            BaselineValue = baselineValue is { } b && !double.IsNaN(b) ? b : null,
            Target = target is { } t && !double.IsNaN(t) ? t : null,
            PeakMemoryMb = peakMemoryMb,
        });

    /// <summary>Gets the environment variable as a positive number, or <paramref name="full"/> (or <paramref name="quick"/> under <c>all --quick</c>).</summary>
    public static int Size(string variable, int full, int quick) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
            : Environment.GetEnvironmentVariable(QuickVariable) == "1" ? quick : full;

    /// <summary>Gets the 1, 5 and 15-minute load averages (Linux), so that figures taken on a busy machine can be read as such.</summary>
    public static string LoadAverages() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The environment variable <c>all --quick</c> sets for its child processes, so scenarios choose their small sizes.</summary>
    public const string QuickVariable = "DTP_BENCH_QUICK";
}

/// <summary>This process's peak resident memory (Linux <c>VmHWM</c>), which a scenario can reset to measure one operation alone.</summary>
internal static class PeakMemory
{
    /// <summary>
    /// Collects garbage, giving freed memory back to the system, and resets the kernel's peak resident set of this process to the
    /// current one, so the next peak is the next operation's own (plus what the process still holds).
    /// </summary>
    public static void Reset()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.WriteLine("(peak memory could not be reset; the figure is the process's peak so far)");
        }
    }

    /// <summary>Gets the peak working set since start or the last <see cref="Reset"/>, in MB.</summary>
    public static long Megabytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024 * 1024);
    }
}
