using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dtp.Config;
using Dtp.Dicom;
using Dtp.Download;
using Dtp.Storage;
using Dtp.Storage.Irods;
using Dtp.Storage.Pacs;
using Dtp.Testing.Commons;
using Dtp.Testing.Irods;
using Dtp.Testing.Orthanc;

namespace Dtp.Benchmarks;

/// <summary>
/// Downloads a 1 GB dataset of 200 files of 5 MB with <see cref="Downloader"/> from the local folder store, the iRODS test
/// server and Orthanc over DICOMweb (200 generated instances of about 5 MB), with metadata from the embedded commons; prints
/// for each the time, the throughput, the ratio to a raw single-stream copy from the same server and to this machine's disk
/// write rate, the peak memory of the download and the time of a second (resuming) run. The files are generated once into
/// <c>&lt;temp&gt;/dtp-benchmarks/download-200</c> and reused (40 files under <c>all --quick</c>).
/// </summary>
internal static class DownloadBenchmark
{
    private const int FileSize = 5 * 1024 * 1024;

    /// <summary>The commons program the benchmark datasets are registered in.</summary>
    internal const string Program = "bench";

    /// <summary>The commons project the benchmark datasets are registered in.</summary>
    internal const string Project = "dl";

    private const string FilesDataset = "bench-files";
    private const string DicomDataset = "bench-dicom";

    private static readonly int FileCount = BenchmarkReport.Size("DTP_BENCH_FILES", 200, 40);

    public static async Task RunAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        Console.WriteLine($"load: {File.ReadAllText("/proc/loadavg").Trim()} ({Environment.ProcessorCount} cores)");
        var cache = Path.Combine(Path.GetTempPath(), "dtp-benchmarks", $"download-{FileCount}");
        var clock = Stopwatch.StartNew();
        var files = await EnsureFilesAsync(Path.Combine(cache, "local"), FilesDataset, FileCount, cancellationToken);
        var instances = await EnsureInstancesAsync(Path.Combine(cache, "dicom"), cancellationToken);
        Console.WriteLine($"cache {cache}: {FileCount} files and {instances.Count} DICOM instances ready in {clock.Elapsed.TotalSeconds:F1} s");

