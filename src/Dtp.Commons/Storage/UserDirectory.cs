using System.Security.Cryptography;
using System.Text;

namespace Dtp.Commons.Storage;

/// <summary>A user of the commons.</summary>
/// <param name="Id">The numeric user id (fence's <c>sub</c>).</param>
/// <param name="Name">The user name (fence's <c>context.user.name</c>).</param>
/// <param name="IsAdmin">Whether the user may create programs and projects and read and write every project.</param>
internal sealed record CommonsUser(long Id, string Name, bool IsAdmin);

/// <summary>Read and write access of one user to one project (<c>*</c> as project = every project of the program).</summary>
internal sealed record ProjectGrant(string Program, string Project, bool Read, bool Write);

/// <summary>Users, their project grants, API keys and OAuth clients in the commons database.</summary>
internal sealed class UserDirectory(CommonsStore store)
{
    public CommonsUser Ensure(string name, bool isAdmin)
    {
        using var connection = store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO users(name, is_admin) VALUES($n, $a) ON CONFLICT(name) DO UPDATE SET is_admin = MAX(is_admin, $a);
            SELECT id, name, is_admin FROM users WHERE name = $n;
            """;
        command.Parameters.AddWithValue("$n", name);
        command.Parameters.AddWithValue("$a", isAdmin ? 1 : 0);
        using var reader = command.ExecuteReader();
        reader.Read();
        return new CommonsUser(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2) != 0);
    }

    public CommonsUser? Find(long id)
    {
        using var connection = store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, is_admin FROM users WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new CommonsUser(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2) != 0) : null;
    }

    public void Grant(long userId, string program, string project, bool read, bool write)
    {
        using var connection = store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO grants(user_id, program, project, can_read, can_write) VALUES($u, $p, $q, $r, $w)
            ON CONFLICT(user_id, program, project) DO UPDATE SET can_read = MAX(can_read, $r), can_write = MAX(can_write, $w)
            """;
        command.Parameters.AddWithValue("$u", userId);
        command.Parameters.AddWithValue("$p", program);
        command.Parameters.AddWithValue("$q", project);
        command.Parameters.AddWithValue("$r", read || write ? 1 : 0);
        command.Parameters.AddWithValue("$w", write ? 1 : 0);
        command.ExecuteNonQuery();
    }

    public IReadOnlyList<ProjectGrant> Grants(long userId)
    {
        using var connection = store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT program, project, can_read, can_write FROM grants WHERE user_id = $u ORDER BY program, project";
        command.Parameters.AddWithValue("$u", userId);
        using var reader = command.ExecuteReader();
        var grants = new List<ProjectGrant>();
        while (reader.Read())
        {
            grants.Add(new ProjectGrant(reader.GetString(0), reader.GetString(1), reader.GetInt64(2) != 0, reader.GetInt64(3) != 0));
        }

        return grants;
    }

    public void AddApiKey(string jti, long userId, long expires)
    {
        using var connection = store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO api_keys(jti, user_id, expires) VALUES($j, $u, $e)";
        command.Parameters.AddWithValue("$j", jti);
        command.Parameters.AddWithValue("$u", userId);
        command.Parameters.AddWithValue("$e", expires);
        command.ExecuteNonQuery();
    }

    /// <summary>Returns whether the API key is known, not revoked, and belongs to that user.</summary>
    public bool IsApiKeyActive(string jti, long userId)
    {
        using var connection = store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM api_keys WHERE jti = $j AND user_id = $u AND revoked = 0";
        command.Parameters.AddWithValue("$j", jti);
        command.Parameters.AddWithValue("$u", userId);
        return (long)command.ExecuteScalar()! > 0;
    }

    public void RevokeApiKey(string jti)
    {
        using var connection = store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE api_keys SET revoked = 1 WHERE jti = $j";
        command.Parameters.AddWithValue("$j", jti);
        command.ExecuteNonQuery();
    }

    /// <summary>Registers an OAuth client for a user and returns its secret (stored only as a hash).</summary>
    public string AddClient(string clientId, long userId)
    {
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        using var connection = store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO clients(id, secret_sha256, user_id) VALUES($c, $s, $u) ON CONFLICT(id) DO UPDATE SET secret_sha256 = $s, user_id = $u";
        command.Parameters.AddWithValue("$c", clientId);
        command.Parameters.AddWithValue("$s", Hash(secret));
        command.Parameters.AddWithValue("$u", userId);
        command.ExecuteNonQuery();
        return secret;
    }

    /// <summary>Returns the user owning the client when the secret matches.</summary>
    public CommonsUser? AuthenticateClient(string clientId, string secret)
    {
        long userId;
        using (var connection = store.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT secret_sha256, user_id FROM clients WHERE id = $c";
            command.Parameters.AddWithValue("$c", clientId);
            using var reader = command.ExecuteReader();
            if (!reader.Read() || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(reader.GetString(0)), Encoding.ASCII.GetBytes(Hash(secret))))
            {
                return null;
            }

            userId = reader.GetInt64(1);
        }

        return Find(userId);
    }

    public long? ClientOwner(string clientId)
    {
        using var connection = store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_id FROM clients WHERE id = $c";
        command.Parameters.AddWithValue("$c", clientId);
        return command.ExecuteScalar() as long?;
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
