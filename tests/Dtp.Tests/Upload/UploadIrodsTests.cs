using System.Text.Json.Nodes;
using Dtp.Storage;
using Dtp.Tests.Irods;
using Dtp.Upload;

namespace Dtp.Tests.Upload;

/// <summary>Upload and delete with the embedded commons and the iRODS test server (the store reached through <c>irods.json</c>).</summary>
public sealed class UploadIrodsTests : IAsyncLifetime
{
    private UploadKit kit = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => kit = await UploadKit.StartAsync(Ct);

    public ValueTask DisposeAsync() => kit.DisposeAsync();

    [Fact]
    public async Task UploadThenDelete_IrodsTestServer_StoresTheTreeByteIdenticalThenLeavesNothing()
    {
        await using var server = IrodsTestKit.StartServer();
        var config = Path.Combine(kit.Home, "irods.json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["irods_host"] = "127.0.0.1", ["irods_port"] = server.Port, ["irods_user"] = "rods", ["irods_password"] = "rods",
            ["irods_zone"] = server.Options.Zone, ["irods_project_root"] = "/tempZone/home/rods", ["irods_client_server_policy"] = "CS_NEG_REFUSE",
        }.ToJsonString(), Ct);
        await using var store = DataStores.Open("irods", config);

        var summary = await kit.UploadAsync(store, cancellationToken: Ct);
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var file in store.Store.ListAsync(summary.DatasetId, Ct))
        {
            await using var content = await store.Store.OpenReadAsync(summary.DatasetId, file, cancellationToken: Ct);
            stored[file.RelativePath] = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(content, Ct));
        }

        await using var deleter = new Deleter(kit.Auth, store);
        var deleted = await deleter.DeleteDatasetAsync(summary.DatasetId, UploadKit.Program, UploadKit.Project, cancellationToken: Ct);

        Assert.Equal(UploadKit.Tree(kit.Source), stored);
        Assert.Equal(stored.Count, summary.FilesVerified);
        Assert.Equal(stored.Count, deleted.FilesDeleted);
        Assert.Empty(await kit.RecordsAsync("experiment", Ct));
        Assert.Empty(await kit.RecordsAsync("manifest", Ct));
        await Assert.ThrowsAnyAsync<DtpException>(async () => await store.Store.ListAsync(summary.DatasetId, Ct).ToListAsync(Ct));
    }
}
