using System.Text.Json.Nodes;
using Dtp.Download;
using Dtp.Sds;
using Dtp.Storage;
using Dtp.Tests.Irods;
using Dtp.Upload;

namespace Dtp.Tests.Upload;

/// <summary>Upload, download and delete with the embedded commons and the iRODS test server (the store reached through <c>irods.json</c>).</summary>
public sealed class UploadIrodsTests : IAsyncLifetime
{
    private UploadKit kit = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => kit = await UploadKit.StartAsync(Ct);

    public ValueTask DisposeAsync() => kit.DisposeAsync();

    [Fact]
    public async Task UploadDownloadDelete_IrodsTestServer_DataByteIdenticalMetadataValidThenNothingLeft()
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
        await using var downloader = new Downloader(store.Store, store.Kind, kit.Auth);
        var download = await downloader.DownloadDatasetAsync(summary.DatasetId, Path.Combine(kit.Home, "download"),
            new DownloadOptions { Program = UploadKit.Program, Project = UploadKit.Project }, cancellationToken: Ct);
        await using var deleter = new Deleter(kit.Auth, store);
        var deleted = await deleter.DeleteDatasetAsync(summary.DatasetId, UploadKit.Program, UploadKit.Project, cancellationToken: Ct);

        var source = UploadKit.Tree(kit.Source);
        var isData = (string p) => p.StartsWith("primary/", StringComparison.Ordinal);
        Assert.True(download.Complete);
        Assert.Empty(download.MetadataDifferences);
        Assert.Equal(UploadKit.Tree(kit.Source, p => isData(p)), UploadKit.Tree(download.Folder, p => isData(p)));
        Assert.DoesNotContain(SdsValidator.Validate(await SdsDatasetReader.ReadAsync(download.Folder, cancellationToken: Ct)), f => f.Severity == SdsSeverity.Error);
        Assert.Equal(source.Count, summary.FilesVerified);
        Assert.Equal(source.Count, deleted.FilesDeleted);
        Assert.Empty(await kit.RecordsAsync("experiment", Ct));
        Assert.Empty(await kit.RecordsAsync("manifest", Ct));
        await Assert.ThrowsAnyAsync<DtpException>(async () => await store.Store.ListAsync(summary.DatasetId, Ct).ToListAsync(Ct));
    }
}
