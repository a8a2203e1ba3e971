using Dtp.Commons.Fence;
using Dtp.Commons.Storage;
using Dtp.IO;

namespace Dtp.Commons;

/// <summary>The files of a commons data folder: database, signing key, users; shared by the server and <c>dtp serve user add</c>.</summary>
internal sealed class CommonsData : IDisposable
{
    public const string DatabaseFile = "commons.db";
    public const string KeyFile = "jwt-key.pem";
    public const string CredentialsFile = "credentials.json";
    public const string ClientFile = "client.json";
    public const string AdminName = "admin";
    public const string AdminClientId = "dtp-admin";

    public CommonsData(string directory, TimeProvider time)
    {
        Directory.CreateDirectory(directory);
        DirectoryPath = Path.GetFullPath(directory);
        Store = new CommonsStore(Path.Combine(DirectoryPath, DatabaseFile));
        Key = SigningKey.LoadOrCreate(Path.Combine(DirectoryPath, KeyFile));
        Users = new UserDirectory(Store);
        Tokens = new TokenService(Key, Users, time);
    }

    public string DirectoryPath { get; }

    public CommonsStore Store { get; }

    public SigningKey Key { get; }

    public UserDirectory Users { get; }

    public TokenService Tokens { get; }

    /// <summary>Gets the base URL the server last ran on (what new credentials files name as issuer).</summary>
    public string LastBaseUrl => Store.GetMeta("base_url") ?? $"http://127.0.0.1:{CommonsOptions.DefaultPort}";

    /// <summary>Writes a Gen3 credentials file (<c>{"api_key", "key_id"}</c>) holding a new API key of the user.</summary>
    public async Task WriteCredentialsAsync(CommonsUser user, string baseUrl, string path, bool overwrite, CancellationToken cancellationToken)
    {
        var (apiKey, keyId) = Tokens.CreateApiKey(user, baseUrl);
        var json = new System.Text.Json.Nodes.JsonObject { ["api_key"] = apiKey, ["key_id"] = keyId }.ToJsonString();
        await AtomicFile.WriteTextAsync(path, json, overwrite, UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        Key.Dispose();
        Store.Dispose();
    }
}
