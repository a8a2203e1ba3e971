using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Dtp.Commons;

/// <summary>Small helpers for writing Gen3-shaped responses.</summary>
internal static class Http
{
    /// <summary>JSON output options: no HTML-oriented escaping (a JSON API, as Flask's jsonify writes it).</summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task JsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body, Options);
        body.WriteTo(writer);
        await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    public static Task MessageAsync(HttpContext context, int status, string message) =>
        JsonAsync(context, status, new JsonObject { ["message"] = message });

    public static async Task TextAsync(HttpContext context, int status, string contentType, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The public root URL the client used (scheme, host and port of the request).</summary>
    public static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host.Value}";

    /// <summary>The bearer token of the request, or <see langword="null"/> when the header is absent or not <c>bearer TOKEN</c>.</summary>
    public static string? Bearer(HttpContext context, out bool headerPresent)
    {
        var header = context.Request.Headers.Authorization.ToString();
        headerPresent = header.Length > 0;
        var parts = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 && parts[0].Equals("bearer", StringComparison.OrdinalIgnoreCase) ? parts[1] : null;
    }
}
