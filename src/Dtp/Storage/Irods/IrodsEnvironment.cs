using System.Globalization;
using Dtp.Config;

namespace Dtp.Storage.Irods;

/// <summary>
/// iRODS's own client settings: the environment file (<c>~/.irods/irods_environment.json</c> or <c>IRODS_ENVIRONMENT_FILE</c>) and
/// the obfuscated password file <c>.irodsA</c> that <c>iinit</c> writes.
/// </summary>
public static class IrodsEnvironment
{
    /// <summary>The characters the <c>.irodsA</c> obfuscation rotates; others pass through unchanged.</summary>
    private const string Wheel = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!\"#$%&'()*+,-./";

    private static readonly uint[] Sequence =
    [
        0xd768b678, 0xedfdaf56, 0x2420231b, 0x987098d8, 0xc1bdfeee, 0xf572341f, 0x478def3a, 0xa830d343,
        0x774dfa2a, 0x6720731e, 0x346fa320, 0x6ffdf43a, 0x7723a320, 0xdf67d02e, 0x86ad240a, 0xe76d342e,
    ];

    /// <summary>Returns the environment file to use: <paramref name="environmentFileVariable"/> when set, else <c>~/.irods/irods_environment.json</c>.</summary>
    /// <param name="environmentFileVariable">The value of <c>IRODS_ENVIRONMENT_FILE</c>, if set.</param>
    /// <param name="homeFolder">The user's home folder.</param>
    /// <returns>The file's full path (it may not exist).</returns>
    public static string EnvironmentFilePath(string? environmentFileVariable, string homeFolder) =>
        string.IsNullOrWhiteSpace(environmentFileVariable)
            ? Path.Combine(homeFolder, ".irods", "irods_environment.json")
            : Path.GetFullPath(environmentFileVariable);

    /// <summary>Returns the <c>.irodsA</c> file to read a password from: <c>IRODS_AUTHENTICATION_FILE</c> when set, else <c>~/.irods/.irodsA</c>.</summary>
    /// <returns>The file's path (it may not exist).</returns>
    public static string AuthenticationFilePath() =>
        Environment.GetEnvironmentVariable("IRODS_AUTHENTICATION_FILE") is { Length: > 0 } file
            ? file
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".irods", ".irodsA");

    /// <summary>Reads an iRODS environment file into client options and the user's home collection.</summary>
    /// <param name="path">The environment file.</param>
    /// <param name="password">The password; when <see langword="null"/> it is read from <paramref name="authenticationFile"/>.</param>
    /// <param name="authenticationFile">The <c>.irodsA</c> file; <c>.irodsA</c> beside the environment file when <see langword="null"/>.</param>
    /// <returns>The options and <c>irods_home</c> (or <c>/zone/home/user</c>).</returns>
    /// <exception cref="ConfigException">The file is missing or a key is missing or wrong, or no password can be found.</exception>
    public static (IrodsClientOptions Options, string Home) Load(string path, string? password = null, string? authenticationFile = null)
    {
        var doc = ConfigDocument.Load(path, "an iRODS environment file with irods_host, irods_port, irods_user_name and irods_zone_name");
        var options = new IrodsClientOptions
        {
            Host = doc.GetString("irods_host", required: true)!,
            Port = doc.GetInt("irods_port", required: false, 1, 65535) ?? 1247,
            UserName = doc.GetString("irods_user_name", required: true)!,
            Zone = doc.GetString("irods_zone_name", required: true)!,
            AuthenticationScheme = ParseScheme(doc.GetChoice("irods_authentication_scheme", required: false, "native", "pam_password", "pam")),
            ClientServerPolicy = ParsePolicy(doc.GetChoice("irods_client_server_policy", required: false, "CS_NEG_REFUSE", "CS_NEG_DONT_CARE", "CS_NEG_REQUIRE")),
            CaCertificateFile = doc.GetPath("irods_ssl_ca_certificate_file", required: false),
        };
        var home = doc.GetString("irods_home", required: false) ?? $"/{options.Zone}/home/{options.UserName}";
        options.Password = password ?? ReadPasswordFile(authenticationFile ?? Path.Combine(doc.Folder, ".irodsA"));
        return (options, home.TrimEnd('/'));
    }

    /// <summary>Builds client options from the original tool's <c>irods.json</c>.</summary>
    /// <param name="config">The loaded configuration.</param>
    /// <param name="authenticationFile">The <c>.irodsA</c> file read when the configuration has no password.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">The configuration has no password and the <c>.irodsA</c> file cannot be read.</exception>
    public static IrodsClientOptions FromConfig(IrodsConfig config, string authenticationFile)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new IrodsClientOptions
        {
            Host = config.Host,
            Port = config.Port,
            UserName = config.User,
            Zone = config.Zone,
            Password = config.Password ?? ReadPasswordFile(authenticationFile),
            AuthenticationScheme = ParseScheme(config.AuthenticationScheme),
            ClientServerPolicy = ParsePolicy(config.ClientServerPolicy),
            CaCertificateFile = config.SslCaCertificateFile,
        };
    }

    /// <summary>Reads the password from an <c>.irodsA</c> file written by <c>iinit</c>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="uid">The user id the file was obfuscated with; the current process's when <see langword="null"/>.</param>
    /// <returns>The password.</returns>
    /// <exception cref="ConfigException">The file is missing or not in the <c>.irodsA</c> format.</exception>
    public static string ReadPasswordFile(string path, int? uid = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, null, $"no iRODS password is configured and the password file cannot be read ({ex.Message}); run iinit or set irods_password.", ex);
        }

        return Deobfuscate(text.TrimEnd('\n', '\r'), uid ?? CurrentUid())
            ?? throw new ConfigException(path, null, "is not an iRODS .irodsA password file.");
    }

    /// <summary>Reverses iRODS's <c>.irodsA</c> obfuscation (the scheme iCommands and python-irodsclient share).</summary>
    internal static string? Deobfuscate(string text, int uid)
    {
        // '.', five obfuscated characters of time stamp, the sequence index as a letter from 'e', then the password.
        if (text.Length < 7 || text[0] != '.' || text[6] - 'e' is < 0 or >= 16)
        {
            return null;
        }

        var sequence = Sequence[text[6] - 'e'];
        var shift = 15;
        var result = new System.Text.StringBuilder();
        foreach (var c in text.AsSpan(7))
        {
            if (c == '\0')
            {
                break;
            }

            var offset = (int)((sequence >> shift) & 0x1f) + (uid & 0xf5f);
            shift += 3;
            if (shift > 28)
            {
                shift = 0;
            }

            var index = Wheel.IndexOf(c, StringComparison.Ordinal);
            result.Append(index < 0 ? c : Wheel[(((index - offset) % Wheel.Length) + Wheel.Length) % Wheel.Length]);
        }

        return result.ToString();
    }

    private static int CurrentUid()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var field = line?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
            return int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? uid : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static IrodsAuthenticationScheme ParseScheme(string? scheme) =>
        scheme is "pam_password" or "pam" ? IrodsAuthenticationScheme.Pam : IrodsAuthenticationScheme.Native;

    private static IrodsClientServerPolicy ParsePolicy(string? policy) => policy switch
    {
        "CS_NEG_REQUIRE" => IrodsClientServerPolicy.Require,
        "CS_NEG_REFUSE" => IrodsClientServerPolicy.Refuse,
        _ => IrodsClientServerPolicy.DontCare,
    };
}
