using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Dtp.Config;
using Dtp.Dicom.Network;
using Dtp.Storage.Pacs;

namespace Dtp.Cli.Commands;

/// <summary><c>dtp pacs echo</c> and <c>dtp pacs listen</c>: DICOM networking with the PACS of <c>pacs.json</c> (<c>pacs_ip</c>, <c>pacs_port</c>, <c>pacs_aec</c>, <c>pacs_aet</c>).</summary>
internal static class PacsDimseCommands
{
    /// <summary>Adds the DICOM networking commands to the <c>pacs</c> command.</summary>
    /// <param name="pacs">The <c>pacs</c> command.</param>
    /// <param name="global">The global options.</param>
    /// <param name="config">The <c>--storage-config</c> option.</param>
    public static void AddTo(Command pacs, GlobalOptions global, Option<string> config)
    {
        var echo = new Command("echo", "Verify the DICOM connection to the PACS with a C-ECHO.");
        echo.SetGuardedAction(global, async ctx =>
        {
            var options = DimseDataStore.ClientOptions(PacsConfig.Load(ctx.Parse.GetValue(config)!));
            var watch = Stopwatch.StartNew();
            await new DicomClient(options).EchoAsync(ctx.CancellationToken).ConfigureAwait(false);
            var peer = $"{options.CalledAeTitle}@{options.Host}:{options.Port}";
            await ctx.WriteResultAsync(
                new JsonObject { ["peer"] = peer, ["calling_ae_title"] = options.CallingAeTitle, ["milliseconds"] = watch.ElapsedMilliseconds },
                string.Create(CultureInfo.InvariantCulture, $"C-ECHO to {peer} as {options.CallingAeTitle}: success ({watch.ElapsedMilliseconds} ms)")).ConfigureAwait(false);
            return ExitCodes.Ok;
        });

        var destination = new Argument<string>("destination") { Description = "The folder that receives sub-<study>/sam-<series>/<files>." };
        var port = new Option<int>("--port") { Description = "The port to listen on.", DefaultValueFactory = _ => 11112 };
        var bind = new Option<string>("--bind") { Description = "The address to listen on (a PACS needs a routable one).", DefaultValueFactory = _ => "127.0.0.1" };
        var listen = new Command("listen", "Run a storage SCP (AE title pacs_aet) that files every instance it receives, until interrupted (exit 130).") { destination, port, bind };
        listen.SetGuardedAction(global, async ctx =>
        {
            var aeTitle = PacsConfig.Load(ctx.Parse.GetValue(config)!).CallingAeTitle
                ?? throw new DtpException($"{ctx.Parse.GetValue(config)}: pacs_aet is missing; the storage SCP answers to that AE title.", DtpErrorKind.Local);
            if (!IPAddress.TryParse(ctx.Parse.GetValue(bind), out var address))
            {
                throw new DtpException($"--bind {ctx.Parse.GetValue(bind)} is not an IP address.", DtpErrorKind.Local);
            }

            var writer = new DimseFileWriter(ctx.Parse.GetValue(destination)!);
            await using (var server = DicomStorageServer.Start(new DicomStorageServerOptions { AeTitle = aeTitle, Address = address, Port = ctx.Parse.GetValue(port) }, async (instance, ct) =>
            {
                var path = await writer.WriteAsync(instance, ct).ConfigureAwait(false);
                await ctx.Error.WriteLineAsync($"{instance.CallingAeTitle}: {path}").ConfigureAwait(false);
            }))
            {
                await ctx.Error.WriteLineAsync($"listening as {aeTitle} on {address}:{server.Port}; Ctrl+C stops").ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, ctx.CancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await ctx.Error.WriteLineAsync($"{writer.Written} files received").ConfigureAwait(false);
                }
            }

            return ExitCodes.Ok;
        });

        pacs.Subcommands.Add(echo);
        pacs.Subcommands.Add(listen);
    }
}
