using System.Diagnostics;

namespace Dtp.Benchmarks;

/// <summary>Runs named end-to-end scenarios and prints their figures; each later issue adds its scenario here.</summary>
internal static class BenchmarkRunner
{
    private static readonly Dictionary<string, (string Description, Func<CancellationToken, Task> Run)> Scenarios = new(StringComparer.Ordinal)
    {
        ["sds-manifest-write"] = ("write a 100,000 x 20 manifest.xlsx (budget 3 s)", SdsManifestBenchmark.WriteAsync),
        ["sds-manifest-read"] = ("read that manifest.xlsx (budget 2 s, 200 MB peak); run after sds-manifest-write", SdsManifestBenchmark.ReadAsync),
        ["gen3-submit"] = ("submit 10,000 records: adaptive batches vs 30 per request vs 1 (DTP_BENCH_RECORDS changes the count)", Gen3SubmitBenchmark.SubmitAsync),
        ["gen3-stream"] = ("page 10,000 records through the streaming GraphQL query (needs peregrine in the commons)", Gen3SubmitBenchmark.StreamAsync),
        ["commons"] = ("embedded Gen3 commons: start-up, submit 10,000 cases in batches of 500, export JSON and TSV", CommonsBenchmark.RunAsync),
        ["pacs-retrieve"] = ("A ~1 GB study from Orthanc over DICOMweb: dtp vs curl (WADO-RS), throughput and ratio", PacsRetrieveBenchmark.RunAsync),
        ["irods-download"] = ("iRODS: 200 x 5 MB and 1 x 1 GB by dtp, python-irodsclient and a raw socket copy", IrodsDownloadBenchmark.RunAsync),
        ["download"] = ("Downloader: a 1 GB dataset of 200 x 5 MB from the local store, iRODS and Orthanc (DICOMweb) vs raw single-stream copies and the disk; resume run", DownloadBenchmark.RunAsync),
        ["dimse-get"] = ("C-GET of a generated 500-instance study from Orthanc: dtp vs dcmtk getscu", DimseGetBenchmark.RunAsync),
        ["convert"] = ("convert a generated 2,000 subjects x 5 samples, 100,000-file dataset (budget 4 s, 300 MB peak) and the golden example", ConvertBenchmark.RunAsync),
        ["demo"] = ("dtp demo end to end, cold and warm (budget 30 s on 2 cores)", DemoBenchmark.RunAsync),
        ["peregrine"] = ("embedded commons GraphQL: page 10,000 cases (first 1000, order_by_asc id) with 2, 17 and 17 + nested fields", PeregrineBenchmark.RunAsync),
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
