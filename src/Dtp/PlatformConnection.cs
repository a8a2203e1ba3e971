using Dtp.Config;
using Dtp.Gen3;
using Dtp.Storage;
using Microsoft.Extensions.Logging;

namespace Dtp;

/// <summary>The commons and the store a downloader, uploader or deleter works with, and whether it owns them.</summary>
internal sealed class PlatformConnection : IAsyncDisposable
{
    private readonly bool owned;

    public PlatformConnection(Auth auth, DataStoreConnection storage, bool owned)
    {
        Auth = auth;
        Storage = storage;
        this.owned = owned;
    }

    public Auth Auth { get; }

    public DataStoreConnection Storage { get; }

    public bool IsPacs => Storage.Kind == "pacs";

    /// <summary>Opens the store from its config file and the commons from <c>gen3.json</c> (or Gen3's usual credential resolution when null).</summary>
    public static PlatformConnection Open(string dataStorageConfig, string? gen3Config, string dataStorageType, ILoggerFactory loggerFactory, int maxConnections)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataStorageConfig);
        var config = gen3Config is null ? null : Gen3Config.Load(gen3Config);
        var options = new Gen3AuthOptions { LoggerFactory = loggerFactory, CertificateAuthorityFile = config?.CertificateAuthorityFile };
        var auth = new Auth(config?.Endpoint?.ToString(), config?.CredentialsFile, options: options);
        try
        {
            return new PlatformConnection(auth, DataStores.Open(dataStorageType, dataStorageConfig, maxConnections, loggerFactory), owned: true);
        }
        catch
        {
            auth.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (owned)
        {
            Auth.Dispose();
            await Storage.DisposeAsync().ConfigureAwait(false);
        }
    }
}
