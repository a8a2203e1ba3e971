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
        await using var bed = await Bed.StartAsync(withChecksum: true);

        var (transferred, verified) = await bed.DownloadAsync(Ct);

        Assert.True(verified);
        Assert.Equal(Size, transferred);
        await AssertDeliveredAsync(bed);
        var opens = bed.Server.Captured.Where(m => m.IntInfo == ObjectOpenApi && m.Body.Contains("big.bin", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, opens.Select(m => m.Connection).Distinct().Count());
        Assert.Contains(bed.Server.Captured, m => m.IntInfo == ObjectSeekApi && m.Body.Contains("<offset>9437184</offset>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadAsync_ObjectBelowTheThreshold_ComesOverOneConnectionWithoutSeekOrRecord()
    {
        await using var bed = await Bed.StartAsync(withChecksum: true, configure: o => o.ParallelThreshold = Size + 1);

        var (_, verified) = await bed.DownloadAsync(Ct);

        Assert.True(verified);
        Assert.Equal(bed.Bytes, await File.ReadAllBytesAsync(bed.Target, Ct));
        Assert.Single(bed.Server.Captured, m => m.IntInfo == ObjectOpenApi);
        Assert.DoesNotContain(bed.Server.Captured, m => m.IntInfo == ObjectSeekApi);
    }

    [Fact]
    public async Task DownloadAsync_CorruptedObject_IsCaughtByItsChecksumAndLeavesNothing()
    {
        await using var bed = await Bed.StartAsync(withChecksum: true);
        var bytes = bed.Bytes.ToArray();
        bytes[Size - 12_345] ^= 0xFF;
        await File.WriteAllBytesAsync(bed.Server.LocalPathOf(ObjectPath), bytes, Ct);

        var ex = await Assert.ThrowsAsync<IrodsException>(() => bed.DownloadAsync(Ct));

        Assert.Equal(IrodsErrors.UserChksumMismatch, ex.Code);
        Assert.Contains(ObjectPath, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(bed.Target));
        AssertNoLeftovers(bed.Target);
    }

    [Fact]
    public async Task RunAsync_NoRoomForChunksWaitingForTheHash_FetchesBlockAfterBlockAndGivesTheSameDigest()
    {
        await using var bed = await Bed.StartAsync(withChecksum: false);
        using var download = new IrodsRangedDownload(bed.Client, bed.Listed, bed.Target + IrodsClient.PartialSuffix, bed.Target + IrodsClient.PartialRangesSuffix,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, retainedChunks: 0);

        var (count, digest) = await download.RunAsync("sha2", Ct);

        Assert.Equal(Size, count);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bed.Bytes)), digest);
        Assert.Equal(bed.Bytes, await File.ReadAllBytesAsync(bed.Target + IrodsClient.PartialSuffix, Ct));
    }

    [Fact]
    public async Task DownloadAsync_OneConnectionCut_RetriesItsRangeFromWhereItStopped()
    {
        await using var bed = await Bed.StartAsync(withChecksum: true, proxied: true);
        bed.Proxy!.FailNext(Fault.CutResponseAfter(1_500_000));

        var (transferred, verified) = await bed.DownloadAsync(Ct);

        Assert.True(verified);
        Assert.Equal(Size, transferred);
        Assert.Equal(bed.Bytes, await File.ReadAllBytesAsync(bed.Target, Ct));
        Assert.Contains(bed.Proxy!.Log, line => line.Contains("cut", StringComparison.Ordinal));
        Assert.True(bed.Server.Captured.Count(m => m.IntInfo == ObjectOpenApi) >= 5, "the cut range was opened again");
        AssertNoLeftovers(bed.Target);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DownloadAsync_AfterEveryAttemptWasCut_TheNextCallFetchesOnlyTheMissingRanges(bool withChecksum)
    {
        await using var bed = await Bed.StartAsync(withChecksum, proxied: true);
        bed.Proxy!.DefaultFault = Fault.CutResponseAfter(150_000);

        var ex = await Assert.ThrowsAsync<DtpException>(() => bed.DownloadAsync(Ct));
        var missing = MissingBytes(bed.Target);
        bed.Proxy!.DefaultFault = Fault.None;
        var (transferred, verified) = await bed.DownloadAsync(Ct);

        Assert.True(ex.IsTransient, ex.ToString());
        Assert.Contains(ObjectPath, ex.Message, StringComparison.Ordinal);
        Assert.InRange(missing, 1, Size - 1);
        Assert.Equal(missing, transferred);
        Assert.Equal(withChecksum, verified);
        await AssertDeliveredAsync(bed);
    }

    [Fact]
    public async Task DownloadAsync_PartAndRecordLeftByAKilledRun_FetchesOnlyTheRecordedGapsEvenWithoutAChecksum()
    {
        await using var bed = await Bed.StartAsync(withChecksum: false);
        (long Start, long End)[] gaps = [(1_000_000, 2_500_000), (6_000_000, Size)];
        var partial = bed.Bytes.ToArray();
        foreach (var (start, end) in gaps)
        {
            Array.Fill(partial, (byte)0, (int)start, (int)(end - start));
        }

        await File.WriteAllBytesAsync(bed.Target + IrodsClient.PartialSuffix, partial[..8_000_000], Ct);
        await File.WriteAllTextAsync(bed.Target + IrodsClient.PartialRangesSuffix, Record(bed.Listed, gaps), Ct);

        var (transferred, verified) = await bed.DownloadAsync(Ct);

        Assert.False(verified);
        Assert.Equal(gaps.Sum(g => g.End - g.Start), transferred);
        await AssertDeliveredAsync(bed);
    }

    [Theory]
    [InlineData("of another version of the object")]
    [InlineData("claiming bytes past the end of the part")]
    [InlineData("without its list of missing ranges")]
    public async Task DownloadAsync_RecordThatDoesNotFit_IsDiscardedAndTheObjectFetchedWhole(string misfit)
    {
        await using var bed = await Bed.StartAsync(withChecksum: false);
        var (part, record) = misfit switch
        {
            "of another version of the object" => (new byte[Size], Record(bed.Listed with { ModifyTime = bed.Listed.ModifyTime?.AddHours(-1) }, [(0, 10)])),
            "claiming bytes past the end of the part" => (bed.Bytes[..3_000_000], Record(bed.Listed, [(0, 1_000_000)])),
            _ => (new byte[Size], Record(bed.Listed, []).Replace("\"missing\":[]", "\"gaps\":[]", StringComparison.Ordinal)),
        };
        await File.WriteAllBytesAsync(bed.Target + IrodsClient.PartialSuffix, part, Ct);
        await File.WriteAllTextAsync(bed.Target + IrodsClient.PartialRangesSuffix, record, Ct);

        var (transferred, _) = await bed.DownloadAsync(Ct);

        Assert.NotNull(bed.Listed.ModifyTime);
        Assert.Equal(Size, transferred);
        await AssertDeliveredAsync(bed);
    }

    [Fact]
    public async Task DownloadAsync_PartWithoutRecord_IsResumedAsAContiguousPrefixOverSeveralConnections()
    {
        await using var bed = await Bed.StartAsync(withChecksum: true);
        await File.WriteAllBytesAsync(bed.Target + IrodsClient.PartialSuffix, bed.Bytes[..3_000_000], Ct);

        var (transferred, verified) = await bed.DownloadAsync(Ct);

        Assert.True(verified);
        Assert.Equal(Size - 3_000_000, transferred);
        Assert.Equal(bed.Bytes, await File.ReadAllBytesAsync(bed.Target, Ct));
        Assert.True(bed.Server.Captured.Where(m => m.IntInfo == ObjectOpenApi).Select(m => m.Connection).Distinct().Count() > 1);
    }

    [Fact]
    public async Task DownloadAsync_Cancelled_LeavesARecordTheNextCallResumes()
    {
        await using var bed = await Bed.StartAsync(withChecksum: true, proxied: true);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bed.Proxy!.DefaultFault = Fault.Hang;
        bed.Proxy!.FailNext(Fault.None, 2);

        var download = bed.DownloadAsync(cancel.Token);
        while (bed.Server.Captured.Count(m => m.IntInfo == ObjectReadApi) < 60 && !download.IsCompleted)
        {
            await Task.Delay(10, Ct);
        }

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download);
        var missing = MissingBytes(bed.Target);
        bed.Proxy!.DefaultFault = Fault.None;
        var (transferred, verified) = await bed.DownloadAsync(Ct);

        Assert.InRange(missing, 1, Size);
        Assert.True(verified);
        Assert.Equal(missing, transferred);
        await AssertDeliveredAsync(bed);
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

    /// <summary>Threshold 1 MB, 64 KB reads (512 KB blocks), four connections.</summary>
    private static IrodsClientOptions RangedOptions(IrodsClientOptions options)
    {
        options.ParallelThreshold = 1_000_000;
        options.ChunkSize = 64 * 1024;
        options.MaxConnections = 4;
        return options;
    }

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

    /// <summary>Asserts that the target holds the object's bytes and that no partial file, record or temporary file is left.</summary>
    private static async Task AssertDeliveredAsync(Bed bed)
    {
        Assert.Equal(bed.Bytes, await File.ReadAllBytesAsync(bed.Target, Ct));
        AssertNoLeftovers(bed.Target);
    }

    private static void AssertNoLeftovers(string target)
    {
        Assert.False(File.Exists(target + IrodsClient.PartialSuffix));
        Assert.False(File.Exists(target + IrodsClient.PartialRangesSuffix));
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(target)!, "*.dtp-tmp"));
    }

    /// <summary>The test server holding one 10 MB object, a client (through a fault proxy when asked), the object as listed and a target file.</summary>
    private sealed class Bed : IAsyncDisposable
    {
        private Bed(IrodsTestServer server, FaultProxy? proxy, IrodsClient client, byte[] bytes, IrodsDataObject listed, string target) =>
            (Server, Proxy, Client, Bytes, Listed, Target) = (server, proxy, client, bytes, listed, target);

        public IrodsTestServer Server { get; }

        public FaultProxy? Proxy { get; }

        public IrodsClient Client { get; }

        public byte[] Bytes { get; }

        public IrodsDataObject Listed { get; }

        public string Target { get; }

        public static async Task<Bed> StartAsync(bool withChecksum, bool proxied = false, Action<IrodsClientOptions>? configure = null)
        {
            var server = IrodsTestKit.StartServer();
            var bytes = Enumerable.Range(0, Size).Select(i => (byte)(i * 31 + (i >> 13))).ToArray();
            var local = server.LocalPathOf(ObjectPath);
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            await File.WriteAllBytesAsync(local, bytes, Ct);
            var proxy = proxied ? FaultProxy.Start("127.0.0.1", server.Port) : null;
            var options = RangedOptions(IrodsTestKit.ClientOptions(server));
            options.Port = proxy?.Port ?? server.Port;
            configure?.Invoke(options);
            var client = new IrodsClient(options);
            if (withChecksum)
            {
                await client.ComputeChecksumAsync(ObjectPath, cancellationToken: Ct);
            }

            var listed = await client.ListDataObjectsAsync(Collection, cancellationToken: Ct).SingleAsync(Ct);
            Assert.Equal(withChecksum, listed.Checksum is not null);
            var target = Path.Combine(Directory.CreateTempSubdirectory("dtp-irods-ranged-").FullName, "big.bin");
            return new Bed(server, proxy, client, bytes, listed, target);
        }

        public Task<(long Bytes, bool Verified)> DownloadAsync(CancellationToken cancellationToken) =>
            Client.DownloadAsync(Listed, Target, cancellationToken: cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            if (Proxy is not null)
            {
                await Proxy.DisposeAsync();
            }

            await Server.DisposeAsync();
            Directory.Delete(Path.GetDirectoryName(Target)!, recursive: true);
        }
    }
}
