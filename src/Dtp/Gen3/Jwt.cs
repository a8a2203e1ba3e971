using System.Text;
using System.Text.Json;

namespace Dtp.Gen3;

/// <summary>The claims of a fence JWT as a client reads them: decoded, not verified (the services verify).</summary>
internal sealed record JwtClaims(string? Issuer, DateTimeOffset? ExpiresAt, string? Purpose, string? UserName)
{
    /// <summary>Decodes a JWT's payload; <see langword="null"/> when the text is not a JWT.</summary>
    public static JwtClaims? TryDecode(string? token)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: >= 3 })
        {
            return null;
        }

        try
        {
            var segment = parts[1].Replace('-', '+').Replace('_', '/');
            segment += new string('=', (4 - segment.Length % 4) % 4);
            using var document = JsonDocument.Parse(Convert.FromBase64String(segment));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var issuer = root.TryGetProperty("iss", out var iss) && iss.ValueKind == JsonValueKind.String ? iss.GetString() : null;
            DateTimeOffset? expires = root.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
            var purpose = root.TryGetProperty("pur", out var pur) && pur.ValueKind == JsonValueKind.String ? pur.GetString() : null;
            var user = root.TryGetProperty("context", out var context) && context.ValueKind == JsonValueKind.Object
                && context.TryGetProperty("user", out var u) && u.ValueKind == JsonValueKind.Object
                && u.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()
                : null;
            return new JwtClaims(issuer, expires, purpose, user);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Gets the commons' root URL from the issuer (<c>scheme://host[:port]</c>, path dropped), or <see langword="null"/>.</summary>
    public string? Endpoint => Gen3Endpoint.FromIssuer(Issuer);
}

/// <summary>Normalises and compares Gen3 endpoint URLs.</summary>
internal static class Gen3Endpoint
{
    /// <summary>Trims whitespace and trailing slashes, as gen3sdk does.</summary>
    public static string Trim(string endpoint) => endpoint.Trim().TrimEnd('/');

    /// <summary>Returns <c>scheme://host[:port]</c> of an issuer URL, or <see langword="null"/> when it is not an absolute URL.</summary>
    public static string? FromIssuer(string? issuer) =>
        Uri.TryCreate(issuer, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null;

    /// <summary>Compares two endpoints after normalising scheme and host case, default ports and trailing slashes.</summary>
    public static bool SameCommons(string a, string b) =>
        Uri.TryCreate(Trim(a), UriKind.Absolute, out var x) && Uri.TryCreate(Trim(b), UriKind.Absolute, out var y)
            ? Uri.Compare(x, y, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
            : string.Equals(Trim(a), Trim(b), StringComparison.OrdinalIgnoreCase);
}
