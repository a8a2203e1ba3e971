using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dtp.Cli.Demo;
using Dtp.Gen3;
using Dtp.Storage;
using Dtp.Testing.Commons;
using Dtp.Upload;

namespace Dtp.Tests.Upload;

/// <summary>An embedded commons with project demo/p1, the example SDS dataset, a local store and its config file, for the uploader's tests.</summary>
internal sealed class UploadKit : IAsyncDisposable
{
    public const string Program = "demo";
    public const string Project = "p1";

    private UploadKit(TestCommons commons, string home)
    {
        Commons = commons;
        Home = home;
        Auth = new Auth(refreshFile: commons.Server.CredentialsPath, options: new Gen3AuthOptions { HomeDirectory = home, UseTokenCache = false });
    }

    public TestCommons Commons { get; }

    public string Home { get; }

    public Auth Auth { get; }

    /// <summary>Gets the example dataset's folder.</summary>
    public string Source => Path.Combine(Home, "source");

    /// <summary>Gets the local store's root folder.</summary>
    public string StoreRoot => Path.Combine(Home, "store");

    /// <summary>Gets the local store's config file.</summary>
    public string LocalConfig => Path.Combine(Home, "local.json");

    public static async Task<UploadKit> StartAsync(CancellationToken cancellationToken)
    {
        var commons = await TestCommons.StartAsync(cancellationToken);
        await commons.CreateProjectAsync(Program, Project, cancellationToken);
        var kit = new UploadKit(commons, Directory.CreateTempSubdirectory("dtp-upload-").FullName);
        await ExampleDataset.CreateAsync(kit.Source, cancellationToken);
        await File.WriteAllTextAsync(kit.LocalConfig, new JsonObject { ["local_root"] = "store" }.ToJsonString(), cancellationToken);
        return kit;
    }

    public DataStoreConnection OpenLocal() => DataStores.Open("local", LocalConfig);

    public async Task<UploadSummary> UploadAsync(DataStoreConnection store, string? datasetId = null, UploaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var uploader = new Uploader(Auth, store, options);
        return await uploader.UploadDatasetAsync(Source, Program, Project, datasetId, cancellationToken: cancellationToken);
    }

    public async Task<IReadOnlyList<JsonObject>> RecordsAsync(string node, CancellationToken cancellationToken) =>
        await new Querier(Auth).GetNodeRecordsAsync(node, Program, Project, cancellationToken);

    /// <summary>Returns every file of a folder tree, by relative path, with its SHA-256.</summary>
    public static Dictionary<string, string> Tree(string root, Func<string, bool>? include = null) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => include?.Invoke(f) ?? true)
            .ToDictionary(f => f, f => Sha256(Path.Combine(root, f)), StringComparer.Ordinal);

    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public async ValueTask DisposeAsync()
    {
        Auth.Dispose();
        await Commons.DisposeAsync();
        Directory.Delete(Home, recursive: true);
    }
}
