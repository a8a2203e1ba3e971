using System.Text.Json.Nodes;
using Dtp.Storage.Irods;
using Dtp.Testing;
using Dtp.Testing.Irods;

namespace Dtp.Tests.Irods;

/// <summary>
/// A large data object downloaded over several connections at once (blocks written at their offsets, hashed in order), its
/// verification, and its resume from the <c>.part.ranges</c> record after a cut, a failed call or a killed process.
/// </summary>
public sealed class IrodsRangedDownloadTests
{
    private const string Collection = "/tempZone/home/rods/ranged";
    private const string ObjectPath = Collection + "/big.bin";
    private const int Size = 10_000_000;
    private const int ObjectOpenApi = 602;
    private const int ObjectSeekApi = 674;
    private const int ObjectReadApi = 675;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DownloadAsync_ObjectAboveTheThreshold_ArrivesOverSeveralConnectionsByteIdenticalAndVerified()
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        await using var client = new IrodsClient(RangedOptions(IrodsTestKit.ClientOptions(server)));
        var listed = await ListAsync(client, withChecksum: true);
        var target = NewTarget();

        var (transferred, verified) = await client.DownloadAsync(listed, target, cancellationToken: Ct);

        Assert.True(verified);
        Assert.Equal(Size, transferred);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, Ct));
        AssertNoLeftovers(target);
        var opens = server.Captured.Where(m => m.IntInfo == ObjectOpenApi && m.Body.Contains("big.bin", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, opens.Select(m => m.Connection).Distinct().Count());
        Assert.Contains(server.Captured, m => m.IntInfo == ObjectSeekApi && m.Body.Contains("<offset>9437184</offset>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadAsync_ObjectBelowTheThreshold_ComesOverOneConnectionWithoutSeekOrRecord()
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        var options = RangedOptions(IrodsTestKit.ClientOptions(server));
        options.ParallelThreshold = Size + 1;
        await using var client = new IrodsClient(options);
        var listed = await ListAsync(client, withChecksum: true);
        var target = NewTarget();

        var (_, verified) = await client.DownloadAsync(listed, target, cancellationToken: Ct);

        Assert.True(verified);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, Ct));
        Assert.Single(server.Captured, m => m.IntInfo == ObjectOpenApi);
        Assert.DoesNotContain(server.Captured, m => m.IntInfo == ObjectSeekApi);
    }

    [Fact]
    public async Task DownloadAsync_CorruptedObject_IsCaughtByItsChecksumAndLeavesNothing()
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        await using var client = new IrodsClient(RangedOptions(IrodsTestKit.ClientOptions(server)));
        var listed = await ListAsync(client, withChecksum: true);
        bytes[Size - 12_345] ^= 0xFF;
        await File.WriteAllBytesAsync(server.LocalPathOf(ObjectPath), bytes, Ct);
        var target = NewTarget();

        var ex = await Assert.ThrowsAsync<IrodsException>(() => client.DownloadAsync(listed, target, cancellationToken: Ct));

        Assert.Equal(IrodsErrors.UserChksumMismatch, ex.Code);
        Assert.Contains(ObjectPath, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        AssertNoLeftovers(target);
    }

    [Fact]
    public async Task RunAsync_HashLaggingBehind_ReadsTheChunksBackFromTheFileAndGivesTheSameDigest()
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        await using var client = new IrodsClient(RangedOptions(IrodsTestKit.ClientOptions(server)));
        var listed = await ListAsync(client, withChecksum: false);
        var target = NewTarget();
        using var download = new IrodsRangedDownload(client, listed, target + IrodsClient.PartialSuffix, target + IrodsClient.PartialRangesSuffix,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, retainedChunks: 0);

        var (count, digest) = await download.RunAsync("sha2", Ct);

        Assert.Equal(Size, count);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), digest);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target + IrodsClient.PartialSuffix, Ct));
    }

    [Fact]
    public async Task DownloadAsync_OneConnectionCut_RetriesItsRangeFromWhereItStopped()
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        await using var proxy = FaultProxy.Start("127.0.0.1", server.Port);
        await using var client = new IrodsClient(RangedOptions(Proxied(server, proxy)));
        var listed = await ListAsync(client, withChecksum: true);
        proxy.FailNext(Fault.CutResponseAfter(1_500_000));
        var target = NewTarget();

        var (transferred, verified) = await client.DownloadAsync(listed, target, cancellationToken: Ct);

        Assert.True(verified);
        Assert.Equal(Size, transferred);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, Ct));
        Assert.Contains(proxy.Log, line => line.Contains("cut", StringComparison.Ordinal));
        Assert.True(server.Captured.Count(m => m.IntInfo == ObjectOpenApi) >= 5, "the cut range was opened again");
        AssertNoLeftovers(target);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DownloadAsync_AfterEveryAttemptWasCut_TheNextCallFetchesOnlyTheMissingRanges(bool withChecksum)
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        await using var proxy = FaultProxy.Start("127.0.0.1", server.Port);
        await using var client = new IrodsClient(RangedOptions(Proxied(server, proxy)));
        var listed = await ListAsync(client, withChecksum);
        proxy.DefaultFault = Fault.CutResponseAfter(150_000);
        var target = NewTarget();

        var ex = await Assert.ThrowsAsync<DtpException>(() => client.DownloadAsync(listed, target, cancellationToken: Ct));
        var missing = MissingBytes(target);
        proxy.DefaultFault = Fault.None;
        var (transferred, verified) = await client.DownloadAsync(listed, target, cancellationToken: Ct);

        Assert.True(ex.IsTransient, ex.ToString());
        Assert.Contains(ObjectPath, ex.Message, StringComparison.Ordinal);
        Assert.InRange(missing, 1, Size - 1);
        Assert.Equal(missing, transferred);
        Assert.Equal(withChecksum, verified);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, Ct));
        AssertNoLeftovers(target);
    }

    [Fact]
    public async Task DownloadAsync_PartAndRecordLeftByAKilledRun_FetchesOnlyTheRecordedGapsEvenWithoutAChecksum()
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        await using var client = new IrodsClient(RangedOptions(IrodsTestKit.ClientOptions(server)));
        var listed = await ListAsync(client, withChecksum: false);
        var target = NewTarget();
        (long Start, long End)[] gaps = [(1_000_000, 2_500_000), (6_000_000, Size)];
        var partial = bytes.ToArray();
        foreach (var (start, end) in gaps)
        {
            Array.Fill(partial, (byte)0, (int)start, (int)(end - start));
        }

        await File.WriteAllBytesAsync(target + IrodsClient.PartialSuffix, partial[..8_000_000], Ct);
        await File.WriteAllTextAsync(target + IrodsClient.PartialRangesSuffix, Record(listed, gaps), Ct);

        var (transferred, verified) = await client.DownloadAsync(listed, target, cancellationToken: Ct);

        Assert.False(verified);
        Assert.Equal(gaps.Sum(g => g.End - g.Start), transferred);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, Ct));
        AssertNoLeftovers(target);
    }

    [Fact]
    public async Task DownloadAsync_RecordOfAnotherVersionOfTheObject_IsDiscardedAndTheObjectFetchedWhole()
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        await using var client = new IrodsClient(RangedOptions(IrodsTestKit.ClientOptions(server)));
        var listed = await ListAsync(client, withChecksum: false);
        var target = NewTarget();
        await File.WriteAllBytesAsync(target + IrodsClient.PartialSuffix, new byte[Size], Ct);
        await File.WriteAllTextAsync(target + IrodsClient.PartialRangesSuffix, Record(listed with { ModifyTime = listed.ModifyTime?.AddHours(-1) }, [(0, 10)]), Ct);

        var (transferred, _) = await client.DownloadAsync(listed, target, cancellationToken: Ct);

        Assert.Equal(Size, transferred);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, Ct));
        AssertNoLeftovers(target);
    }

    [Fact]
    public async Task DownloadAsync_RecordClaimingBytesPastThePartsEnd_IsDiscardedAndTheObjectFetchedWhole()
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        await using var client = new IrodsClient(RangedOptions(IrodsTestKit.ClientOptions(server)));
        var listed = await ListAsync(client, withChecksum: false);
        var target = NewTarget();
        await File.WriteAllBytesAsync(target + IrodsClient.PartialSuffix, bytes[..3_000_000], Ct);
        await File.WriteAllTextAsync(target + IrodsClient.PartialRangesSuffix, Record(listed, [(0, 1_000_000)]), Ct);

        var (transferred, _) = await client.DownloadAsync(listed, target, cancellationToken: Ct);

        Assert.Equal(Size, transferred);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, Ct));
    }

    [Fact]
    public async Task DownloadAsync_PartWithoutRecord_IsResumedAsAContiguousPrefixOverSeveralConnections()
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        await using var client = new IrodsClient(RangedOptions(IrodsTestKit.ClientOptions(server)));
        var listed = await ListAsync(client, withChecksum: true);
        var target = NewTarget();
        await File.WriteAllBytesAsync(target + IrodsClient.PartialSuffix, bytes[..3_000_000], Ct);

        var (transferred, verified) = await client.DownloadAsync(listed, target, cancellationToken: Ct);

        Assert.True(verified);
        Assert.Equal(Size - 3_000_000, transferred);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, Ct));
        Assert.True(server.Captured.Where(m => m.IntInfo == ObjectOpenApi).Select(m => m.Connection).Distinct().Count() > 1);
    }

    [Fact]
    public async Task DownloadAsync_Cancelled_LeavesARecordTheNextCallResumes()
    {
        await using var server = IrodsTestKit.StartServer();
        var bytes = WriteObject(server);
        await using var proxy = FaultProxy.Start("127.0.0.1", server.Port);
        await using var client = new IrodsClient(RangedOptions(Proxied(server, proxy)));
        var listed = await ListAsync(client, withChecksum: true);
        var target = NewTarget();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        proxy.DefaultFault = Fault.Hang;
        proxy.FailNext(Fault.None, 2);

        var download = client.DownloadAsync(listed, target, cancellationToken: cancel.Token);
        while (server.Captured.Count(m => m.IntInfo == ObjectReadApi) < 60 && !download.IsCompleted)
        {
            await Task.Delay(10, Ct);
        }

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download);
        var missing = MissingBytes(target);
        proxy.DefaultFault = Fault.None;
        var (transferred, verified) = await client.DownloadAsync(listed, target, cancellationToken: Ct);

        Assert.InRange(missing, 1, Size);
        Assert.True(verified);
        Assert.Equal(missing, transferred);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target, Ct));
        AssertNoLeftovers(target);
    }

    [Fact]
    public async Task DownloadCollectionAsync_LargeAndSmallObjectsOnTwoConnections_AllArriveVerified()
    {
        await using var server = IrodsTestKit.StartServer();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < 6; i++)
        {
            var bytes = Enumerable.Range(0, i % 2 == 0 ? 3_000_000 + i : 5_000 + i).Select(b => (byte)(b * (i + 3))).ToArray();
            files[$"f{i}.bin"] = bytes;
            var local = server.LocalPathOf($"{Collection}/f{i}.bin");
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            await File.WriteAllBytesAsync(local, bytes, Ct);
        }

        var options = RangedOptions(IrodsTestKit.ClientOptions(server));
        options.MaxConnections = 2;
        await using var client = new IrodsClient(options);
        foreach (var name in files.Keys)
        {
            await client.ComputeChecksumAsync($"{Collection}/{name}", cancellationToken: Ct);
        }

        var destination = Directory.CreateTempSubdirectory("dtp-irods-ranged-coll-").FullName;

        var summary = await client.DownloadCollectionAsync(Collection, destination, cancellationToken: Ct);

        Assert.Equal(files.Count, summary.Verified);
        foreach (var (name, bytes) in files)
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(destination, name), Ct));
        }

        Directory.Delete(destination, recursive: true);
    }

    [Fact]
    public async Task UploadFolderAsync_FolderWithPartialDownloads_SkipsThePartAndItsRecord()
    {
        await using var server = IrodsTestKit.StartServer();
        await using var client = new IrodsClient(IrodsTestKit.ClientOptions(server));
        var folder = Directory.CreateTempSubdirectory("dtp-irods-ranged-up-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "a.txt"), "a", Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "b.bin" + IrodsClient.PartialSuffix), "b", Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "b.bin" + IrodsClient.PartialRangesSuffix), "{}", Ct);

        var summary = await client.UploadFolderAsync(folder, Collection, cancellationToken: Ct);

        Assert.Equal(1, summary.Files);
        Assert.Equal(new[] { "a.txt" }, await client.ListDataObjectsAsync(Collection, cancellationToken: Ct).Select(o => o.Name).ToListAsync(Ct));
        Directory.Delete(folder, recursive: true);
    }

    private static byte[] WriteObject(IrodsTestServer server)
    {
        var bytes = Enumerable.Range(0, Size).Select(i => (byte)(i * 31 + (i >> 13))).ToArray();
        var local = server.LocalPathOf(ObjectPath);
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        File.WriteAllBytes(local, bytes);
        return bytes;
    }

    /// <summary>Threshold 1 MB, 64 KB reads (512 KB blocks), four connections.</summary>
    private static IrodsClientOptions RangedOptions(IrodsClientOptions options)
    {
        options.ParallelThreshold = 1_000_000;
        options.ChunkSize = 64 * 1024;
        options.MaxConnections = 4;
        return options;
    }

    private static IrodsClientOptions Proxied(IrodsTestServer server, FaultProxy proxy)
    {
        var options = IrodsTestKit.ClientOptions(server);
        options.Port = proxy.Port;
        return options;
    }

    private static async Task<IrodsDataObject> ListAsync(IrodsClient client, bool withChecksum)
    {
        if (withChecksum)
        {
            await client.ComputeChecksumAsync(ObjectPath, cancellationToken: Ct);
        }

        var listed = await client.ListDataObjectsAsync(Collection, cancellationToken: Ct).SingleAsync(Ct);
        Assert.Equal(withChecksum, listed.Checksum is not null);
        return listed;
    }

    private static string NewTarget() => Path.Combine(Directory.CreateTempSubdirectory("dtp-irods-ranged-").FullName, "big.bin");

    /// <summary>The record a run leaves: the object's identity and the byte ranges still missing.</summary>
    private static string Record(IrodsDataObject listed, IEnumerable<(long Start, long End)> missing) => new JsonObject
    {
        ["size"] = listed.Size,
        ["checksum"] = listed.Checksum,
        ["modified"] = listed.ModifyTime?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["missing"] = new JsonArray([.. missing.Select(m => (JsonNode)new JsonArray(m.Start, m.End))]),
    }.ToJsonString();

    private static long MissingBytes(string target)
    {
        var record = JsonNode.Parse(File.ReadAllText(target + IrodsClient.PartialRangesSuffix))!;
        return record["missing"]!.AsArray().Sum(r => r![1]!.GetValue<long>() - r[0]!.GetValue<long>());
    }

    private static void AssertNoLeftovers(string target)
    {
        Assert.False(File.Exists(target + IrodsClient.PartialSuffix));
        Assert.False(File.Exists(target + IrodsClient.PartialRangesSuffix));
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(target)!, "*.dtp-tmp"));
    }
}
