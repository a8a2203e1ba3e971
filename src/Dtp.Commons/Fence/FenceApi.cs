using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Commons.Storage;
using Microsoft.AspNetCore.Http;

namespace Dtp.Commons.Fence;

/// <summary>fence's routes under <c>/user</c>: API-key exchange, API-key creation, client credentials, who-am-I and the public keys.</summary>
internal sealed class FenceApi(TokenService tokens, UserDirectory users)
{
    public async Task HandleAsync(HttpContext context, string rest)
    {
        var path = "/" + rest.Trim('/');
        var method = context.Request.Method;
        switch (path)
        {
            case "/credentials/cdis/access_token" or "/credentials/api/access_token" when method == "POST":
                await ExchangeAsync(context).ConfigureAwait(false);
                return;
            case "/credentials/cdis" or "/credentials/api" when method == "POST":
                await CreateKeyAsync(context).ConfigureAwait(false);
                return;
            case "/oauth2/token" when method == "POST":
                await ClientCredentialsAsync(context).ConfigureAwait(false);
                return;
            case "/user" when method == "GET":
                await WhoAmIAsync(context).ConfigureAwait(false);
                return;
            case "/jwt/keys" when method == "GET":
                await Http.JsonAsync(context, 200, new JsonObject
                {
                    ["keys"] = new JsonArray(new JsonArray(tokens.Key.KeyId, tokens.Key.PublicPem)),
                }).ConfigureAwait(false);
                return;
            case "/.well-known/jwks" when method == "GET":
                await Http.JsonAsync(context, 200, new JsonObject
                {
                    ["keys"] = new JsonArray(new JsonObject
                    {
                        ["alg"] = "RS256", ["e"] = tokens.Key.Exponent, ["kid"] = tokens.Key.KeyId, ["kty"] = "RSA", ["n"] = tokens.Key.Modulus, ["use"] = "sig",
                    }),
                }).ConfigureAwait(false);
                return;
            case "/.well-known/openid-configuration" when method == "GET":
                var issuer = Http.BaseUrl(context) + "/user";
                await Http.JsonAsync(context, 200, new JsonObject
                {
                    ["issuer"] = issuer,
                    ["jwks_uri"] = issuer + "/.well-known/jwks",
                    ["token_endpoint"] = issuer + "/oauth2/token",
                    ["userinfo_endpoint"] = issuer + "/user",
                    ["grant_types_supported"] = new JsonArray("client_credentials"),
                    ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
                    ["response_types_supported"] = new JsonArray("token"),
                    ["scopes_supported"] = new JsonArray("openid", "user", "data", "fence"),
                    ["subject_types_supported"] = new JsonArray("public"),
                    ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_basic"),
                }).ConfigureAwait(false);
                return;
        }

        if (path.StartsWith("/credentials/api/", StringComparison.Ordinal) && method == "DELETE")
        {
            await RevokeAsync(context, path["/credentials/api/".Length..]).ConfigureAwait(false);
            return;
        }

        await ErrorAsync(context, 404, "not found").ConfigureAwait(false);
    }

    private static Task ErrorAsync(HttpContext context, int status, string error) =>
        Http.JsonAsync(context, status, new JsonObject { ["error"] = error });

    private async Task ExchangeAsync(HttpContext context)
    {
        string? apiKey = null;
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            apiKey = form["api_key"].ToString();
        }
        else
        {
            try
            {
                var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
                apiKey = body?["api_key"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            }
            catch (JsonException)
            {
                apiKey = null;
            }
        }

        if (string.IsNullOrEmpty(apiKey))
        {
            await ErrorAsync(context, 400, "Please provide an api_key in payload").ConfigureAwait(false);
            return;
        }

        int? expiresIn = int.TryParse(context.Request.Query["expires_in"], out var e) ? e : null;
        var (status, token, error) = tokens.Exchange(apiKey, Http.BaseUrl(context), expiresIn);
        if (token is null)
        {
            await ErrorAsync(context, status, error).ConfigureAwait(false);
            return;
        }

        await Http.JsonAsync(context, 200, new JsonObject { ["access_token"] = token }).ConfigureAwait(false);
    }

    private async Task<TokenPrincipal?> BearerAsync(HttpContext context)
    {
        var token = Http.Bearer(context, out _);
        var principal = token is null ? null : tokens.Authenticate(token, out _);
        if (principal is null)
        {
            await ErrorAsync(context, 401, "Authentication Error: Didn't receive JWT correctly").ConfigureAwait(false);
        }

        return principal;
    }

