using System.Text;
using System.Text.Json;

namespace Dtp.Tests.Infrastructure;

/// <summary>Unsigned fence-shaped JWTs for client-side tests (the client decodes claims; it never verifies signatures).</summary>
public static class TestJwt
{
    public static string Create(string issuer, DateTimeOffset expires, string purpose = "access", string? jti = null)
    {
        var header = Encode("""{"alg":"RS256","kid":"test","typ":"JWT"}""");
        var payload = Encode(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = issuer,
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["iat"] = expires.AddHours(-1).ToUnixTimeSeconds(),
            ["pur"] = purpose,
            ["jti"] = jti ?? Guid.NewGuid().ToString(),
            ["sub"] = "1",
            ["aud"] = new[] { "gen3" },
            ["scope"] = new[] { "openid", "user", "data" },
        }));
        return $"{header}.{payload}.c2lnbmF0dXJl";
    }

    private static string Encode(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
