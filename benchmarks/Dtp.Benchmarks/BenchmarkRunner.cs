using System.Diagnostics;

namespace Dtp.Benchmarks;

/// <summary>Runs named end-to-end scenarios and prints their figures; each later issue adds its scenario here.</summary>
internal static class BenchmarkRunner
{
    private static readonly Dictionary<string, (string Description, Func<CancellationToken, Task> Run)> Scenarios = new(StringComparer.Ordinal)
    {
        ["sds-manifest-write"] = ("write a 100,000 x 20 manifest.xlsx (budget 3 s)", SdsManifestBenchmark.WriteAsync),
        ["sds-manifest-read"] = ("read that manifest.xlsx (budget 2 s, 200 MB peak); run after sds-manifest-write", SdsManifestBenchmark.ReadAsync),
        ["convert"] = ("convert a generated 2,000 subjects x 5 samples, 100,000-file dataset (budget 4 s, 300 MB peak) and the golden example", ConvertBenchmark.RunAsync),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || !Scenarios.TryGetValue(args[0], out var chosen))
        {
            Console.Error.WriteLine("usage: dotnet run -c Release --project benchmarks/Dtp.Benchmarks -- <scenario>");
            foreach (var (name, scenario) in Scenarios.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                Console.Error.WriteLine($"  {name,-24} {scenario.Description}");
            }

            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        await chosen.Run(cancel.Token).ConfigureAwait(false);
        Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MB");
        return 0;
    }
}
