using System.Globalization;
using System.Text.Json;

namespace Dtp.Config;

/// <summary>
/// One JSON configuration file being read: typed access to its keys with errors that name the file and the key,
/// <see langword="null"/> treated as absent, relative paths resolved against the file's folder, unknown keys collected as warnings.
/// </summary>
internal sealed class ConfigDocument
{
    private readonly Dictionary<string, JsonElement> values;
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    private ConfigDocument(string path, Dictionary<string, JsonElement> values)
    {
        Path = path;
        this.values = values;
    }

    /// <summary>Gets the file's full path.</summary>
    public string Path { get; }

    /// <summary>Gets the folder relative paths in the file are resolved against.</summary>
    public string Folder => System.IO.Path.GetDirectoryName(Path)!;

    public static ConfigDocument Load(string path, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(fullPath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException(fullPath, null, $"file not found; expected {description}.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(fullPath, null, $"cannot be read: {ex.Message}", ex);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : string.Empty;
            throw new ConfigException(fullPath, null, $"invalid JSON{where}; expected {description}.", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigException(fullPath, null, $"expected a JSON object ({description}), found {Describe(document.RootElement)}.");
            }

            var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                values[property.Name] = property.Value.Clone();
            }

            return new ConfigDocument(fullPath, values);
        }
    }

    /// <summary>Reads a string; <see langword="null"/>, an absent key and an empty string are all "not set".</summary>
    public string? GetString(string key, bool required)
    {
        if (!TryGet(key, required, "a string", out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw WrongType(key, "a string", value);
        }

        var text = value.GetString()!.Trim();
        if (text.Length == 0)
        {
            return required ? throw new ConfigException(Path, key, "is empty; expected a non-empty string.") : null;
        }

        return text;
    }

    /// <summary>Reads a whole number in a range; a string of digits is accepted too.</summary>
    public int? GetInt(string key, bool required, int minimum, int maximum)
    {
        var expected = $"a whole number from {minimum} to {maximum}";
        if (!TryGet(key, required, expected, out var value))
        {
            return null;
        }

        int number;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n))
        {
            number = n;
        }
        else if (value.ValueKind == JsonValueKind.String
                 && int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            number = parsed;
        }
        else
        {
            throw WrongType(key, expected, value);
        }

        return number < minimum || number > maximum
            ? throw new ConfigException(Path, key, $"is {number}; expected {expected}.")
            : number;
    }

    /// <summary>Reads a boolean.</summary>
    public bool? GetBool(string key, bool required)
    {
        if (!TryGet(key, required, "true or false", out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(key, "true or false", value),
        };
    }

    /// <summary>Reads a file-system path; a relative one is resolved against the configuration file's folder.</summary>
    public string? GetPath(string key, bool required)
    {
        var text = GetString(key, required);
        if (text is null)
        {
            return null;
        }

        if (text.StartsWith("~/", StringComparison.Ordinal))
        {
            text = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), text[2..]);
        }

        return System.IO.Path.GetFullPath(text, Folder);
    }

    /// <summary>Reads an absolute http or https URL.</summary>
    public Uri? GetHttpUrl(string key, bool required)
    {
        var text = GetString(key, required);
        if (text is null)
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ConfigException(Path, key, $"\"{text}\" is not a URL; expected an absolute http:// or https:// URL.");
    }

    /// <summary>Reads one of a fixed set of words (compared without regard to case) and returns it in lower case.</summary>
    public string? GetChoice(string key, bool required, params string[] choices)
    {
        var text = GetString(key, required);
        if (text is null)
        {
            return null;
        }

        var match = Array.Find(choices, c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase));
        return match ?? throw new ConfigException(Path, key, $"is \"{text}\"; expected one of: {string.Join(", ", choices)}.");
    }

    /// <summary>
    /// Lists a warning for each key that no getter asked for, and one when the file sets any of <paramref name="secretKeys"/>
    /// while other users can read it.
    /// </summary>
    public IReadOnlyList<string> Warnings(params string[] secretKeys)
    {
        var warnings = values.Keys.Where(k => !read.Contains(k)).Order(StringComparer.Ordinal)
            .Select(k => $"{Path}: unknown key \"{k}\" ignored.").ToList();
        var secrets = secretKeys.Where(k => values.TryGetValue(k, out var v) && v.ValueKind != JsonValueKind.Null).ToArray();
        if (secrets.Length > 0 && Dtp.IO.FilePermissions.ExposedSecretWarning(Path, string.Join(" and ", secrets)) is { } exposed)
        {
            warnings.Add(exposed);
        }

        return warnings;
    }

    private bool TryGet(string key, bool required, string expected, out JsonElement value)
    {
        read.Add(key);
        if (values.TryGetValue(key, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (required)
        {
            var state = values.ContainsKey(key) ? "is null" : "is missing";
            throw new ConfigException(Path, key, $"{state}; expected {expected}.");
        }

        return false;
    }

    private ConfigException WrongType(string key, string expected, JsonElement value) =>
        new(Path, key, $"has {Describe(value)}; expected {expected}.");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
