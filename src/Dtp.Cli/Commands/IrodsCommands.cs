using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Config;
using Dtp.Storage.Irods;
using Microsoft.Extensions.Logging;

namespace Dtp.Cli.Commands;

/// <summary><c>dtp irods ls|get|put</c>: an iRODS zone over the native protocol.</summary>
internal static class IrodsCommands
{
    public static Command Create(GlobalOptions global)
    {
        var storageConfig = new Option<string?>("--storage-config")
        {
            Description = "The original tool's irods.json; without it, iRODS's own irods_environment.json (IRODS_ENVIRONMENT_FILE) and .irodsA are used.",
            Recursive = true,
        };
        var irods = new Command("irods", "List, download and upload iRODS collections over the native iRODS protocol.");
        irods.Options.Add(storageConfig);
        irods.Subcommands.Add(List(global, storageConfig));
        irods.Subcommands.Add(Get(global, storageConfig));
        irods.Subcommands.Add(Put(global, storageConfig));
        return irods;
    }

    private static Command List(GlobalOptions global, Option<string?> storageConfig)
    {
        var collection = new Argument<string>("COLLECTION") { Description = "An absolute collection path, or one relative to irods_project_root (irods_home)." };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "List the data objects of every sub-collection too." };
        var command = new Command("ls", "List a collection's sub-collections and data objects (size, checksum, modify time).");
        command.Arguments.Add(collection);
        command.Options.Add(recursive);
        command.SetGuardedAction(global, async ctx =>
        {
            var (options, root) = Connection(ctx, storageConfig);
            await using var client = new IrodsClient(options, ctx.LoggerFactory.CreateLogger<IrodsClient>());
            var path = Resolve(root, ctx.Parse.GetValue(collection)!);
            var isRecursive = ctx.Parse.GetValue(recursive);
            var stat = await client.StatAsync(path, ctx.CancellationToken).ConfigureAwait(false)
                ?? throw new IrodsException(IrodsErrors.UserFileDoesNotExist, $"listing {path}");
            var collections = stat.Kind == IrodsObjectKind.Collection && !isRecursive
                ? await client.ListCollectionsAsync(path, recursive: false, ctx.CancellationToken).ToListAsync(ctx.CancellationToken).ConfigureAwait(false)
                : [];
            var objects = stat.Kind == IrodsObjectKind.Collection
                ? await client.ListDataObjectsAsync(path, isRecursive, ctx.CancellationToken).ToListAsync(ctx.CancellationToken).ConfigureAwait(false)
                : [new IrodsDataObject(path, stat.Size, stat.Checksum, stat.ModifyTime)];
            collections.Sort(StringComparer.Ordinal);
            objects.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));

            var json = new JsonObject
            {
                ["path"] = path,
                ["collections"] = new JsonArray([.. collections.Select(c => (JsonNode)c)]),
                ["dataObjects"] = new JsonArray([.. objects.Select(o => (JsonNode)new JsonObject
                {
                    ["path"] = o.Path,
                    ["size"] = o.Size,
                    ["checksum"] = o.Checksum,
                    ["modified"] = o.ModifyTime?.ToString("O", CultureInfo.InvariantCulture),
                })]),
            };
            var text = new StringBuilder();
            foreach (var c in collections)
            {
                text.Append(CultureInfo.InvariantCulture, $"C- {c}\n");
            }

            foreach (var o in objects)
            {
                var name = isRecursive ? o.Path : o.Name;
                text.Append(CultureInfo.InvariantCulture, $"   {name}  {o.Size}  {o.Checksum ?? "-"}  {o.ModifyTime?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}\n");
            }

