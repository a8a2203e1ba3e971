using System.Globalization;
using System.Text.Json.Nodes;
using Dtp.Config;
using Dtp.Dicom;
using Dtp.Download;
using Dtp.Gen3;
using Dtp.Storage;
using Dtp.Storage.Irods;
using Dtp.Storage.Pacs;
using Dtp.Testing;
using Dtp.Testing.Commons;
using Dtp.Tests.Download;
using Dtp.Tests.Irods;
using Dtp.Tests.Pacs;
using Dtp.Upload;

namespace Dtp.Tests.Reliability;

/// <summary>
/// Every network operation of dtp run through the <see cref="FaultProxy"/> with each fault, once (the first connection only) and
/// always (every connection). Each case ends either in success with byte-identical files and every record present exactly once,
/// or in a <see cref="DtpException"/> that names the host and is no stack trace; no file at a destination is ever corrupt.
/// </summary>
/// <remarks>
/// Policy under test: GETs, the token exchange and GraphQL queries (reads, though POSTed) are retried with exponential backoff
/// and jitter within <see cref="Gen3ClientOptions.MaxRetryAttempts"/>, honouring Retry-After; submissions (PUT) are sent again
/// only because sheepdog keys records by <c>submitter_id</c> (a repeat updates, never duplicates); downloads resume.
/// iRODS speaks its own protocol over TCP: HTTP answers (429, 5xx) do not apply to it, so its operations get the TCP faults only.
/// </remarks>
public sealed class FaultMatrixTests(FaultMatrixFixture fixture) : IClassFixture<FaultMatrixFixture>
{
    private static readonly Gen3ClientOptions Client = new() { MaxRetryAttempts = 2, RetryDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(20) };

    private static readonly Dictionary<string, Func<long, Fault>> Faults = new(StringComparer.Ordinal)
    {
        ["drop"] = _ => Fault.Drop,
        ["reset"] = _ => Fault.Reset,
        ["delay"] = _ => Fault.Delayed(TimeSpan.FromMilliseconds(200)),
        ["reset-mid-body"] = Fault.ResetResponseAfter,
        ["truncated-body"] = Fault.CutResponseAfter,
        ["429-retry-after-1"] = _ => Fault.HttpError(429, retryAfterSeconds: 1),
        ["500-html"] = _ => Fault.HttpError(500),
        ["502-html"] = _ => Fault.HttpError(502),
        ["503-html"] = _ => Fault.HttpError(503),
        ["504-html"] = _ => Fault.HttpError(504),
    };

    private static readonly string[] TcpFaults = ["drop", "reset", "delay", "reset-mid-body", "truncated-body"];