    private async Task CreateKeyAsync(HttpContext context)
    {
        if (await BearerAsync(context).ConfigureAwait(false) is not { } principal)
        {
            return;
        }

        List<string>? scopes = null;
        var seconds = TokenService.ApiKeySeconds;
        if (context.Request.ContentLength is > 0 && !context.Request.HasFormContentType)
        {
            try
            {
                var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
                scopes = body?["scope"] is JsonArray list ? [.. list.Select(s => (string?)s ?? "")] : null;
                seconds = body?["expires_in"] is JsonValue v && v.TryGetValue<int>(out var n) && n > 0 ? Math.Min(n, seconds) : seconds;
            }
            catch (JsonException)
            {
                await ErrorAsync(context, 400, "invalid JSON body").ConfigureAwait(false);
                return;
            }
        }

        var granted = principal.Claims["scope"] is JsonArray had ? had.Select(s => (string?)s ?? "").ToList() : [];
        scopes = scopes?.Where(granted.Contains).ToList() ?? granted;
        var (apiKey, keyId) = tokens.CreateApiKey(principal.User, Http.BaseUrl(context), scopes, seconds);
        await Http.JsonAsync(context, 200, new JsonObject { ["api_key"] = apiKey, ["key_id"] = keyId }).ConfigureAwait(false);
    }

    private async Task RevokeAsync(HttpContext context, string keyId)
    {
        if (await BearerAsync(context).ConfigureAwait(false) is null)
        {
            return;
        }

        users.RevokeApiKey(keyId);
        context.Response.StatusCode = 204;
    }

    private async Task ClientCredentialsAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false) : null;
        string Param(string name) => context.Request.Query[name].ToString() is { Length: > 0 } q ? q : form?[name].ToString() ?? "";
        if (Param("grant_type") != "client_credentials")
        {
            await Http.JsonAsync(context, 400, new JsonObject { ["error"] = "unsupported_grant_type", ["error_description"] = "grant_type must be client_credentials" }).ConfigureAwait(false);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        CommonsUser? owner = null;
        string? clientId = null;
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    clientId = Uri.UnescapeDataString(pair[..colon]);
                    owner = users.AuthenticateClient(clientId, Uri.UnescapeDataString(pair[(colon + 1)..]));
                }
            }
            catch (FormatException)
            {
                owner = null;
            }
        }

        if (owner is null || clientId is null)
        {
            await Http.JsonAsync(context, 401, new JsonObject { ["error"] = "invalid_client", ["error_description"] = "client authentication failed" }).ConfigureAwait(false);
            return;
        }

        var scopes = Param("scope").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var token = tokens.AccessToken(owner, Http.BaseUrl(context), scopes, TokenService.ClientTokenSeconds, clientId);
        await Http.JsonAsync(context, 200, new JsonObject
        {
            ["access_token"] = token,
            ["expires_in"] = TokenService.ClientTokenSeconds,
            ["token_type"] = "Bearer",
        }).ConfigureAwait(false);
    }

    private async Task WhoAmIAsync(HttpContext context)
    {
        if (await BearerAsync(context).ConfigureAwait(false) is not { } principal)
        {
            return;
        }

        var user = principal.User;
        var grants = users.Grants(user.Id);
        var authz = new JsonObject();
        var projectAccess = new JsonObject();
        var resources = new JsonArray();
        if (user.IsAdmin)
        {
            authz["/programs"] = Methods("*");
            resources.Add("/programs");
            authz["/services/sheepdog/submission/program"] = Methods("*");
            authz["/services/sheepdog/submission/project"] = Methods("*");
        }

        foreach (var grant in grants)
        {
            var path = grant.Project == "*" ? $"/programs/{grant.Program}" : $"/programs/{grant.Program}/projects/{grant.Project}";
            var methods = grant.Write ? new[] { "read", "create", "update", "delete" } : ["read"];
            authz[path] = new JsonArray([.. methods.Select(m => (JsonNode)new JsonObject { ["method"] = m, ["service"] = "*" })]);
            resources.Add(path);
            projectAccess[grant.Project == "*" ? grant.Program : $"{grant.Program}-{grant.Project}"] = new JsonArray([.. methods.Select(m => (JsonNode)m)]);
        }

        await Http.JsonAsync(context, 200, new JsonObject
        {
            ["active"] = true,
            ["authz"] = authz,
            ["certificates_uploaded"] = new JsonArray(),
            ["display_name"] = user.Name,
            ["email"] = null,
            ["groups"] = new JsonArray(),
            ["idp"] = "dtp",
            ["is_admin"] = user.IsAdmin,
            ["message"] = "",
            ["name"] = user.Name,
            ["phone_number"] = "",
            ["preferred_username"] = user.Name,
            ["primary_google_service_account"] = null,
            ["project_access"] = projectAccess,
            ["resources"] = resources,
            ["resources_granted"] = new JsonArray(),
            ["role"] = user.IsAdmin ? "admin" : "user",
            ["sub"] = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["user_id"] = user.Id,
            ["username"] = user.Name,
        }).ConfigureAwait(false);
    }

    private static JsonArray Methods(string method) => new(new JsonObject { ["method"] = method, ["service"] = "*" });
}
