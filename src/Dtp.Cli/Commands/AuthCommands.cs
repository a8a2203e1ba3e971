using System.CommandLine;
using System.Text.Json.Nodes;

namespace Dtp.Cli.Commands;

/// <summary><c>dtp auth whoami|token</c> and <c>dtp curl</c>.</summary>
internal static class AuthCommands
{
    public static Command Create(GlobalOptions global)
    {
        var whoami = new Command("whoami", "Show whom the credentials belong to and what they grant (GET /user/user).");
        whoami.SetGuardedAction(global, async ctx =>
        {
            using var auth = ctx.CreateAuth();
            var user = await auth.GetUserAsync(ctx.CancellationToken).ConfigureAwait(false);
            var text = $"{user.Username}{(user.IsAdmin ? " (admin)" : "")} at {auth.Endpoint}"
                + string.Concat(user.Resources.Select(r => Environment.NewLine + "  " + r));
            await ctx.WriteResultAsync(JsonNode.Parse(user.Raw.GetRawText()), text).ConfigureAwait(false);
            return ExitCodes.Ok;
        });

        var token = new Command("token", "Print a current access token (for scripts: curl -H \"Authorization: bearer $(dtp auth token)\").");
        token.SetGuardedAction(global, async ctx =>
        {
            using var auth = ctx.CreateAuth();
            var accessToken = await auth.GetAccessTokenAsync(ctx.CancellationToken).ConfigureAwait(false);
            await ctx.WriteResultAsync(new JsonObject { ["access_token"] = accessToken }, accessToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        });

        return new Command("auth", "Gen3 authentication.") { whoami, token };
    }

    public static Command CreateCurl(GlobalOptions global)
    {
        var path = new Argument<string>("path") { Description = "The path under the commons' endpoint, e.g. /user/user." };
        var method = new Option<string>("--request", "-X") { Description = "GET, POST, PUT or DELETE; default GET, or POST with --data." };
        var data = new Option<string>("--data", "-d") { Description = "A JSON document, or @FILE to send a file's content." };
        var curl = new Command("curl", "Send an authenticated request to the commons and print the answer's body.") { path, method, data };
        curl.SetGuardedAction(global, async ctx =>
        {
            using var auth = ctx.CreateAuth();
            using var response = await auth.CurlAsync(ctx.Parse.GetValue(path)!, ctx.Parse.GetValue(method), ctx.Parse.GetValue(data), ctx.CancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(ctx.CancellationToken).ConfigureAwait(false);
            await ctx.Output.WriteLineAsync(body.AsMemory(), ctx.CancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return ExitCodes.Ok;
            }

            await ctx.Error.WriteLineAsync($"error: {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} {response.ReasonPhrase}").ConfigureAwait(false);
            return ExitCodes.Remote;
        });
        return curl;
    }
}