        var work = Directory.CreateTempSubdirectory("dtp-bench-download-").FullName;
        try
        {
            var disk = DiskWriteSeconds(work, (long)FileCount * FileSize);
            var diskRate = Rate((long)FileCount * FileSize, disk);
            Console.WriteLine($"disk write (FileStream + fsync): {FileCount * (long)FileSize / 1e6:F0} MB in {disk:F2} s = {diskRate:F0} MB/s");
            report.Add($"disk write (FileStream + fsync), {FileCount} x 5 MB", diskRate, "MB/s");

            await using var commons = await TestCommons.StartAsync(cancellationToken);
            await commons.CreateProjectAsync(Program, Project, cancellationToken);
            await RegisterAsync(commons, FilesDataset, files, cancellationToken);
            var study = instances[0].StudyInstanceUid;
            await SubmitAsync(commons, [SdsRecords.Experiment(DicomDataset, Project), SdsRecords.Case(PacsLayout.SubjectFolder(study), DicomDataset)], cancellationToken);
            using var auth = commons.CreateAuth(work);

            var localRoot = Path.Combine(cache, "local");
            var localFiles = Path.Combine(localRoot, FilesDataset, "primary");
            await MeasureAsync(report, "local", new LocalDataStore(localRoot), "local", FilesDataset, auth, work, diskRate,
                destination => CopyOneByOneAsync(localFiles, destination, cancellationToken), cancellationToken);

            await using (var server = IrodsTestServer.Start())
            {
                var collection = await LinkIntoIrodsAsync(server, localRoot, FilesDataset, cancellationToken);
                await using var client = new IrodsClient(IrodsDownloadBenchmark.Options(server));
                await MeasureAsync(report, "irods", new IrodsDataStore(client, server.HomeOf("rods")), "irods", FilesDataset, auth, work, diskRate,
                    destination => IrodsDownloadBenchmark.RawCopyAsync(server.LocalPathOf($"{collection}/primary"), destination, 1, cancellationToken), cancellationToken);
            }

            await using (var orthanc = await OrthancServer.StartAsync(cancellationToken: cancellationToken))
            {
                var config = Path.Combine(work, "pacs.json");
                await File.WriteAllTextAsync(config, new JsonObject
                {
                    ["pacs_url"] = orthanc.DicomWebRoot.ToString(), ["pacs_username"] = orthanc.UserName, ["pacs_password"] = orthanc.Password,
                }.ToJsonString(), cancellationToken);
                using var store = PacsDataStore.Create(PacsConfig.Load(config));
                clock.Restart();
                var uploaded = await store.UploadFilesAsync([Path.Combine(cache, "dicom")], cancellationToken: cancellationToken);
                Console.WriteLine($"orthanc: {uploaded.FilesTransferred} instances, {uploaded.BytesTransferred / 1e6:F0} MB stored (STOW-RS) in {clock.Elapsed.TotalSeconds:F1} s (setup, not timed below)");
                await MeasureAsync(report, "pacs (DICOMweb)", store, "pacs", DicomDataset, auth, work, diskRate,
                    destination => CurlOneByOneAsync(orthanc, instances, destination, cancellationToken), cancellationToken);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Downloads a dataset twice (the second run resumes and should transfer nothing), times the raw copy, and prints the figures.</summary>
    private static async Task MeasureAsync(BenchmarkReport report, string label, IDataStore store, string kind, string datasetId, Gen3.Auth auth, string work, double diskRate,
        Func<string, Task> rawCopy, CancellationToken cancellationToken)
    {
        var destination = Path.Combine(work, "dest");
        var options = new DownloadOptions { Program = Program, Project = Project };
        await using var downloader = new Downloader(store, kind, auth);
        PeakMemory.Reset();
        var clock = Stopwatch.StartNew();
        var first = await downloader.DownloadDatasetAsync(datasetId, destination, options, cancellationToken: cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        var peak = PeakMemory.Megabytes();
        if (!first.Complete || first.Transferred != FileCount)
        {
            throw new InvalidOperationException($"{label}: {first.Transferred} of {FileCount} files transferred; "
                + string.Join("; ", first.Files.Where(f => f.Reason is not null).Take(5).Select(f => $"{f.Path}: {f.Reason}")));
        }

        clock.Restart();
        var second = await downloader.DownloadDatasetAsync(datasetId, destination, options, cancellationToken: cancellationToken);
        var resume = clock.Elapsed.TotalSeconds;
        Directory.Delete(destination, recursive: true);

        var raw = Path.Combine(work, "raw");
        Directory.CreateDirectory(raw);
        clock.Restart();
        await rawCopy(raw);
        var rawSeconds = clock.Elapsed.TotalSeconds;
        Directory.Delete(raw, recursive: true);

        var rate = Rate(first.BytesTransferred, seconds);
        var rawRate = Rate(first.BytesTransferred, rawSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: {first.Transferred} files, {first.BytesTransferred / 1e6:F0} MB in {seconds:F2} s = {rate:F0} MB/s; raw single stream {rawRate:F0} MB/s ({rawSeconds:F2} s), "
            + $"ratio {rate / rawRate:F2}; disk write ratio {rate / diskRate:F2}; peak working set {peak} MB; "
            + $"second run {resume:F2} s ({second.Transferred} transferred, {second.Skipped} skipped)"));
        report.Add($"Downloader, {label}, {FileCount} x 5 MB (4 parallel)", rate, "MB/s", "raw single-stream copy", rawRate, peakMemoryMb: peak);
        report.Add($"Downloader, {label}, second run (resume, nothing to transfer)", resume, "s");
    }

    /// <summary>Registers a dataset of generated files in the commons: its experiment and a manifest row per file with the file's facts.</summary>
    internal static async Task RegisterAsync(TestCommons commons, string dataset, IEnumerable<(string Name, ManifestFileFacts Facts)> files, CancellationToken cancellationToken)
    {
        var records = new JsonArray { SdsRecords.Experiment(dataset, Project) };
        foreach (var (name, facts) in files)
        {
            records.Add(SdsRecords.Manifest(dataset, name, facts));
        }

        await SubmitAsync(commons, records, cancellationToken);
    }

    /// <summary>Puts a dataset folder of the local cache into the iRODS test server's home collection as hard links (no copy); returns its collection.</summary>
    internal static async Task<string> LinkIntoIrodsAsync(IrodsTestServer server, string localRoot, string dataset, CancellationToken cancellationToken)
    {
        var collection = $"{server.HomeOf("rods")}/{dataset}";
        Directory.CreateDirectory(server.LocalPathOf(server.HomeOf("rods")));
        await ExternalTool.RunAsync("cp", ["-rl", Path.Combine(localRoot, dataset), server.LocalPathOf(collection)], cancellationToken);
        return collection;
    }

    private static async Task SubmitAsync(TestCommons commons, JsonArray records, CancellationToken cancellationToken)
    {
        using var http = commons.CreateClient();
        using var content = new StringContent(records.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PutAsync(new Uri($"api/v0/submission/{Program}/{Project}", UriKind.Relative), content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"submission failed: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    /// <summary>
    /// Writes the dataset <c>&lt;root&gt;/&lt;dataset&gt;/primary/file-NNN.bin</c> of <paramref name="count"/> files of 5 MB (seeded random
    /// bytes) unless it is there, with a <c>&lt;dataset&gt;.SHA256SUMS</c> file beside it; returns each file's dataset-relative path and facts.
    /// </summary>
    internal static async Task<List<(string Name, ManifestFileFacts Facts)>> EnsureFilesAsync(string root, string dataset, int count, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(root, dataset, "primary");
        var sums = Path.Combine(root, dataset + ".SHA256SUMS");
        if (!File.Exists(sums))
        {
            Directory.CreateDirectory(folder);
            var lines = new List<string>();
            var bytes = new byte[FileSize];
            for (var i = 0; i < count; i++)
            {
                new Random(i).NextBytes(bytes);
                var name = string.Create(CultureInfo.InvariantCulture, $"file-{i:D3}.bin");
                await File.WriteAllBytesAsync(Path.Combine(folder, name), bytes, cancellationToken);
                lines.Add($"{Convert.ToHexStringLower(SHA256.HashData(bytes))}  {name}");
            }

            await File.WriteAllLinesAsync(sums + ".tmp", lines, cancellationToken);
            File.Move(sums + ".tmp", sums);
        }

        return [.. (await File.ReadAllLinesAsync(sums, cancellationToken)).Select(line => line.Split("  "))
            .Select(parts => ($"primary/{parts[1]}", new ManifestFileFacts(FileSize, parts[0])))];
    }

    /// <summary>Writes 200 instances of about 5 MB (one study, two series) unless they are there, with an index of their UIDs; returns that index.</summary>
    private static async Task<List<DicomInstanceUids>> EnsureInstancesAsync(string folder, CancellationToken cancellationToken)
    {
        var index = folder + ".tsv";
        if (!File.Exists(index))
        {
            Directory.CreateDirectory(folder);
            var options = new SyntheticStudyOptions { Seed = 1200, SeriesPerStudy = 2, InstancesPerSeries = FileCount / 2, Rows = 1620, Columns = 1620, Modalities = ["MR"] };
            var lines = new List<string>();
            foreach (var file in SyntheticStudies.Generate(options))
            {
                var uids = new[] { DicomTag.StudyInstanceUID, DicomTag.SeriesInstanceUID, DicomTag.SOPInstanceUID }.Select(t => file.Dataset.GetString(t)!).ToArray();
                await file.SaveAsync(Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{lines.Count:D3}.dcm")), cancellationToken: cancellationToken);
                lines.Add(string.Join('\t', uids));
            }

            await File.WriteAllLinesAsync(index + ".tmp", lines, cancellationToken);
            File.Move(index + ".tmp", index);
        }

        return [.. (await File.ReadAllLinesAsync(index, cancellationToken)).Select(line => line.Split('\t')).Select(u => new DicomInstanceUids(u[0], u[1], u[2]))];
    }

    /// <summary>Writes <paramref name="bytes"/> to a new file in 4 MB blocks and fsyncs it; returns the seconds taken.</summary>
    private static double DiskWriteSeconds(string work, long bytes)
    {
        var path = Path.Combine(work, "disk-write.bin");
        var block = new byte[4 << 20];
        Random.Shared.NextBytes(block);
        var clock = Stopwatch.StartNew();
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
        {
            for (long written = 0; written < bytes; written += block.Length)
            {
                file.Write(block, 0, (int)Math.Min(block.Length, bytes - written));
            }

            file.Flush(flushToDisk: true);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        File.Delete(path);
        return seconds;
    }

    /// <summary>The local store's raw rate: the same files copied one after another with plain streams.</summary>
    private static async Task CopyOneByOneAsync(string sourceFolder, string destination, CancellationToken cancellationToken)
    {
        foreach (var path in Directory.GetFiles(sourceFolder))
        {
            await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
            await using var target = new FileStream(Path.Combine(destination, Path.GetFileName(path)), FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
            await source.CopyToAsync(target, 4 << 20, cancellationToken);
        }
    }

    /// <summary>Orthanc's raw rate: curl fetching the same instances (WADO-RS) one after another over one connection.</summary>
    private static Task CurlOneByOneAsync(OrthancServer server, List<DicomInstanceUids> instances, string destination, CancellationToken cancellationToken) =>
        ExternalTool.RunAsync("curl", ExternalTool.CurlWadoArguments(server, instances.Select((u, i) =>
            ($"studies/{u.StudyInstanceUid}/series/{u.SeriesInstanceUid}/instances/{u.SopInstanceUid}", Path.Combine(destination, string.Create(CultureInfo.InvariantCulture, $"{i:D3}.multipart"))))),
            cancellationToken);

    private static double Rate(long bytes, double seconds) => bytes / 1e6 / seconds;
}
