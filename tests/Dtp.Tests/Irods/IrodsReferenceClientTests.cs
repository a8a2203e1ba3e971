using System.Text.Json.Nodes;
using Dtp.Storage.Irods;

namespace Dtp.Tests.Irods;

/// <summary>Debian's python3-irodsclient against the test server, and our client against what it wrote.</summary>
public sealed class IrodsReferenceClientTests
{
    private const string Dataset = "/tempZone/home/rods/dataset-12L_1-version-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReferenceClient_ListsNestedCollection_SameObjectsAsOurClient()
    {
        await using var server = IrodsTestKit.StartServer();
        var files = IrodsTestKit.WriteTree(server, Dataset);
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));

        var (exitCode, output, log) = await IrodsTestKit.RunPythonAsync("ls", IrodsTestKit.Connection(server), Dataset);
        var ours = await client.ListDataObjectsAsync(Dataset, recursive: true, Ct).ToListAsync(Ct);

        Assert.True(exitCode == 0, log);
        var theirs = output!.AsArray().Select(o => ((string)o!["path"]!, (long)o["size"]!)).ToList();
        Assert.Equal(files.Count, theirs.Count);
        Assert.Equal(theirs, ours.Select(o => (o.Path, o.Size)).OrderBy(o => o.Path, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReferenceClient_DownloadsNestedCollection_ByteIdentical()
    {
        await using var server = IrodsTestKit.StartServer();
        var files = IrodsTestKit.WriteTree(server, Dataset);
        var destination = Directory.CreateTempSubdirectory("dtp-irods-py-").FullName;

        var (exitCode, _, log) = await IrodsTestKit.RunPythonAsync("get", IrodsTestKit.Connection(server), Dataset, destination);

        Assert.True(exitCode == 0, log);
        foreach (var (relative, bytes) in files)
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(destination, "dataset-12L_1-version-1", relative), Ct));
        }

        Directory.Delete(destination, recursive: true);
    }

    [Fact]
    public async Task ReferenceClient_UploadsFile_OurClientReadsTheSameBytes()
    {
        await using var server = IrodsTestKit.StartServer();
        var local = Path.Combine(Path.GetTempPath(), $"dtp-irods-put-{Guid.NewGuid():N}.bin");
        var bytes = Enumerable.Range(0, 3 * 1024 * 1024).Select(i => (byte)(i % 251)).ToArray();
        await File.WriteAllBytesAsync(local, bytes, Ct);
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        const string path = "/tempZone/home/rods/from python ü.bin";

        var (exitCode, _, log) = await IrodsTestKit.RunPythonAsync("put", IrodsTestKit.Connection(server), local, path);
        await using var stream = await client.OpenReadAsync(path, 0, Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        File.Delete(local);

        Assert.True(exitCode == 0, log);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task OurClient_DownloadsCollection_ByteIdenticalAndVerified()
    {
        await using var server = IrodsTestKit.StartServer();
        var files = IrodsTestKit.WriteTree(server, Dataset);
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        foreach (var relative in files.Keys)
        {
            await client.ComputeChecksumAsync(IrodsPath.Combine(Dataset, relative), cancellationToken: Ct);
        }

        var destination = Directory.CreateTempSubdirectory("dtp-irods-get-").FullName;

        var summary = await client.DownloadCollectionAsync(Dataset, destination, cancellationToken: Ct);

        Assert.Equal(files.Count, summary.Files);
        Assert.Equal(files.Count, summary.Verified);
        foreach (var (relative, bytes) in files)
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(destination, relative), Ct));
        }

        Assert.Empty(Directory.EnumerateFiles(destination, "*" + IrodsClient.PartialSuffix, SearchOption.AllDirectories));
        Directory.Delete(destination, recursive: true);
    }

    [Fact]
    public async Task DownloadCollectionAsync_CorruptedObject_IsCaughtByItsChecksum()
    {
        await using var server = IrodsTestKit.StartServer();
        IrodsTestKit.WriteTree(server, Dataset);
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var path = Dataset + "/primary/sub-1/sam-1/1-01.dcm";
        await client.ComputeChecksumAsync(path, cancellationToken: Ct);
        var local = server.LocalPathOf(path);
        var bytes = await File.ReadAllBytesAsync(local, Ct);
        bytes[12345] ^= 0xFF;
        await File.WriteAllBytesAsync(local, bytes, Ct);
        var destination = Directory.CreateTempSubdirectory("dtp-irods-bad-").FullName;

        var ex = await Assert.ThrowsAsync<IrodsException>(() => client.DownloadCollectionAsync(Dataset, destination, cancellationToken: Ct));

        Assert.Equal(IrodsErrors.UserChksumMismatch, ex.Code);
        Assert.Contains("1-01.dcm", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(destination, "primary/sub-1/sam-1/1-01.dcm")));
        Directory.Delete(destination, recursive: true);
    }

    [Fact]
    public async Task DownloadCollectionAsync_NameWithDotDot_IsRefusedBeforeWriting()
    {
        await using var server = IrodsTestKit.StartServer();
        IrodsTestKit.WriteTree(server, Dataset);
        server.AddPhantomDataObject(Dataset + "/primary", "../../../escape.txt");
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var destination = Directory.CreateTempSubdirectory("dtp-irods-dots-").FullName;

        var ex = await Assert.ThrowsAsync<DtpException>(() => client.DownloadCollectionAsync(Dataset, Path.Combine(destination, "in"), cancellationToken: Ct));

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
        Assert.Empty(Directory.EnumerateFileSystemEntries(destination));
        Directory.Delete(destination, recursive: true);
    }
}