    /// <summary>Operations by name: whether HTTP faults apply, and how many response bytes pass before a mid-body fault.</summary>
    private static readonly Dictionary<string, (bool Http, long MidBody)> Operations = new(StringComparer.Ordinal)
    {
        ["auth-token-exchange"] = (true, 300),
        ["gen3-graphql-query"] = (true, 300),
        ["gen3-export-json"] = (true, 300),
        ["gen3-export-tsv"] = (true, 300),
        ["gen3-submit"] = (true, 300),
        ["pacs-list"] = (true, 300),
        ["pacs-download"] = (true, 2_000),
        ["pacs-upload"] = (true, 300),
        ["irods-list"] = (false, 2_000),
        ["irods-download"] = (false, 300_000),
        ["irods-upload"] = (false, 500),
        ["downloader"] = (true, 2_000),
        ["uploader"] = (true, 300),
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Gets every (operation, fault, mode) case: HTTP faults for HTTP operations, TCP faults for all.</summary>
    public static TheoryData<string, string, string> Cases()
    {
        var cases = new TheoryData<string, string, string>();
        foreach (var (operation, (http, _)) in Operations)
        {
            foreach (var fault in http ? [.. Faults.Keys] : TcpFaults)
            {
                cases.Add(operation, fault, "once");
                cases.Add(operation, fault, "always");
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Operation_UnderFault_SucceedsExactlyOrFailsClearly(string operation, string fault, string mode)
    {
        var injected = Faults[fault](Operations[operation].MidBody);
        await using var proxies = new Proxies(fixture, fault, injected, mode == "always");

        var (error, recovered) = await RunAsync(operation, proxies);

        TestContext.Current.SendDiagnosticMessage($"{operation} × {fault} × {mode}: {(error is null ? "succeeded" : "failed: " + error.Message)} ({string.Join(", ", proxies.Log)})");
        if (error is not null)
        {
            var dtp = error as DtpException ?? throw new Xunit.Sdk.XunitException($"{operation} ended in a {error.GetType().Name}, not a DtpException: {error}");
            Assert.True(proxies.Hosts.Any(h => dtp.Message.Contains(h, StringComparison.Ordinal)), $"the error names none of {string.Join(", ", proxies.Hosts)}: {dtp.Message}");
            Assert.DoesNotContain("   at ", dtp.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("<html", dtp.Message, StringComparison.OrdinalIgnoreCase);
        }

        if (fault == "delay")
        {
            Assert.Null(error);
        }
        else if (mode == "always" && !fault.EndsWith("-body", StringComparison.Ordinal))
        {
            // A connection cut mid-body still moves a resumable transfer forward; every other fault leaves nothing to retry with.
            Assert.NotNull(error);
        }
        else if (mode == "once" && MustRecover(operation, fault))
        {
            Assert.True(error is null && recovered, $"{operation} did not recover from one {fault}: {error?.Message}");
        }
    }

    [Fact]
    public async Task GraphqlQueryAsync_429AskingForAnHour_IsRetriedWithinTheBudget()
    {
        await using var proxy = FaultProxy.Start(new Uri(fixture.Bed.Commons.BaseUrl));
        proxy.FailNext(Fault.HttpError(429, retryAfterSeconds: 3600));
        using var handler = FaultMatrixFixture.Through(proxy);
        using var auth = fixture.TokenAuth(handler);
        var querier = new Querier(auth, new Gen3ClientOptions { MaxRetryAttempts = 1, RetryDelay = TimeSpan.FromMilliseconds(20), MaxRetryAfter = TimeSpan.FromMilliseconds(200) });
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        budget.CancelAfter(TimeSpan.FromMinutes(2)); // fails the test instead of waiting the hour asked for

        var data = await querier.GraphqlQueryAsync($"{{ case(first: 0, project_id: \"{DownloadTestBed.Program}-{DownloadTestBed.Project}\") {{ submitter_id }} }}", cancellationToken: budget.Token);

        Assert.Equal(fixture.Cases.Count, ((JsonArray)data["case"]!).Count);
        Assert.Equal(2, proxy.ConnectionCount);
    }

    /// <summary>
    /// Operations whose policy is to retry or resume: one fault must not make them fail. The PACS and iRODS stores themselves
    /// fail clearly on a broken connection (their callers, the downloader and uploader, decide about trying again), except that
    /// an iRODS download resumes a transfer cut mid-body.
    /// </summary>
    private static bool MustRecover(string operation, string fault) => operation is "auth-token-exchange" or "gen3-graphql-query" or "gen3-export-json" or "gen3-export-tsv"
        or "gen3-submit" or "downloader" || operation == "irods-download" && fault.EndsWith("-body", StringComparison.Ordinal);

    /// <summary>Runs an operation; returns the error it ended with (null on success, which it has checked) and whether it succeeded.</summary>
    private async Task<(Exception? Error, bool Succeeded)> RunAsync(string operation, Proxies proxies)
    {
        try
        {
            var run = operation switch
            {
                "auth-token-exchange" => TokenExchangeAsync(proxies),
                "gen3-graphql-query" => GraphqlQueryAsync(proxies),
                "gen3-export-json" => ExportAsync(proxies, Gen3ExportFormat.Json),
                "gen3-export-tsv" => ExportAsync(proxies, Gen3ExportFormat.Tsv),
                "gen3-submit" => SubmitAsync(proxies),
                "pacs-list" => PacsListAsync(proxies),
                "pacs-download" => PacsDownloadAsync(proxies),
                "pacs-upload" => PacsUploadAsync(proxies),
                "irods-list" => IrodsListAsync(proxies),
                "irods-download" => IrodsDownloadAsync(proxies),
                "irods-upload" => IrodsUploadAsync(proxies),
                "downloader" => DownloaderAsync(proxies),
                "uploader" => UploaderAsync(proxies),
                _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
            };
            await run;
            return (null, true);
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.IAssertionException)
        {
            return (ex, false);
        }
    }

    private async Task TokenExchangeAsync(Proxies proxies)
    {
        using var handler = FaultMatrixFixture.Through(proxies.Commons);
        using var auth = fixture.KeyAuth(handler);
        proxies.Target(proxies.Commons, fixture.Bed.Commons.BaseUrl);

        var token = await auth.RefreshAccessTokenAsync(cancellationToken: Ct);

        Assert.Equal(3, token.Split('.').Length);
    }

    private async Task GraphqlQueryAsync(Proxies proxies)
    {
        using var handler = FaultMatrixFixture.Through(proxies.Commons);
        using var auth = fixture.TokenAuth(handler);
        proxies.Target(proxies.Commons, fixture.Bed.Commons.BaseUrl);

        var data = await new Querier(auth, Client).GraphqlQueryAsync(
            $"{{ case(first: 0, project_id: \"{DownloadTestBed.Program}-{DownloadTestBed.Project}\") {{ submitter_id subject_id age sex species strain age_category created_datetime updated_datetime }} }}",
            cancellationToken: Ct);

        Assert.Equal(fixture.Cases.Order(StringComparer.Ordinal), ((JsonArray)data["case"]!).Select(c => (string)c!["submitter_id"]!).Order(StringComparer.Ordinal));
    }

    private async Task ExportAsync(Proxies proxies, Gen3ExportFormat format)
    {
        using var handler = FaultMatrixFixture.Through(proxies.Commons);
        using var auth = fixture.TokenAuth(handler);
        proxies.Target(proxies.Commons, fixture.Bed.Commons.BaseUrl);

        var records = await new Exporter(auth, Client).ExportNodeAsync(DownloadTestBed.Program, DownloadTestBed.Project, "case", format, cancellationToken: Ct);

        Assert.Equal(fixture.Cases.Order(StringComparer.Ordinal), records.Select(r => (string)r["submitter_id"]!).Order(StringComparer.Ordinal));
    }

    private async Task SubmitAsync(Proxies proxies)
    {
        var experiment = $"fm-{Guid.NewGuid():N}";
        var cases = Enumerable.Range(1, 5).Select(i => $"{experiment}-sub-{i}").ToList();
        using var handler = FaultMatrixFixture.Through(proxies.Commons);
        using var auth = fixture.TokenAuth(handler);
        proxies.Target(proxies.Commons, fixture.Bed.Commons.BaseUrl);
        using var submitter = new Gen3Submitter(fixture.Bed.Commons.BaseUrl, auth, new Gen3SubmitterOptions { Client = Client, Dictionary = Dtp.Gen3.Dictionary.Gen3Dictionary.Sds });

        try
        {
            var result = await submitter.SubmitRecordsAsync(DownloadTestBed.Program, FaultMatrixFixture.SubmitProject,
                [SdsRecords.Experiment(experiment, FaultMatrixFixture.SubmitProject), .. cases.Select(c => SdsRecords.Case(c, experiment))], cancellationToken: Ct);
            Assert.True(result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));
        }
        finally
        {
            // Whatever the outcome, no record is there twice; after a success every one is there.
            using var direct = fixture.Bed.CreateAuth();
            var stored = (await new Querier(direct).GetNodeRecordsAsync("case", DownloadTestBed.Program, FaultMatrixFixture.SubmitProject, Ct))
                .Select(r => (string)r["submitter_id"]!).Where(s => s.StartsWith(experiment, StringComparison.Ordinal)).ToList();
            Assert.Equal(stored.Count, stored.Distinct(StringComparer.Ordinal).Count());
            proxies.Stored = stored;
        }

        Assert.Equal(cases, proxies.Stored!.Order(StringComparer.Ordinal));
    }

    private PacsDataStore OpenPacs(Proxies proxies)
    {
        proxies.Target(proxies.Orthanc, proxies.Orthanc.BaseAddress.ToString());
        return PacsDataStore.Create(PacsConfig.Load(PacsTestData.WriteConfig(fixture.Bed.Root, fixture.Orthanc, url: new Uri(proxies.Orthanc.BaseAddress, "dicom-web/"))));
    }

    private async Task PacsListAsync(Proxies proxies)
    {
        using var store = OpenPacs(proxies);

        var files = await store.ListAsync(fixture.PacsStudy, Ct).ToListAsync(Ct);

        Assert.Equal(fixture.PacsFiles.Keys.Order(StringComparer.Ordinal), files.Select(f => f.Locator.Split('/')[1]).Order(StringComparer.Ordinal));
    }

    private async Task PacsDownloadAsync(Proxies proxies)
    {
        var (sop, expected) = fixture.PacsFiles.First();
        var series = DicomFile.ReadHeader(expected).Dataset.GetString(DicomTag.SeriesInstanceUID);
        using var store = OpenPacs(proxies);

        await using var stream = await store.OpenReadAsync(fixture.PacsStudy, new StoredFile("x.dcm", expected.Length, null, $"{series}/{sop}/"), cancellationToken: Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);

        Assert.Equal(expected, copy.ToArray());
    }

    private async Task PacsUploadAsync(Proxies proxies)
    {
        var instance = SyntheticStudies.Generate(new SyntheticStudyOptions { Seed = Random.Shared.Next(), SeriesPerStudy = 1, InstancesPerSeries = 1, Rows = 16, Columns = 16 }).Single();
        var study = instance.Dataset.GetString(DicomTag.StudyInstanceUID)!;
        var path = Path.Combine(fixture.Bed.Root, $"{Guid.NewGuid():N}.dcm");
        await instance.SaveAsync(path, cancellationToken: Ct);
        using var store = OpenPacs(proxies);

        await using (var content = File.OpenRead(path))
        {
            await store.UploadAsync(study, "a.dcm", content, Ct);
        }

        using var direct = PacsDataStore.Create(PacsConfig.Load(PacsTestData.WriteConfig(fixture.Bed.Root, fixture.Orthanc)));
        var listed = await direct.ListAsync(study, Ct).ToListAsync(Ct);
        var stored = Assert.Single(listed);
        await using var read = await direct.OpenReadAsync(study, stored, cancellationToken: Ct);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy, Ct);
        Assert.Equal(await File.ReadAllBytesAsync(path, Ct), copy.ToArray());
    }

    private IrodsClient OpenIrods(Proxies proxies)
    {
        var options = IrodsTestKit.ClientOptions(fixture.Irods);
        options.Port = proxies.Irods.Port;
        options.MaxConnections = 1;
        options.ConnectTimeout = TimeSpan.FromSeconds(5);
        return new IrodsClient(options);
    }

    private static string IrodsHost(Proxies proxies) => $"127.0.0.1:{proxies.Irods.Port.ToString(CultureInfo.InvariantCulture)}";

    private async Task IrodsListAsync(Proxies proxies)
    {
        await using var client = OpenIrods(proxies);
        proxies.Target(proxies.Irods, IrodsHost(proxies));

        var files = await new IrodsDataStore(client, FaultMatrixFixture.IrodsRoot).ListAsync(FaultMatrixFixture.IrodsDataset, Ct).ToListAsync(Ct);

        Assert.Equal(fixture.IrodsFiles.Keys.Order(StringComparer.Ordinal), files.Select(f => f.RelativePath).Order(StringComparer.Ordinal));
        Assert.All(files, f => Assert.Equal(fixture.IrodsFiles[f.RelativePath].Length, f.Size));
    }

    private async Task IrodsDownloadAsync(Proxies proxies)
    {
        var expected = fixture.IrodsFiles["nested/large.bin"];
        var destination = Path.Combine(fixture.Bed.Root, $"irods-{Guid.NewGuid():N}");
        await using var client = OpenIrods(proxies);
        proxies.Target(proxies.Irods, IrodsHost(proxies));

        try
        {
            await new IrodsDataStore(client, FaultMatrixFixture.IrodsRoot).DownloadDatasetAsync(FaultMatrixFixture.IrodsDataset, destination, cancellationToken: Ct);
        }
        finally
        {
            AssertNoCorruptFile(Path.Combine(destination, FaultMatrixFixture.IrodsDataset), fixture.IrodsFiles);
        }

        Assert.Equal(expected, await File.ReadAllBytesAsync(Path.Combine(destination, FaultMatrixFixture.IrodsDataset, "nested", "large.bin"), Ct));
        Assert.Equal(fixture.IrodsFiles["small.txt"], await File.ReadAllBytesAsync(Path.Combine(destination, FaultMatrixFixture.IrodsDataset, "small.txt"), Ct));
    }

    private async Task IrodsUploadAsync(Proxies proxies)
    {
        var dataset = $"fm-up-{Guid.NewGuid():N}";
        var bytes = new byte[200_000];
        Random.Shared.NextBytes(bytes);
        await using var client = OpenIrods(proxies);
        proxies.Target(proxies.Irods, IrodsHost(proxies));

        await new IrodsDataStore(client, FaultMatrixFixture.IrodsRoot).UploadAsync(dataset, "a/b.bin", new MemoryStream(bytes), Ct);

        Assert.Equal(bytes, await File.ReadAllBytesAsync(fixture.Irods.LocalPathOf($"{FaultMatrixFixture.IrodsRoot}/{dataset}/a/b.bin"), Ct));
    }

    private async Task DownloaderAsync(Proxies proxies)
    {
        var destination = Path.Combine(fixture.Bed.Root, $"dl-{Guid.NewGuid():N}");
        using var handler = FaultMatrixFixture.Through(proxies.Commons);
        using var auth = fixture.TokenAuth(handler);
        await using var client = OpenIrods(proxies);
        proxies.Target(proxies.Commons, fixture.Bed.Commons.BaseUrl);
        if (TcpFaults.Contains(proxies.FaultName))
        {
            proxies.Target(proxies.Irods, IrodsHost(proxies));
        }

        await using var downloader = new Downloader(new IrodsDataStore(client, FaultMatrixFixture.IrodsRoot), "irods", auth);
        var final = Path.Combine(destination, FaultMatrixFixture.DatasetId);

        DownloadSummary summary;
        try
        {
            summary = await downloader.DownloadDatasetAsync(FaultMatrixFixture.DatasetId, destination, cancellationToken: Ct);
        }
        finally
        {
            var written = Directory.Exists(destination) ? Directory.EnumerateDirectories(destination).Single() : null;
            if (written is not null)
            {
                AssertNoCorruptFile(written, Directory.EnumerateFiles(fixture.DownloadSource, "*", SearchOption.AllDirectories)
                    .ToDictionary(f => Path.GetRelativePath(fixture.DownloadSource, f).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal), DownloadTestBed.IsData);
            }
        }

        if (!summary.Complete)
        {
            Assert.False(Directory.Exists(final));
            var reasons = summary.Files.Where(f => f.Status == DownloadFileStatus.Failed).Select(f => f.Reason!).ToList();
            Assert.All(reasons, r => Assert.DoesNotContain("   at ", r, StringComparison.Ordinal));
            throw new DtpException($"{summary.Failed} files failed: {string.Join("; ", reasons)}");
        }

        DownloadTestBed.AssertContains(fixture.DownloadSource, final, DownloadTestBed.IsData);
    }

    private async Task UploaderAsync(Proxies proxies)
    {
        var store = Path.Combine(fixture.Bed.Root, $"store-{Guid.NewGuid():N}");
        Directory.CreateDirectory(store);
        var config = Path.Combine(store, "local.json");
        await File.WriteAllTextAsync(config, new JsonObject { ["local_root"] = "files" }.ToJsonString(), Ct);
        using var handler = FaultMatrixFixture.Through(proxies.Commons);
        using var auth = fixture.TokenAuth(handler);
        proxies.Target(proxies.Commons, fixture.Bed.Commons.BaseUrl);
        var connection = DataStores.Open("local", config);
        await using var uploader = new Uploader(auth, connection, new UploaderOptions { Client = Client });

        var summary = await uploader.UploadDatasetAsync(fixture.UploadSource, DownloadTestBed.Program, FaultMatrixFixture.UploadProject, cancellationToken: Ct);

        using var direct = fixture.Bed.CreateAuth();
        var manifest = (await new Querier(direct).GetNodeRecordsAsync("manifest", DownloadTestBed.Program, FaultMatrixFixture.UploadProject, Ct))
            .Where(r => ((string)r["submitter_id"]!).StartsWith(summary.DatasetId + "-", StringComparison.Ordinal)).Select(r => (string)r["filename"]!).ToList();
        Assert.Equal(summary.FilesPushed.Count, summary.FilesVerified);
        Assert.Equal(manifest.Count, manifest.Distinct(StringComparer.Ordinal).Count());
        foreach (var file in summary.FilesPushed)
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(fixture.UploadSource, file), Ct), await File.ReadAllBytesAsync(Path.Combine(store, "files", summary.DatasetId, file), Ct));
        }
    }

