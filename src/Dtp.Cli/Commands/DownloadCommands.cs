using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Download;
using Dtp.Storage;
using Microsoft.Extensions.Logging;

namespace Dtp.Cli.Commands;

/// <summary><c>dtp download DATASET_ID DEST --storage pacs|irods|local ...</c>: a dataset as a verified SDS folder.</summary>
internal static class DownloadCommands
{
    public static Command Create(GlobalOptions global)
    {
        var datasetId = new Argument<string>("DATASET_ID") { Description = "The dataset id: the Gen3 experiment's submitter_id." };
        var destination = new Argument<string>("DEST") { Description = "The folder that receives the dataset as DEST/DATASET_ID/." };
        var storage = new Option<string>("--storage") { Description = "Where the data files are: pacs, irods or local.", Required = true };
        storage.AcceptOnlyFromAmong([.. DataStores.Kinds]);
        var storageConfig = new Option<FileInfo>("--storage-config") { Description = "The store's configuration: pacs.json, irods.json, or {\"local_root\": ...}.", Required = true };
        var program = new Option<string?>("--program") { Description = "The Gen3 program to look for the dataset in." };
        var project = new Option<string?>("--project") { Description = "The Gen3 project to look for the dataset in." };
        var parallel = new Option<int>("--parallel") { Description = "How many files to transfer at once.", DefaultValueFactory = _ => 4 };
        var overwrite = new Option<bool>("--overwrite") { Description = "Fetch every file again, even those already downloaded and verified." };
        var command = new Command("download", "Download a dataset (data from PACS, iRODS or a local store; metadata from Gen3) as a verified SDS folder; a second run fetches only what is missing or wrong.");
        command.Arguments.Add(datasetId);
        command.Arguments.Add(destination);
        foreach (var option in new Option[] { storage, storageConfig, program, project, parallel, overwrite })
        {
            command.Options.Add(option);
        }

        command.SetGuardedAction(global, async ctx =>
        {
            var kind = ctx.Parse.GetValue(storage)!;
            var count = Math.Max(1, ctx.Parse.GetValue(parallel));
            await using var connection = DataStores.Open(kind, ctx.Parse.GetValue(storageConfig)!.FullName, count, ctx.LoggerFactory);
            foreach (var warning in connection.Warnings)
            {
                await ctx.Error.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
            }

            using var auth = ctx.CreateAuth();
            await using var downloader = new Downloader(connection.Store, kind, auth, ctx.LoggerFactory);
            var options = new DownloadOptions
            {
                Program = ctx.Parse.GetValue(program),
                Project = ctx.Parse.GetValue(project),
                MaxParallelTransfers = count,
                Overwrite = ctx.Parse.GetValue(overwrite),
            };
            var id = ctx.Parse.GetValue(datasetId)!;
            var summary = await ProgressDisplay.RunAsync(ctx, $"downloading {id}", bar =>
                downloader.DownloadDatasetAsync(id, ctx.Parse.GetValue(destination)!, options, Progress(ctx, bar), ctx.CancellationToken)).ConfigureAwait(false);
            await ctx.WriteResultAsync(Json(summary), Text(summary)).ConfigureAwait(false);
            return summary.Complete ? ExitCodes.Ok : ExitCodes.Remote;
        });
        return command;
    }

    /// <summary>Feeds the progress bar on a terminal, else writes a plain line to stderr at most once a second and at the end.</summary>
    private static IProgress<DownloadProgress> Progress(CommandContext ctx, IProgress<TransferProgress>? bar) =>
        bar is not null
            ? new Relay(p => bar.Report(new TransferProgress(p.FilesDone, p.FilesTotal, p.BytesDone, p.BytesTotal, p.CurrentFile)))
            : new PlainLines(ctx.Error);

    private static JsonObject Json(DownloadSummary s) => new()
    {
        ["dataset_id"] = s.DatasetId,
        ["project_id"] = s.ProjectId,
        ["folder"] = s.Folder,
        ["complete"] = s.Complete,
        ["files"] = s.Files.Count,
        ["transferred"] = s.Transferred,
        ["skipped"] = s.Skipped,
        ["verified"] = s.Verified,
        ["failed"] = new JsonArray([.. s.Files.Where(f => f.Status == DownloadFileStatus.Failed).Select(f => (JsonNode)new JsonObject { ["path"] = f.Path, ["reason"] = f.Reason })]),
        ["bytes"] = s.Bytes,
        ["bytes_transferred"] = s.BytesTransferred,
        ["extra_files"] = new JsonArray([.. s.ExtraFiles.Select(f => (JsonNode)f)]),
        ["metadata_files"] = new JsonArray([.. s.MetadataFiles.Select(f => (JsonNode)f)]),
        ["metadata_differences"] = new JsonArray([.. s.MetadataDifferences.Select(f => (JsonNode)f)]),
        ["findings"] = new JsonArray([.. s.Findings.Select(f => (JsonNode)f)]),
    };

    private static string Text(DownloadSummary s)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{(s.Complete ? "downloaded" : "INCOMPLETE")} {s.DatasetId} ({s.ProjectId}) to {s.Folder}: ")
            .Append(CultureInfo.InvariantCulture, $"{s.Files.Count} files, {s.Bytes} bytes; {s.Transferred} transferred ({s.BytesTransferred} bytes), {s.Skipped} already complete, {s.Verified} verified, {s.Failed} failed");
        foreach (var f in s.Files.Where(f => f.Status == DownloadFileStatus.Failed))
        {
            text.Append(CultureInfo.InvariantCulture, $"\nfailed: {f.Path}: {f.Reason}");
        }

        text.Append(CultureInfo.InvariantCulture, $"\nmetadata from Gen3: {string.Join(", ", s.MetadataFiles)}");
        foreach (var line in s.MetadataDifferences)
        {
            text.Append(CultureInfo.InvariantCulture, $"\ndiffers: {line}");
        }

        if (s.ExtraFiles.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{s.ExtraFiles.Count} files not listed in the Gen3 manifest: {string.Join(", ", s.ExtraFiles.Take(10))}{(s.ExtraFiles.Count > 10 ? ", ..." : "")}");
        }

        return text.ToString();
    }

    private sealed class Relay(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }

    /// <summary>Plain progress lines for a log or a pipe.</summary>
    private sealed class PlainLines(TextWriter error) : IProgress<DownloadProgress>
    {
        private readonly Lock gate = new();
        private long lastLine = long.MinValue;

        public void Report(DownloadProgress p)
        {
            var now = Environment.TickCount64;
            lock (gate)
            {
                if (now - lastLine < 1000 && p.FilesDone < p.FilesTotal)
                {
                    return;
                }

                lastLine = now;
                var remaining = p.Remaining is { } r ? r.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "?";
                error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"progress: {p.FilesDone}/{p.FilesTotal} files, {p.BytesDone / 1048576.0:F1}/{p.BytesTotal / 1048576.0:F1} MB, {p.BytesPerSecond / 1048576.0:F1} MB/s, {remaining} left"));
            }
        }
    }
}
