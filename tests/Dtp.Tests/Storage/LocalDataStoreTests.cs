using System.Text;
using Dtp.Storage;

namespace Dtp.Tests.Storage;

public sealed class LocalDataStoreTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("dtp-local-store-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task UploadAsync_ThenListAndRead_RoundTripsNestedFiles()
    {
        var store = new LocalDataStore(root);

        await store.UploadAsync("ds-1", "primary/sub-1/sam-1/image 1.dcm", new MemoryStream(Encoding.UTF8.GetBytes("pixels")), Ct);
        await store.UploadAsync("ds-1", "dataset_description.xlsx", new MemoryStream([1, 2, 3]), Ct);
        var files = await store.ListAsync("ds-1", Ct).OrderBy(f => f.RelativePath, StringComparer.Ordinal).ToListAsync(Ct);
        await using var stream = await store.OpenReadAsync("ds-1", files[1], offset: 2, Ct);
        var tail = await new StreamReader(stream).ReadToEndAsync(Ct);

        Assert.Equal(["dataset_description.xlsx", "primary/sub-1/sam-1/image 1.dcm"], files.Select(f => f.RelativePath));
        Assert.Equal([3L, 6L], files.Select(f => f.Size!.Value));
        Assert.Equal("xels", tail);
    }

    [Fact]
    public async Task UploadAsync_WithAPathLeavingTheDataset_IsRefusedAndWritesNothing()
    {
        var store = new LocalDataStore(root);

        var ex = await Assert.ThrowsAsync<DtpException>(() => store.UploadAsync("ds-1", "primary/../../escape.txt", new MemoryStream([1]), Ct));

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
        Assert.Contains("primary/../../escape.txt", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("")]
    public async Task ListAsync_WithAnInvalidDatasetId_ThrowsArgumentException(string datasetId)
    {
        var store = new LocalDataStore(root);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(datasetId, Ct).ToListAsync(Ct).AsTask());
    }

    [Fact]
    public async Task ListAsync_ForAMissingDataset_ThrowsNamingTheDataset()
    {
        var store = new LocalDataStore(root);

        var ex = await Assert.ThrowsAsync<DtpException>(() => store.ListAsync("nope", Ct).ToListAsync(Ct).AsTask());

        Assert.Contains("\"nope\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteDatasetAsync_RemovesEveryFileAndCountsThem()
    {
        var store = new LocalDataStore(root);
        await store.UploadAsync("ds-2", "a.txt", new MemoryStream([1]), Ct);
        await store.UploadAsync("ds-2", "b/c.txt", new MemoryStream([2]), Ct);

        var deleted = await store.DeleteDatasetAsync("ds-2", Ct);
        var again = await store.DeleteDatasetAsync("ds-2", Ct);

        Assert.Equal((2, 0), (deleted, again));
        Assert.False(Directory.Exists(Path.Combine(root, "ds-2")));
    }
}
