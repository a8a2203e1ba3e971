using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Dtp.Commons;
using Dtp.Gen3.Dictionary;

namespace Dtp.Cli.Commands;

/// <summary><c>dtp serve</c>: run the embedded Gen3-compatible commons; <c>dtp serve user add</c>: add a user and write its credentials.</summary>
internal static class ServeCommands
{
    public static Command Create(GlobalOptions global)
    {
        var port = new Option<int>("--port") { Description = "TCP port (0 = pick a free one and print it)", DefaultValueFactory = _ => CommonsOptions.DefaultPort };
        var bind = new Option<string>("--bind") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var data = new Option<string>("--data") { Description = "Data folder (SQLite database, signing key, users); created on first start", DefaultValueFactory = _ => "dtp-commons" };
        var dictionary = new Option<string?>("--dictionary") { Description = "Gen3 dictionary: a folder of YAML files or an _all/schema.json file (default: the SDS dictionary shipped with dtp)" };
        var tlsCert = new Option<FileInfo?>("--tls-cert") { Description = "Serve HTTPS with this PEM certificate (chain); needs --tls-key" };
        var tlsKey = new Option<FileInfo?>("--tls-key") { Description = "The PEM private key of --tls-cert" };
        var serve = new Command("serve", "Run a Gen3-compatible commons (fence, sheepdog) backed by SQLite until Ctrl+C.") { port, bind, data, dictionary, tlsCert, tlsKey };
        serve.SetGuardedAction(global, async ctx =>
        {
            var dictionaryPath = ctx.Parse.GetValue(dictionary);
            using var certificate = LoadCertificate(ctx.Parse.GetValue(tlsCert), ctx.Parse.GetValue(tlsKey));
            var options = new CommonsOptions
            {
                Port = ctx.Parse.GetValue(port),
                BindAddress = ctx.Parse.GetValue(bind)!,
                DataDirectory = ctx.Parse.GetValue(data)!,
                Dictionary = dictionaryPath is null ? null : await Gen3Dictionary.LoadAsync(dictionaryPath, ctx.CancellationToken).ConfigureAwait(false),
                Certificate = certificate,
            };
            if (options.Port is < 0 or > 65535)
            {
                throw new ArgumentException($"--port {options.Port} is not a TCP port.");
            }

            var server = await CommonsServer.StartAsync(options, ctx.LoggerFactory, ctx.CancellationToken).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                await ctx.WriteResultAsync(
                    new JsonObject { ["base_url"] = server.BaseUrl, ["credentials"] = server.CredentialsPath, ["client"] = server.ClientPath, ["data"] = server.DataDirectory },
                    $"dtp commons listening on {server.BaseUrl}\ncredentials: {server.CredentialsPath}\nclient: {server.ClientPath}\ndata: {server.DataDirectory}").ConfigureAwait(false);
                await ctx.Output.FlushAsync(ctx.CancellationToken).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, ctx.CancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    await ctx.Error.WriteLineAsync("stopping").ConfigureAwait(false);
                }
            }

            return ExitCodes.Ok;
        });
        serve.Subcommands.Add(CreateUser(global));
        return serve;
    }

    private static X509Certificate2? LoadCertificate(FileInfo? certificate, FileInfo? key)
    {
        if (certificate is null && key is null)
        {
            return null;
        }

        if (certificate is null || key is null)
        {
            throw new ArgumentException("--tls-cert and --tls-key go together.");
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certificate.FullName, key.FullName);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new DtpException($"Cannot load the TLS certificate {certificate.FullName} with the key {key.FullName}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }
    }

    private static Command CreateUser(GlobalOptions global)
    {
        var name = new Argument<string>("NAME") { Description = "User name" };
        var data = new Option<string>("--data") { Description = "Data folder of the commons", Required = true };
        var read = new Option<string[]>("--read") { Description = "Grant read access to PROGRAM/PROJECT (PROGRAM/* for a whole program); repeatable", AllowMultipleArgumentsPerToken = false };
        var write = new Option<string[]>("--write") { Description = "Grant read and write access to PROGRAM/PROJECT; repeatable" };
        var admin = new Option<bool>("--admin") { Description = "Let the user create programs and projects and access every project" };
        var output = new Option<string?>("--out") { Description = "Where to write the user's credentials.json (default DATA/credentials-NAME.json)" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing credentials file" };
        var add = new Command("add", "Add a user with project permissions and write its Gen3 credentials file.") { name, data, read, write, admin, output, overwrite };
        add.SetGuardedAction(global, async ctx =>
        {
            var path = await CommonsUsers.AddAsync(
                ctx.Parse.GetValue(data)!, ctx.Parse.GetValue(name)!, ctx.Parse.GetValue(read) ?? [], ctx.Parse.GetValue(write) ?? [],
                ctx.Parse.GetValue(admin), ctx.Parse.GetValue(output), ctx.Parse.GetValue(overwrite), ctx.CancellationToken).ConfigureAwait(false);
            await ctx.WriteResultAsync(new JsonObject { ["user"] = ctx.Parse.GetValue(name), ["credentials"] = path }, $"credentials: {path}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return new Command("user", "Manage the commons' users.") { add };
    }
}
