namespace Dtp.Commons;

/// <summary>Manages the users of a commons data folder (works whether or not the server is running).</summary>
public static class CommonsUsers
{
    /// <summary>
    /// Adds a user (or extends an existing one) with read/write grants on projects and writes a Gen3 credentials file for it,
    /// naming the base URL the server last ran on.
    /// </summary>
    /// <param name="dataDirectory">The commons data folder.</param>
    /// <param name="name">The user name.</param>
    /// <param name="read">Projects the user may read, as <c>PROGRAM/PROJECT</c> (<c>PROGRAM/*</c> for every project of a program).</param>
    /// <param name="write">Projects the user may submit to and delete from (implies read).</param>
    /// <param name="admin">Whether the user may create programs and projects and access every project.</param>
    /// <param name="credentialsPath">Where to write the credentials file; <see langword="null"/> for <c>DATA/credentials-NAME.json</c>.</param>
    /// <param name="overwrite">Whether an existing credentials file may be replaced.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The path of the credentials file.</returns>
    /// <exception cref="ArgumentException">A project is not written as <c>PROGRAM/PROJECT</c>.</exception>
    /// <exception cref="IOException">The credentials file exists and <paramref name="overwrite"/> is false.</exception>
    public static async Task<string> AddAsync(string dataDirectory, string name, IEnumerable<string> read, IEnumerable<string> write, bool admin,
        string? credentialsPath = null, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(write);
        var reads = read.Select(Parse).ToList();
        var writes = write.Select(Parse).ToList();
        using var data = new CommonsData(dataDirectory, TimeProvider.System);
        var user = data.Users.Ensure(name, admin);
        foreach (var (program, project) in reads)
        {
            data.Users.Grant(user.Id, program, project, read: true, write: false);
        }

        foreach (var (program, project) in writes)
        {
            data.Users.Grant(user.Id, program, project, read: true, write: true);
        }

        var path = Path.GetFullPath(credentialsPath ?? Path.Combine(data.DirectoryPath, $"credentials-{name}.json"));
        await data.WriteCredentialsAsync(user, data.LastBaseUrl, path, overwrite, cancellationToken).ConfigureAwait(false);
        return path;
    }

    private static (string Program, string Project) Parse(string value)
    {
        var parts = value.Split('/');
        return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0
            ? (parts[0], parts[1])
            : throw new ArgumentException($"Project '{value}' must be written PROGRAM/PROJECT (or PROGRAM/*).", nameof(value));
    }
}
