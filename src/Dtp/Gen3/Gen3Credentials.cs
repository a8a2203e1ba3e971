using System.Text.Json;

namespace Dtp.Gen3;

/// <summary>A Gen3 API key as the commons' profile page hands it out in <c>credentials.json</c>.</summary>
/// <param name="ApiKey">The API key: a JWT signed by fence (<c>api_key</c>).</param>
/// <param name="KeyId">The key's id, equal to its <c>jti</c> claim (<c>key_id</c>).</param>
public sealed record Gen3Credentials(string ApiKey, string? KeyId)
{
    /// <summary>Parses the text of a credentials file: <c>{"api_key": "...", "key_id": "..."}</c>.</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="source">Where the text came from, for error messages.</param>
    /// <exception cref="Gen3AuthException">The text is not JSON or has no <c>api_key</c>.</exception>
    public static Gen3Credentials Parse(string json, string source = "the credentials")
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("api_key", out var key) || key.ValueKind != JsonValueKind.String || key.GetString()!.Length == 0)
            {
                throw new Gen3AuthException($"{source}: no \"api_key\" string; expected a Gen3 credentials file {{\"api_key\": \"...\", \"key_id\": \"...\"}}.", DtpErrorKind.Local);
            }

            var keyId = root.TryGetProperty("key_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            return new Gen3Credentials(key.GetString()!, keyId);
        }
        catch (JsonException ex)
        {
            throw new Gen3AuthException($"{source}: invalid JSON at line {(ex.LineNumber ?? 0) + 1}; expected a Gen3 credentials file.", DtpErrorKind.Local, innerException: ex);
        }
    }

    /// <summary>Reads a credentials file.</summary>
    /// <param name="path">The file's path.</param>
    /// <exception cref="Gen3AuthException">The file cannot be read, is not JSON or has no <c>api_key</c>.</exception>
    public static Gen3Credentials Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new Gen3AuthException($"Cannot read the Gen3 credentials file {path}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }

        return Parse(text, path);
    }

    /// <summary>Parses credentials JSON text, so that <c>new Auth(refreshToken: json)</c> takes the text as the original did.</summary>
    /// <param name="json">The credentials file's text.</param>
    /// <exception cref="Gen3AuthException">The text is not JSON or has no <c>api_key</c>.</exception>
    public static implicit operator Gen3Credentials(string json) => Parse(json);

    /// <summary>Returns the credentials as JSON, as fence's token endpoint expects them.</summary>
    internal string ToJson() => JsonSerializer.Serialize(new Dictionary<string, string?> { ["api_key"] = ApiKey, ["key_id"] = KeyId });

    /// <inheritdoc/>
    public override string ToString() => $"Gen3Credentials {{ KeyId = {KeyId} }}";
}

/// <summary>An OIDC client's id and secret, for fence's client-credentials grant.</summary>
/// <param name="ClientId">The client id.</param>
/// <param name="ClientSecret">The client secret.</param>
public sealed record ClientCredentials(string ClientId, string ClientSecret)
{
    /// <inheritdoc/>
    public override string ToString() => $"ClientCredentials {{ ClientId = {ClientId} }}";
}
