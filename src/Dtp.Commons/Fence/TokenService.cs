using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Commons.Storage;

namespace Dtp.Commons.Fence;

/// <summary>What a valid access token says about its bearer.</summary>
/// <param name="User">The user (for client-credentials tokens: the client's owner).</param>
/// <param name="Claims">The token's claims.</param>
internal sealed record TokenPrincipal(CommonsUser User, JsonObject Claims);

/// <summary>Issues and checks fence's tokens: API keys, access tokens (API-key exchange and client credentials).</summary>
internal sealed class TokenService(SigningKey key, UserDirectory users, TimeProvider time)
{
    /// <summary>fence's <c>MAX_ACCESS_TOKEN_TTL</c>: default and maximum lifetime of an exchanged access token.</summary>
    public const int MaxAccessTokenSeconds = 3600;

    /// <summary>fence's <c>ACCESS_TOKEN_EXPIRES_IN</c> for client credentials.</summary>
    public const int ClientTokenSeconds = 1200;

    /// <summary>fence's <c>MAX_API_KEY_TTL</c> (30 days).</summary>
    public const int ApiKeySeconds = 2_592_000;

    private static readonly string[] DefaultScopes = ["openid", "user", "data", "fence"];

    public SigningKey Key => key;

    public long Now => time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Creates an API key for a user and records its <c>jti</c>; returns (api_key, key_id).</summary>
    public (string ApiKey, string KeyId) CreateApiKey(CommonsUser user, string baseUrl, IReadOnlyList<string>? scopes = null, int seconds = ApiKeySeconds)
    {
        var jti = Guid.NewGuid().ToString();
        var now = Now;
        var claims = new JsonObject
        {
            ["pur"] = "api_key",
            ["sub"] = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["iss"] = baseUrl + "/user",
            ["aud"] = new JsonArray("gen3"),
            ["iat"] = now,
            ["exp"] = now + Math.Min(seconds, ApiKeySeconds),
            ["jti"] = jti,
            ["azp"] = "",
            ["scope"] = new JsonArray([.. (scopes ?? DefaultScopes).Select(s => (JsonNode)s)]),
        };
        users.AddApiKey(jti, user.Id, now + seconds);
        return (key.Sign(claims), jti);
    }

    /// <summary>Exchanges an API key for an access token, or returns the HTTP status and error text fence gives.</summary>
    public (int Status, string? Token, string Error) Exchange(string apiKey, string baseUrl, int? expiresIn)
    {
        var claims = key.Verify(apiKey, out var error);
        if (claims is null)
        {
            return (401, null, error);
        }

        if ((string?)claims["pur"] != "api_key")
        {
            return (401, null, "Token is not an API key");
        }

        var now = Now;
        var exp = claims["exp"]?.GetValue<long>() ?? 0;
        if (exp <= now)
        {
            return (401, null, "Signature has expired");
        }

        if (!long.TryParse((string?)claims["sub"], out var userId) || users.Find(userId) is not { } user
            || !users.IsApiKeyActive((string?)claims["jti"] ?? "", userId))
        {
            return (401, null, "This API key has been revoked or is not valid");
        }

        var ttl = Math.Min(expiresIn is > 0 ? expiresIn.Value : MaxAccessTokenSeconds, MaxAccessTokenSeconds);
        if (now + ttl > exp)
        {
            return (400, null, "Cannot issue an access token that would expire after the provided API key does. Please request an access token with a shorter expiration (expires_in) or create a new API key.");
        }

        var scopes = claims["scope"] is JsonArray s ? [.. s.Select(x => (string?)x ?? "")] : DefaultScopes;
        return (200, AccessToken(user, baseUrl, scopes, ttl, clientId: null), "");
    }

    public string AccessToken(CommonsUser user, string baseUrl, IReadOnlyList<string> scopes, int seconds, string? clientId)
    {
        var now = Now;
        var claims = new JsonObject
        {
            ["pur"] = "access",
            ["iss"] = baseUrl + "/user",
            ["aud"] = clientId is null ? new JsonArray("gen3") : new JsonArray("gen3", clientId),
            ["iat"] = now,
            ["exp"] = now + seconds,
            ["jti"] = Guid.NewGuid().ToString(),
            ["scope"] = new JsonArray([.. scopes.Select(s => (JsonNode)s)]),
            ["azp"] = clientId ?? "",
        };
        if (clientId is null)
        {
            claims["sub"] = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            claims["context"] = new JsonObject
            {
                ["user"] = new JsonObject { ["name"] = user.Name, ["is_admin"] = user.IsAdmin, ["google"] = new JsonObject { ["proxy_group"] = null } },
            };
        }
        else
        {
            claims["context"] = new JsonObject();
        }

        return key.Sign(claims);
    }

    /// <summary>Checks an access token (signature of our key whatever its issuer host, expiry, purpose, <c>openid</c> scope).</summary>
    public TokenPrincipal? Authenticate(string token, out string error)
    {
        var claims = key.Verify(token, out error);
        if (claims is null)
        {
            return null;
        }

        try
        {
            if ((string?)claims["pur"] != "access")
            {
                error = "token is not an access token";
                return null;
            }

            if ((claims["exp"]?.GetValue<long>() ?? 0) <= Now)
            {
                error = "Signature has expired";
                return null;
            }

            if (claims["scope"] is not JsonArray scope || !scope.Any(s => (string?)s == "openid"))
            {
                error = "token is missing required scope openid";
                return null;
            }

            CommonsUser? user = null;
            if (long.TryParse((string?)claims["sub"], out var userId))
            {
                user = users.Find(userId);
            }
            else if ((string?)claims["azp"] is { Length: > 0 } clientId && users.ClientOwner(clientId) is { } owner)
            {
                user = users.Find(owner);
            }

            if (user is null)
            {
                error = "user of the token does not exist";
                return null;
            }

            return new TokenPrincipal(user, claims);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException)
        {
            error = "invalid claims";
            return null;
        }
    }
}