            await ctx.WriteResultAsync(json, text.ToString().TrimEnd('\n')).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Get(GlobalOptions global, Option<string?> storageConfig)
    {
        var source = new Argument<string>("SOURCE") { Description = "A collection or data object (absolute, or relative to irods_project_root)." };
        var destination = new Argument<string>("DEST") { Description = "The local folder; a collection lands as DEST/<collection name>/." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace local files that exist and differ." };
        var parallel = new Option<int>("--parallel") { Description = "How many files to download at once, and how many connections one large object (64 MiB or more) is fetched over.", DefaultValueFactory = _ => 4 };
        var command = new Command("get", "Download a collection (recursively) or a data object, verified against iRODS checksums, resumable.");
        command.Arguments.Add(source);
        command.Arguments.Add(destination);
        command.Options.Add(overwrite);
        command.Options.Add(parallel);
        command.SetGuardedAction(global, async ctx =>
        {
            var (options, root) = Connection(ctx, storageConfig);
            options.MaxConnections = Math.Max(1, ctx.Parse.GetValue(parallel));
            await using var client = new IrodsClient(options, ctx.LoggerFactory.CreateLogger<IrodsClient>());
            var path = Resolve(root, ctx.Parse.GetValue(source)!);
            var dest = Path.GetFullPath(ctx.Parse.GetValue(destination)!);
            var stat = await client.StatAsync(path, ctx.CancellationToken).ConfigureAwait(false)
                ?? throw new IrodsException(IrodsErrors.UserFileDoesNotExist, $"downloading {path}");
            var target = Path.Combine(dest, IrodsPath.NameOf(path));
            IrodsTransferSummary summary;
            if (stat.Kind == IrodsObjectKind.Collection)
            {
                summary = await ProgressDisplay.RunAsync(ctx, $"downloading {path}",
                    progress => client.DownloadCollectionAsync(path, target, ctx.Parse.GetValue(overwrite), progress, ctx.CancellationToken)).ConfigureAwait(false);
            }
            else
            {
                var (bytes, verified) = await client.DownloadAsync(new IrodsDataObject(path, stat.Size, stat.Checksum, stat.ModifyTime), target, ctx.Parse.GetValue(overwrite), ctx.CancellationToken).ConfigureAwait(false);
                summary = new IrodsTransferSummary(1, bytes, 0, verified ? 1 : 0);
            }

            await ctx.WriteResultAsync(Summary(summary, path, target), $"downloaded {path} to {target}: {summary.Files} files, {summary.Bytes} bytes transferred, {summary.Skipped} already complete, {summary.Verified} checksum-verified").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Put(GlobalOptions global, Option<string?> storageConfig)
    {
        var source = new Argument<string>("PATH") { Description = "A local file or folder." };
        var collection = new Argument<string>("COLLECTION") { Description = "The collection that receives it (a folder lands as COLLECTION/<folder name>)." };
        var parallel = new Option<int>("--parallel") { Description = "How many files to upload at once.", DefaultValueFactory = _ => 4 };
        var command = new Command("put", "Upload a file or a folder tree into a collection; each object is checksummed by the server and compared.");
        command.Arguments.Add(source);
        command.Arguments.Add(collection);
        command.Options.Add(parallel);
        command.SetGuardedAction(global, async ctx =>
        {
            var (options, root) = Connection(ctx, storageConfig);
            options.MaxConnections = Math.Max(1, ctx.Parse.GetValue(parallel));
            await using var client = new IrodsClient(options, ctx.LoggerFactory.CreateLogger<IrodsClient>());
            var local = Path.GetFullPath(ctx.Parse.GetValue(source)!);
            var target = IrodsPath.Combine(Resolve(root, ctx.Parse.GetValue(collection)!), Path.GetFileName(local.TrimEnd(Path.DirectorySeparatorChar)));
            IrodsTransferSummary summary;
            if (Directory.Exists(local))
            {
                summary = await ProgressDisplay.RunAsync(ctx, $"uploading {local}",
                    progress => client.UploadFolderAsync(local, target, progress, ctx.CancellationToken)).ConfigureAwait(false);
            }
            else if (File.Exists(local))
            {
                await client.CreateCollectionAsync(IrodsPath.ParentOf(target), recursive: true, ctx.CancellationToken).ConfigureAwait(false);
                var stored = await client.UploadFileAsync(local, target, ctx.CancellationToken).ConfigureAwait(false);
                summary = new IrodsTransferSummary(1, stored.Size, 0, 1);
            }
            else
            {
                throw new DtpException($"{local} does not exist.", DtpErrorKind.Local);
            }

            await ctx.WriteResultAsync(Summary(summary, local, target), $"uploaded {local} to {target}: {summary.Files} files, {summary.Bytes} bytes, checksums verified").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static JsonObject Summary(IrodsTransferSummary summary, string source, string target) => new()
    {
        ["source"] = source,
        ["target"] = target,
        ["files"] = summary.Files,
        ["bytes"] = summary.Bytes,
        ["skipped"] = summary.Skipped,
        ["verified"] = summary.Verified,
    };

    /// <summary>The client options and the root for relative paths: irods.json when given, else iRODS's own environment file.</summary>
    private static (IrodsClientOptions Options, string Root) Connection(CommandContext ctx, Option<string?> storageConfig)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var authenticationFile = IrodsEnvironment.AuthenticationFilePath();
        var configPath = ctx.Parse.GetValue(storageConfig);
        if (configPath is not null)
        {
            var config = IrodsConfig.Load(configPath);
            foreach (var warning in config.Warnings)
            {
                ctx.Error.WriteLine($"warning: {warning}");
            }

            return (IrodsEnvironment.FromConfig(config, authenticationFile), config.ProjectRoot);
        }

        var environmentFile = IrodsEnvironment.EnvironmentFilePath(Environment.GetEnvironmentVariable("IRODS_ENVIRONMENT_FILE"), home);
        var (options, homeCollection) = IrodsEnvironment.Load(environmentFile, authenticationFile: File.Exists(authenticationFile) ? authenticationFile : null);
        return (options, homeCollection);
    }

    private static string Resolve(string root, string path) =>
        path.StartsWith('/') ? path.TrimEnd('/') : IrodsPath.Combine(root, path.TrimEnd('/'));
}
