using System.Security.Cryptography;
using Dtp.Storage.Irods;
using Dtp.Testing.Irods;

namespace Dtp.Tests.Irods;

public sealed class IrodsClientTests
{
    private const string Dataset = "/tempZone/home/rods/dataset-12L_1-version-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StatAsync_ForObjectCollectionAndMissingPath_DescribesEachOrReturnsNull()
    {
        await using var server = IrodsTestKit.StartServer();
        var files = IrodsTestKit.WriteTree(server, Dataset);
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));

        var data = await client.StatAsync(Dataset + "/primary/sub-1/sam-1/1-01.dcm", Ct);
        var collection = await client.StatAsync(Dataset + "/primary", Ct);
        var missing = await client.StatAsync(Dataset + "/nothing", Ct);

        Assert.Equal(IrodsObjectKind.DataObject, data!.Kind);
        Assert.Equal(files["primary/sub-1/sam-1/1-01.dcm"].Length, data.Size);
        Assert.Equal(IrodsObjectKind.Collection, collection!.Kind);
        Assert.Null(missing);
    }

    [Fact]
    public async Task ListDataObjectsAsync_Recursive_ListsEveryObjectOnceDespiteReplicas()
    {
        await using var server = IrodsTestKit.StartServer(new IrodsTestServerOptions { Replicas = 2 });
        var files = IrodsTestKit.WriteTree(server, Dataset);
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));

        var listed = await client.ListDataObjectsAsync(Dataset, recursive: true, Ct).ToListAsync(Ct);

        Assert.Equal(files.Keys.Select(k => $"{Dataset}/{k}").Order(StringComparer.Ordinal), listed.Select(o => o.Path).Order(StringComparer.Ordinal));
        Assert.All(listed, o => Assert.Equal(files[o.Path[(Dataset.Length + 1)..]].Length, o.Size));
    }

    [Fact]
    public async Task ListDataObjectsAsync_WithPageSizeTwo_FollowsContinuationsToTheEnd()
    {
        await using var server = IrodsTestKit.StartServer(new IrodsTestServerOptions { MaxPageSize = 2 });
        var files = IrodsTestKit.WriteTree(server, Dataset);
        var options = IrodsTestKit.ClientOptions(server);
        options.QueryPageSize = 2;
        await using var client = new IrodsClient(options);

        var listed = await client.ListDataObjectsAsync(Dataset, recursive: true, Ct).ToListAsync(Ct);

        Assert.Equal(files.Count, listed.Count);
        var queries = server.Captured.Where(m => m.IntInfo == 702).ToList();
        Assert.Equal(2, queries.Count(m => !m.Body.Contains("<continueInx>0</continueInx>", StringComparison.Ordinal)));
        Assert.All(queries, m => Assert.Contains("<maxRows>2</maxRows>", m.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListCollectionsAsync_NonRecursiveAndRecursive_ListChildrenOrAllDescendants()
    {
        await using var server = IrodsTestKit.StartServer();
        IrodsTestKit.WriteTree(server, Dataset);
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));

        var children = await client.ListCollectionsAsync(Dataset, recursive: false, Ct).ToListAsync(Ct);
        var all = await client.ListCollectionsAsync(Dataset, recursive: true, Ct).ToListAsync(Ct);

        Assert.Equal([Dataset + "/primary"], children);
        Assert.Equal(6, all.Count);
        Assert.Contains(Dataset + "/primary/sub-2/sam 2", all);
    }

    [Theory]
    [InlineData(1000, 65536)]
    [InlineData(0, 3000)]
    [InlineData(1000, 3000)]
    public async Task OpenReadAsync_FromOffsetInPiecesLargerOrSmallerThanAChunk_ReturnsTheRestOfTheObject(int offset, int piece)
    {
        await using var server = IrodsTestKit.StartServer();
        var files = IrodsTestKit.WriteTree(server, Dataset);
        var options = IrodsTestKit.ClientOptions(server);
        options.ChunkSize = 8192;
        await using var client = new IrodsClient(options);
        var expected = files["primary/sub-1/sam-1/1-01.dcm"];

        await using var stream = await client.OpenReadAsync(Dataset + "/primary/sub-1/sam-1/1-01.dcm", offset, Ct);
        using var copy = new MemoryStream();
        var buffer = new byte[piece];
        int read;
        while ((read = await stream.ReadAsync(buffer, Ct)) > 0)
        {
            copy.Write(buffer, 0, read);
        }

        Assert.Equal(expected[offset..], copy.ToArray());
    }

    [Fact]
    public async Task DownloadCollectionAsync_ManyFiles_ReusesPooledConnectionsAndSendsOnlyOpenReadsClosePerFile()
    {
        await using var server = IrodsTestKit.StartServer();
        const string collection = "/tempZone/home/rods/many";
        Directory.CreateDirectory(server.LocalPathOf(collection));
        for (var i = 0; i < 12; i++)
        {
            await File.WriteAllBytesAsync(server.LocalPathOf($"{collection}/f{i}.bin"), RandomNumberGenerator.GetBytes(10_000), Ct);
        }

        await using (var setup = new IrodsClient(IrodsTestKit.ClientOptions(server)))
        {
            await foreach (var item in setup.ListDataObjectsAsync(collection, cancellationToken: Ct))
            {
                await setup.ComputeChecksumAsync(item.Path, cancellationToken: Ct);
            }
        }

        server.ClearCapture();
        var options = IrodsTestKit.ClientOptions(server);
        options.ChunkSize = 4096;
        options.MaxConnections = 3;
        var destination = Directory.CreateTempSubdirectory("dtp-irods-many-").FullName;

        IrodsTransferSummary summary;
        await using (var client = new IrodsClient(options))
        {
            summary = await client.DownloadCollectionAsync(collection, destination, cancellationToken: Ct);
        }

        var requests = server.Captured.Where(m => m.Type == "RODS_API_REQ").ToList();
        Assert.Equal(12, summary.Verified);
        Assert.InRange(server.Captured.Count(m => m.Type == "RODS_CONNECT"), 1, 3);
        Assert.Equal(requests.Count(m => m.IntInfo == 704), server.Captured.Count(m => m.Type == "RODS_CONNECT"));
        var perFile = requests.Where(m => m.IntInfo is not (703 or 704 or 702)).GroupBy(m => m.IntInfo).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<int, int> { [602] = 12, [675] = 36, [673] = 12 }, perFile);
        Directory.Delete(destination, recursive: true);
    }

    [Fact]
    public async Task OpenReadAsync_ForMissingObject_ThrowsWithTheServerCode()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));

        var ex = await Assert.ThrowsAsync<IrodsException>(() => client.OpenReadAsync("/tempZone/home/rods/none.txt", 0, Ct));

        Assert.Equal("OBJ_PATH_DOES_NOT_EXIST", ex.ErrorName);
    }

    [Fact]
    public async Task UploadFileAsync_ThenRead_RoundTripsAndRegistersTheSha256()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var local = Path.Combine(server.RootFolder, "..", $"upload-{Guid.NewGuid():N}.bin");
        var bytes = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 17);
        await File.WriteAllBytesAsync(local, bytes, Ct);

        var stored = await client.UploadFileAsync(local, "/tempZone/home/rods/big file é.bin", Ct);
        await using var stream = await client.OpenReadAsync(stored.Path, 0, Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        File.Delete(local);

        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal("sha2:" + Convert.ToBase64String(SHA256.HashData(bytes)), stored.Checksum);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(server.LocalPathOf(stored.Path), Ct));
    }

    [Fact]
    public async Task VerifyChecksumAsync_AfterTheStoredBytesChange_ThrowsUserChksumMismatch()
    {
        await using var server = IrodsTestKit.StartServer();
        IrodsTestKit.WriteTree(server, Dataset);
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var path = Dataset + "/dataset_description.json";
        await client.ComputeChecksumAsync(path, cancellationToken: Ct);
        await File.WriteAllTextAsync(server.LocalPathOf(path), "{\"name\": \"tampered\"}", Ct);

        var ex = await Assert.ThrowsAsync<IrodsException>(() => client.VerifyChecksumAsync(path, Ct));

        Assert.Equal(IrodsErrors.UserChksumMismatch, ex.Code);
    }

    [Fact]
    public async Task CreateAndRemoveCollection_NonRecursiveRemovalOfNonEmpty_IsRefusedThenRecursiveSucceeds()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        const string path = "/tempZone/home/rods/a/b/c";
        await client.CreateCollectionAsync(path, recursive: true, Ct);
        await using (var content = new MemoryStream([1, 2, 3]))
        {
            await client.WriteAsync(content, path + "/x.bin", Ct);
        }

        var refused = await Assert.ThrowsAsync<IrodsException>(() => client.RemoveCollectionAsync("/tempZone/home/rods/a", recursive: false, Ct));
        await client.RemoveCollectionAsync("/tempZone/home/rods/a", recursive: true, Ct);

        Assert.Equal(IrodsErrors.CatCollectionNotEmpty, refused.Code);
        Assert.Null(await client.StatAsync("/tempZone/home/rods/a", Ct));
    }

    [Fact]
    public async Task RemoveDataObjectAsync_ExistingThenMissing_RemovesThenThrowsCatUnknownFile()
    {
        await using var server = IrodsTestKit.StartServer();
        IrodsTestKit.WriteTree(server, Dataset);
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var path = Dataset + "/dataset_description.json";

        await client.RemoveDataObjectAsync(path, Ct);
        var ex = await Assert.ThrowsAsync<IrodsException>(() => client.RemoveDataObjectAsync(path, Ct));

        Assert.False(File.Exists(server.LocalPathOf(path)));
        Assert.Equal(IrodsErrors.CatUnknownFile, ex.Code);
    }

    [Fact]
    public async Task CallAsync_WithUnknownApiNumber_ServerAnswersSysUnmatchedApiNum()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var connection = await client.RentAsync(Ct);

        var ex = await Assert.ThrowsAsync<IrodsException>(() => connection.CallAsync(99999, null, default, default, "an unknown API", Ct));
        client.Return(connection);

        Assert.Equal(IrodsErrors.SysUnmatchedApiNum, ex.Code);
    }
}