    /// <summary>Asserts that every file under <paramref name="folder"/>, except <c>.part</c> files, has the bytes expected of it.</summary>
    private static void AssertNoCorruptFile(string folder, Dictionary<string, byte[]> expected, Func<string, bool>? include = null)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".part", StringComparison.Ordinal)))
        {
            var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
            if (include?.Invoke(relative) == false || relative.StartsWith('.'))
            {
                continue;
            }

            Assert.True(expected.TryGetValue(relative, out var bytes), $"{relative} was written but is not a file of the dataset");
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(file)), $"{relative} is corrupt");
        }
    }

    /// <summary>One fault proxy per server, the fault queued on each (once) or set as their default (always).</summary>
    private sealed class Proxies : IAsyncDisposable
    {
        private readonly Fault fault;
        private readonly bool always;
        private readonly List<FaultProxy> faulted = [];

        public Proxies(FaultMatrixFixture fixture, string faultName, Fault fault, bool always)
        {
            FaultName = faultName;
            this.fault = fault;
            this.always = always;
            Commons = FaultProxy.Start(new Uri(fixture.Bed.Commons.BaseUrl));
            Orthanc = FaultProxy.Start(fixture.Orthanc.BaseAddress);
            Irods = FaultProxy.Start("127.0.0.1", fixture.Irods.Port);
        }

        public FaultProxy Commons { get; }

        public FaultProxy Orthanc { get; }

        public FaultProxy Irods { get; }

        public string FaultName { get; }

        /// <summary>Gets the host:port pairs of which an error must name one.</summary>
        public List<string> Hosts { get; } = [];

        public List<string>? Stored { get; set; }

        public IEnumerable<string> Log => faulted.SelectMany(p => p.Log);

        /// <summary>Injects the fault at <paramref name="proxy"/>; an error may name <paramref name="url"/>'s host.</summary>
        public void Target(FaultProxy proxy, string url)
        {
            Hosts.Add(url.Contains("://", StringComparison.Ordinal) ? new Uri(url).Authority : url);
            if (always)
            {
                proxy.DefaultFault = fault;
            }
            else
            {
                proxy.FailNext(fault);
            }

            faulted.Add(proxy);
        }

        public async ValueTask DisposeAsync()
        {
            await Commons.DisposeAsync();
            await Orthanc.DisposeAsync();
            await Irods.DisposeAsync();
        }
    }
}
