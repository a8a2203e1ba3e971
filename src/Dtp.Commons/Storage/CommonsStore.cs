using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Dtp.Commons.Storage;

/// <summary>
/// The commons' SQLite database: graph nodes (one row per record, properties as JSON), edges (links), users, grants,
/// API keys, OAuth clients and counters. Writers are serialized by one lock (one project transaction at a time, as
/// sheepdog's per-request transactions are); readers use their own connections (WAL) and never block writers.
/// </summary>
internal sealed class CommonsStore : IDisposable
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, is_admin INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS grants(user_id INTEGER NOT NULL, program TEXT NOT NULL, project TEXT NOT NULL,
            can_read INTEGER NOT NULL, can_write INTEGER NOT NULL, PRIMARY KEY(user_id, program, project));
        CREATE TABLE IF NOT EXISTS api_keys(jti TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS clients(id TEXT PRIMARY KEY, secret_sha256 TEXT NOT NULL, user_id INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS nodes(id TEXT PRIMARY KEY, type TEXT NOT NULL, project_id TEXT, submitter_id TEXT,
            created TEXT NOT NULL, updated TEXT NOT NULL, state TEXT, props TEXT NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS nodes_key ON nodes(type, project_id, submitter_id);
        CREATE INDEX IF NOT EXISTS nodes_project ON nodes(project_id, type, id);
        CREATE TABLE IF NOT EXISTS edges(src TEXT NOT NULL, link TEXT NOT NULL, dst TEXT NOT NULL, PRIMARY KEY(src, link, dst)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS edges_dst ON edges(dst, src);
        """;

    private readonly string connectionString;
    private readonly SemaphoreSlim writeLock = new(1, 1);

    public CommonsStore(string databasePath)
    {
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        Execute(connection, Schema);
    }

    /// <summary>
    /// Opens a new connection (WAL, normal synchronous: a killed process never loses a committed transaction; a 32 MB page
    /// cache and a memory-mapped database file, so that exports and key lookups do not re-read pages; checkpoints every
    /// 32 MB of WAL rather than every 4 MB, so that index pages rewritten by successive batches are copied back once).
    /// </summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, """
            PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF; PRAGMA busy_timeout = 30000;
            PRAGMA cache_size = -32768; PRAGMA mmap_size = 268435456; PRAGMA wal_autocheckpoint = 8192;
            """);
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> alone among writers, on a connection inside one SQLite transaction it commits only when asked.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction(deferred: false);
            return work(connection, transaction);
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>Increments and returns a named counter in its own committed transaction (ids stay unique even when the work rolls back).</summary>
    public long NextCounter(string name)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO meta(key, value) VALUES($k, '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1;
            SELECT value FROM meta WHERE key = $k;
            """;
        command.Parameters.AddWithValue("$k", name);
        return long.Parse((string)command.ExecuteScalar()!, CultureInfo.InvariantCulture);
    }

    public string? GetMeta(string key)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $k";
        command.Parameters.AddWithValue("$k", key);
        return command.ExecuteScalar() as string;
    }

    public void SetMeta(string key, string value)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = $v";
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$v", value);
        command.ExecuteNonQuery();
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        writeLock.Dispose();
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
