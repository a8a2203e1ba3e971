using Dtp.Config;
using Dtp.Storage.Irods;
using Dtp.Storage.Pacs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dtp.Storage;

/// <summary>An open data store and what it holds open (connections, HTTP clients), released on disposal.</summary>
public sealed class DataStoreConnection : IAsyncDisposable
{
    private readonly IAsyncDisposable? owned;

    internal DataStoreConnection(string kind, IDataStore store, IReadOnlyList<string> warnings, IAsyncDisposable? owned)
    {
        Kind = kind;
        Store = store;
        Warnings = warnings;
        this.owned = owned;
    }

    /// <summary>Gets the storage type: <c>pacs</c>, <c>irods</c> or <c>local</c>.</summary>
    public string Kind { get; }

    /// <summary>Gets the store.</summary>
    public IDataStore Store { get; }

    /// <summary>Gets the configuration file's warnings (unknown keys), for the caller to show.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>Opens the data store a storage type and its configuration file describe: the one way the downloader, the uploader and the CLI reach a store.</summary>
public static class DataStores
{
    /// <summary>The storage types: <c>pacs</c>, <c>irods</c>, <c>local</c>.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["pacs", "irods", "local"];

    /// <summary>Opens a store.</summary>
    /// <param name="kind"><c>pacs</c> (the original's <c>pacs.json</c>), <c>irods</c> (<c>irods.json</c>) or <c>local</c> (<c>{"local_root": ...}</c>).</param>
    /// <param name="configPath">The storage configuration file.</param>
    /// <param name="maxConnections">How many connections the store may hold open at once (iRODS; DICOM associations retrieving or storing).</param>
    /// <param name="loggerFactory">Creates the stores' loggers.</param>
    /// <returns>The open store; dispose it to release its connections.</returns>
    /// <exception cref="DtpException">An unknown kind (kind Local).</exception>
    /// <exception cref="ConfigException">The configuration file is missing or wrong.</exception>
    public static DataStoreConnection Open(string kind, string configPath, int maxConnections = 4, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(configPath);
        loggerFactory ??= NullLoggerFactory.Instance;
        switch (kind)
        {
            case "local":
            {
                var config = LocalStoreConfig.Load(configPath);
                return new DataStoreConnection(kind, new LocalDataStore(config.Root), config.Warnings, null);
            }

            case "irods":
            {
                var config = IrodsConfig.Load(configPath);
                var options = IrodsEnvironment.FromConfig(config, IrodsEnvironment.AuthenticationFilePath());
                options.MaxConnections = Math.Max(1, maxConnections);
                var client = new IrodsClient(options, loggerFactory.CreateLogger<IrodsClient>());
                return new DataStoreConnection(kind, new IrodsDataStore(client, config.ProjectRoot), config.Warnings, client);
            }

            case "pacs":
            {
                var config = PacsConfig.Load(configPath);
                if (config.Url is null)
                {
                    var dimse = DimseDataStore.Create(config, Math.Max(1, maxConnections), loggerFactory);
                    return new DataStoreConnection(kind, dimse, config.Warnings, dimse);
                }

                var store = PacsDataStore.Create(config, loggerFactory);
                return new DataStoreConnection(kind, store, config.Warnings, new DisposableAdapter(store));
            }

            default:
                throw new DtpException($"Storage type '{kind}' is unknown; use one of: {string.Join(", ", Kinds)}.", DtpErrorKind.Local);
        }
    }

    private sealed class DisposableAdapter(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
