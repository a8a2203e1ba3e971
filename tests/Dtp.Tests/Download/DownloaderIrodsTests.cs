using Dtp.Download;
using Dtp.Storage.Irods;
using Dtp.Testing;
using Dtp.Testing.Irods;
using Dtp.Tests.Irods;

namespace Dtp.Tests.Download;

/// <summary>Downloads from the iRODS test server (the collection <c>&lt;project root&gt;/&lt;id&gt;</c>), directly and through the fault proxy.</summary>
public sealed class DownloaderIrodsTests : IAsyncLifetime
{
    private const string DatasetId = "dataset-12L_1-version-1";
    private const string ProjectRoot = "/tempZone/home/rods";
    private DownloadTestBed bed = null!;
    private IrodsTestServer server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Final => Path.Combine(bed.Destination, DatasetId);

    public async ValueTask InitializeAsync()
    {
        server = IrodsTestKit.StartServer();
        bed = await DownloadTestBed.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await bed.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task DownloadDatasetAsync_IrodsCollection_DeliversEveryFileByteIdenticalVerifiedAgainstIrodsChecksums()
    {
        var source = await PublishAsync();

        var summary = await DownloadAsync(IrodsTestKit.ClientOptions(server));

        Assert.True(summary.Complete, string.Join("\n", summary.Files.Select(f => $"{f.Path}: {f.Reason}")));
        DownloadTestBed.AssertContains(source, Final, DownloadTestBed.IsData);
        Assert.Equal(Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Count() - 4, summary.Files.Count);
        Assert.All(summary.Files, f => Assert.Contains("sha256 (store)", f.VerifiedWith, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadDatasetAsync_ConnectionCutMidTransfer_FailsClearlyThenTheNextRunCompletes()
    {
        var source = await PublishAsync();
        await using var proxy = FaultProxy.Start("127.0.0.1", server.Port);
        var options = IrodsTestKit.ClientOptions(server);
        options.Port = proxy.Port;
        options.MaxConnections = 1;
        proxy.DefaultFault = Fault.CutResponseAfter(200_000);

        var cut = await DownloadAsync(options, new DownloadOptions { TransferAttempts = 1, MaxParallelTransfers = 1 });
        proxy.DefaultFault = Fault.None;
        var again = await DownloadAsync(options);

        Assert.False(cut.Complete);
        Assert.All(cut.Files.Where(f => f.Status == DownloadFileStatus.Failed), f => Assert.Contains("partial file is kept", f.Reason, StringComparison.Ordinal));
        Assert.True(cut.Verified > 0);
        Assert.True(again.Complete, string.Join("\n", again.Files.Select(f => $"{f.Path}: {f.Reason}")));
        Assert.Equal(cut.Verified, again.Skipped);
        Assert.Equal(cut.Failed, again.Transferred);
        DownloadTestBed.AssertContains(source, Final, DownloadTestBed.IsData);
        Assert.Empty(Directory.EnumerateFiles(Final, "*.part", SearchOption.AllDirectories));
    }

    private async Task<string> PublishAsync()
    {
        var source = await bed.SubmitExampleAsync(DatasetId);
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        await new IrodsDataStore(client, ProjectRoot).UploadDatasetAsync(DatasetId, source, cancellationToken: Ct);
        return source;
    }

    private async Task<DownloadSummary> DownloadAsync(IrodsClientOptions clientOptions, DownloadOptions? options = null)
    {
        using var auth = bed.CreateAuth();
        await using var client = new IrodsClient(clientOptions);
        await using var downloader = new Downloader(new IrodsDataStore(client, ProjectRoot), "irods", auth);
        return await downloader.DownloadDatasetAsync(DatasetId, bed.Destination, options, cancellationToken: Ct);
    }
}
