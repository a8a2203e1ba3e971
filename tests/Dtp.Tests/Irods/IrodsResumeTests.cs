using Dtp.Storage.Irods;
using Dtp.Testing;

namespace Dtp.Tests.Irods;

/// <summary>Downloads through the fault proxy, cut part-way: the client resumes from its <c>.part</c> file with a seek.</summary>
public sealed class IrodsResumeTests
{
    private const string Collection = "/tempZone/home/rods/ds";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DownloadCollectionAsync_ConnectionCutMidFile_ResumesOnANewConnection()
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        await using var proxy = FaultProxy.Start("127.0.0.1", server.Port);
        proxy.FailNext(Fault.CutResponseAfter(1_000_000));
        await using var client = new IrodsClient(ProxiedOptions(server, proxy));
        var destination = Directory.CreateTempSubdirectory("dtp-irods-cut-").FullName;

        var summary = await client.DownloadCollectionAsync(Collection, destination, cancellationToken: Ct);

        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(destination, "big.bin"), Ct));
        Assert.True(proxy.ConnectionCount >= 2, string.Join('\n', proxy.Log));
        Assert.Contains(server.Captured, m => m.IntInfo == 674 && !m.Body.Contains("<offset>0</offset>", StringComparison.Ordinal));
        Assert.InRange(summary.Bytes, 1, bytes.Length - 1);
        Directory.Delete(destination, recursive: true);
    }

    [Fact]
    public async Task DownloadCollectionAsync_AfterFailingEveryAttempt_LeavesAPartFileThatTheNextCallResumes()
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        await using var proxy = FaultProxy.Start("127.0.0.1", server.Port);
        await using var lister = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var destination = Directory.CreateTempSubdirectory("dtp-irods-cut2-").FullName;
        var target = Path.Combine(destination, "big.bin");
        await lister.ComputeChecksumAsync(Collection + "/big.bin", cancellationToken: Ct);
        var listed = await lister.ListDataObjectsAsync(Collection, cancellationToken: Ct).SingleAsync(Ct);
        proxy.FailNext(Fault.CutResponseAfter(600_000), 3);
        await using var client = new IrodsClient(ProxiedOptions(server, proxy));

        var ex = await Assert.ThrowsAsync<DtpException>(() => client.DownloadAsync(listed, target, cancellationToken: Ct));
        var partial = new FileInfo(target + IrodsClient.PartialSuffix).Length;
        var (transferred, verified) = await client.DownloadAsync(listed, target, cancellationToken: Ct);

        Assert.True(ex.IsTransient, ex.ToString());
        Assert.InRange(partial, 1, bytes.Length - 1);
        Assert.Equal(bytes.Length - partial, transferred);
        Assert.True(verified);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, Ct));
        Directory.Delete(destination, recursive: true);
    }

    private static byte[] WriteObject(Dtp.Testing.Irods.IrodsTestServer server)
    {
        var bytes = Enumerable.Range(0, 3_000_000).Select(i => (byte)(i * 31 + (i >> 11))).ToArray();
        var local = server.LocalPathOf(Collection + "/big.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        File.WriteAllBytes(local, bytes);
        return bytes;
    }

    private static IrodsClientOptions ProxiedOptions(Dtp.Testing.Irods.IrodsTestServer server, FaultProxy proxy)
    {
        var options = IrodsTestKit.ClientOptions(server);
        options.Port = proxy.Port;
        options.ChunkSize = 64 * 1024;
        options.MaxConnections = 1;
        return options;
    }
}
