using Dtp.Storage;
using Dtp.Storage.Irods;

namespace Dtp.Tests.Irods;

public sealed class IrodsDataStoreTests
{
    private const string Root = "/tempZone/home/rods/projects";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UploadDatasetAsync_ThenDownloadDatasetAsync_RoundTripsTheFolderTree()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var store = new IrodsDataStore(client, Root);
        var source = Directory.CreateTempSubdirectory("dtp-irods-src-").FullName;
        var files = new Dictionary<string, byte[]>
        {
            ["dataset_description.xlsx"] = [1, 2, 3],
            ["primary/sub-1/sam 1/scan é.dcm"] = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray(),
            ["docs/empty.txt"] = [],
        };
        foreach (var (relative, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, relative))!);
            await File.WriteAllBytesAsync(Path.Combine(source, relative), bytes, Ct);
        }

        var destination = Directory.CreateTempSubdirectory("dtp-irods-dst-").FullName;

        var uploaded = await store.UploadDatasetAsync("ds-1", source, cancellationToken: Ct);
        var listed = await store.ListAsync("ds-1", Ct).ToListAsync(Ct);
        var downloaded = await store.DownloadDatasetAsync("ds-1", destination, cancellationToken: Ct);

        Assert.Equal(3, uploaded.Files);
        Assert.Equal(files.Keys.Order(StringComparer.Ordinal), listed.Select(f => f.RelativePath).Order(StringComparer.Ordinal));
        Assert.All(listed, f => Assert.Equal("sha256", f.Checksum?.Algorithm));
        Assert.Equal(3, downloaded.Verified);
        foreach (var (relative, bytes) in files)
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(destination, "ds-1", relative), Ct));
        }

        Directory.Delete(source, recursive: true);
        Directory.Delete(destination, recursive: true);
    }

    [Fact]
    public async Task DownloadDatasetAsync_Again_SkipsCompleteFilesAndResumesAPartialOne()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var store = new IrodsDataStore(client, Root);
        var big = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 13)).ToArray();
        await using (var content = new MemoryStream(big))
        {
            await store.UploadAsync("ds-2", "a/big.bin", content, Ct);
        }

        await using (var content = new MemoryStream([9, 9, 9]))
        {
            await store.UploadAsync("ds-2", "small.bin", content, Ct);
        }

        var destination = Directory.CreateTempSubdirectory("dtp-irods-resume-").FullName;
        await store.DownloadDatasetAsync("ds-2", destination, cancellationToken: Ct);
        var target = Path.Combine(destination, "ds-2", "a", "big.bin");
        File.Delete(target);
        await File.WriteAllBytesAsync(target + IrodsClient.PartialSuffix, big[..100_000], Ct);

        var again = await store.DownloadDatasetAsync("ds-2", destination, cancellationToken: Ct);

        Assert.Equal(1, again.Skipped);
        Assert.Equal(200_000, again.Bytes);
        Assert.Equal(big, await File.ReadAllBytesAsync(target, Ct));
        Directory.Delete(destination, recursive: true);
    }

    [Fact]
    public async Task OpenReadAsync_ListedFile_SendsNoReadRequestPastItsEnd()
    {
        await using var server = IrodsTestKit.StartServer();
        var options = IrodsTestKit.ClientOptions(server);
        options.ChunkSize = 4096;
        await using var client = new IrodsClient(options);
        var store = new IrodsDataStore(client, Root);
        var bytes = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray();
        await using (var content = new MemoryStream(bytes))
        {
            await store.UploadAsync("ds-4", "data.bin", content, Ct);
        }

        var file = Assert.Single(await store.ListAsync("ds-4", Ct).ToListAsync(Ct));
        server.ClearCapture();

        using var copy = new MemoryStream();
        await using (var stream = await store.OpenReadAsync("ds-4", file, 0, Ct))
        {
            await stream.CopyToAsync(copy, Ct);
        }

        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal(3, server.Captured.Count(m => m.IntInfo == 675));
    }

    [Fact]
    public async Task ListAsync_ForMissingDataset_ThrowsRemoteError()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var store = new IrodsDataStore(client, Root);

        var ex = await Assert.ThrowsAsync<DtpException>(async () => await store.ListAsync("nope", Ct).ToListAsync(Ct));

        Assert.Equal(DtpErrorKind.Remote, ex.Kind);
        Assert.Contains("nope", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteDatasetAsync_ExistingThenMissing_CountsFilesThenReturnsZero()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var store = new IrodsDataStore(client, Root);
        await using (var content = new MemoryStream([1]))
        {
            await store.UploadAsync("ds-3", "x/y.bin", content, Ct);
        }

        var deleted = await store.DeleteDatasetAsync("ds-3", Ct);
        var again = await store.DeleteDatasetAsync("ds-3", Ct);

        Assert.Equal((1, 0), (deleted, again));
    }

    [Fact]
    public async Task UploadAsync_PathWithDotDot_IsRefused()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var store = new IrodsDataStore(client, Root);
        await using var content = new MemoryStream([1]);

        var ex = await Assert.ThrowsAsync<DtpException>(() => store.UploadAsync("ds-4", "../escape.bin", content, Ct));

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
    }
}
