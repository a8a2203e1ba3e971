using System.Text.Json.Nodes;
using Dtp.Storage.Irods;
using Dtp.Testing.Irods;

namespace Dtp.Tests.Irods;

/// <summary>
/// For list, get and put, our client must send what python-irodsclient sends, wherever both use the same API: the same message
/// types and API numbers in the same order of first use, and the same XML element names in the same order for each.
/// </summary>
public sealed class IrodsWireConformanceTests
{
    private const string Dataset = "/tempZone/home/rods/dataset-12L_1-version-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_OurMessages_MatchTheReferenceClients()
    {
        await CompareAsync(
            "RODS_API_REQ:702",
            server => IrodsTestKit.RunPythonAsync("ls", Negotiating(server), Dataset),
            async client => await client.ListDataObjectsAsync(Dataset, recursive: true, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Get_OurMessages_MatchTheReferenceClients()
    {
        var destination = Directory.CreateTempSubdirectory("dtp-irods-wire-").FullName;
        await CompareAsync(
            "RODS_API_REQ:675",
            server => IrodsTestKit.RunPythonAsync("get", Negotiating(server), Dataset, Path.Combine(destination, "python")),
            client => client.DownloadCollectionAsync(Dataset, Path.Combine(destination, "dtp", "dataset-12L_1-version-1"), cancellationToken: Ct));
        Directory.Delete(destination, recursive: true);
    }

    [Fact]
    public async Task Put_OurMessages_MatchTheReferenceClients()
    {
        var local = Path.Combine(Path.GetTempPath(), $"dtp-irods-wire-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(local, Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray(), Ct);
        await CompareAsync(
            "RODS_API_REQ:676",
            server => IrodsTestKit.RunPythonAsync("put", Negotiating(server), local, Dataset + "/python.bin"),
            client => client.UploadFileAsync(local, Dataset + "/dtp.bin", Ct));
        File.Delete(local);
    }

    private static JsonObject Negotiating(IrodsTestServer server)
    {
        var connection = IrodsTestKit.Connection(server);
        connection["negotiate"] = true;
        return connection;
    }

    private static async Task CompareAsync<T>(string operationApi, Func<IrodsTestServer, Task<(int ExitCode, JsonNode? Output, string Error)>> reference, Func<IrodsClient, Task<T>> ours)
    {
        await using var server = IrodsTestKit.StartServer();
        IrodsTestKit.WriteTree(server, Dataset);

        var (exitCode, _, log) = await reference(server);
        var theirs = server.Captured;
        server.ClearCapture();
        await using (var client = new IrodsClient(IrodsTestKit.ClientOptions(server)))
        {
            await ours(client);
        }

        var mine = server.Captured;

        Assert.True(exitCode == 0, log);
        var common = Keys(theirs).Intersect(Keys(mine)).ToHashSet();
        Assert.Equal(FirstUse(theirs, common), FirstUse(mine, common));
        foreach (var key in common)
        {
            Assert.True(Structures(theirs, key).SetEquals(Structures(mine, key)),
                $"{key}:\n  python-irodsclient: {string.Join("\n    ", Structures(theirs, key))}\n  dtp: {string.Join("\n    ", Structures(mine, key))}");
        }

        Assert.Contains(operationApi, common);
    }

    private static string Key(CapturedMessage message) => message.Type == "RODS_API_REQ" ? $"{message.Type}:{message.IntInfo}" : message.Type;

    private static HashSet<string> Keys(IEnumerable<CapturedMessage> messages) => messages.Select(Key).ToHashSet();

    private static List<string> FirstUse(IEnumerable<CapturedMessage> messages, HashSet<string> common) =>
        messages.Select(Key).Where(common.Contains).Distinct().ToList();

    /// <summary>The element names of each message of one kind, with repeats of an array element collapsed to one.</summary>
    private static SortedSet<string> Structures(IEnumerable<CapturedMessage> messages, string key) =>
        new(messages.Where(m => Key(m) == key)
            .Select(m => string.Join(' ', m.Elements.Where((e, i) => i == 0 || m.Elements[i - 1] != e))), StringComparer.Ordinal);
}
