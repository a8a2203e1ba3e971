using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Storage;
using Dtp.Upload;

namespace Dtp.Cli.Commands;

/// <summary><c>dtp upload</c> and <c>dtp delete</c>: a whole dataset into, or out of, a commons and a store.</summary>
internal static class UploadCommands
{
    public static Command CreateUpload(GlobalOptions global)
    {
        var sdsDir = new Argument<DirectoryInfo>("sds-dir") { Description = "The SDS dataset folder." };
        var (program, project) = Gen3Commands.ProjectOptions();
        var (storage, storageConfig) = StorageOptions();
        var datasetId = new Option<string>("--dataset-id") { Description = "The dataset id; default: the next free <program>-<project>-dataset-<n>-version-1." };
        var skipNonDicom = new Option<bool>("--skip-non-dicom") { Description = "PACS: leave out data files that are not DICOM instead of refusing the dataset." };
        var command = new Command("upload", "Validate an SDS dataset, submit its metadata to Gen3 and push its data files to a store.")
        {
            sdsDir, program, project, storage, storageConfig, datasetId, skipNonDicom,
        };
        command.SetGuardedAction(global, async ctx =>
        {
            var options = new UploaderOptions { SkipNonDicom = ctx.Parse.GetValue(skipNonDicom), LoggerFactory = ctx.LoggerFactory };
            using var auth = ctx.CreateAuth();
            await using var connection = await OpenAsync(ctx, storage, storageConfig).ConfigureAwait(false);
            var uploader = new Uploader(auth, connection, options);
            try
            {
                var summary = await ProgressDisplay.RunAsync(ctx, "uploading", progress => uploader.UploadDatasetAsync(ctx.Parse.GetValue(sdsDir)!.FullName,
                    ctx.Parse.GetValue(program)!, ctx.Parse.GetValue(project)!, ctx.Parse.GetValue(datasetId), progress, ctx.CancellationToken)).ConfigureAwait(false);
                await ctx.WriteResultAsync(summary.ToJson(), Describe(summary)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (UploadException ex)
            {
                await ctx.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                await ctx.Error.WriteLineAsync($"written before the failure:{Environment.NewLine}{Describe(ex.Written)}").ConfigureAwait(false);
                await ctx.Error.WriteLineAsync($"remove it with: dtp delete {ex.Written.DatasetId} --program {ex.Written.Program} --project {ex.Written.Project} --storage {connection.Kind} --storage-config {ctx.Parse.GetValue(storageConfig)!.FullName}").ConfigureAwait(false);
                if (ctx.Json)
                {
                    await ctx.WriteResultAsync(ex.Written.ToJson(), "").ConfigureAwait(false);
                }

                return ex.Kind == DtpErrorKind.Local ? ExitCodes.LocalInput : ExitCodes.Remote;
            }
        });
        return command;
    }

    public static Command CreateDelete(GlobalOptions global)
    {
        var datasetId = new Argument<string>("dataset-id") { Description = "The dataset id (the experiment's submitter_id)." };
        var (program, project) = Gen3Commands.ProjectOptions();
        var (storage, storageConfig) = StorageOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be deleted; delete nothing." };
        var command = new Command("delete", "Delete a dataset: its Gen3 records (children first), then its files in the store.")
        {
            datasetId, program, project, storage, storageConfig, dryRun,
        };
        command.SetGuardedAction(global, async ctx =>
        {
            using var auth = ctx.CreateAuth();
            await using var connection = await OpenAsync(ctx, storage, storageConfig).ConfigureAwait(false);
            var summary = await new Deleter(auth, connection, new UploaderOptions { LoggerFactory = ctx.LoggerFactory }).DeleteDatasetAsync(
                ctx.Parse.GetValue(datasetId)!, ctx.Parse.GetValue(program)!, ctx.Parse.GetValue(project)!, ctx.Parse.GetValue(dryRun), ctx.CancellationToken).ConfigureAwait(false);
            await ctx.WriteResultAsync(summary.ToJson(), Describe(summary)).ConfigureAwait(false);
            foreach (var (study, reason) in summary.StudiesNotDeleted)
            {
                await ctx.Error.WriteLineAsync($"error: study {study} was not deleted: {reason}").ConfigureAwait(false);
            }

            return summary.StudiesNotDeleted.Count > 0 ? ExitCodes.Remote : ExitCodes.Ok;
        });
        return command;
    }

    private static (Option<string> Storage, Option<FileInfo> Config) StorageOptions()
    {
        var storage = new Option<string>("--storage") { Description = "The store: pacs, irods or local.", Required = true };
        storage.AcceptOnlyFromAmong([.. DataStores.Kinds]);
        var config = new Option<FileInfo>("--storage-config") { Description = "The store's configuration: pacs.json, irods.json or {\"local_root\": ...}.", Required = true };
        return (storage, config);
    }

    private static async Task<DataStoreConnection> OpenAsync(CommandContext ctx, Option<string> storage, Option<FileInfo> config)
    {
        var connection = DataStores.Open(ctx.Parse.GetValue(storage)!, ctx.Parse.GetValue(config)!.FullName, loggerFactory: ctx.LoggerFactory);
        foreach (var warning in connection.Warnings)
        {
            await ctx.Error.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
        }

        return connection;
    }

    private static string Describe(UploadSummary s)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"dataset {s.DatasetId} in {s.Program}-{s.Project}").AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"records: {Counts(s.RecordsPerNode)}").AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"files: {s.FilesPushed.Count} pushed ({s.BytesPushed} bytes) to the {s.Store}, {s.FilesVerified} verified");
        if (s.Skipped.Count > 0)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"skipped (not DICOM): {string.Join(", ", s.Skipped)}");
        }

        return text.ToString();
    }

    private static string Describe(DeleteSummary s)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{(s.DryRun ? "would delete" : "deleted")} dataset {s.DatasetId}").AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"records: {Counts(s.RecordsPerNode)}").AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"files: {s.FilesDeleted}");
        if (s.StudiesDeleted.Count > 0)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"PACS studies: {string.Join(", ", s.StudiesDeleted)}");
        }

        foreach (var (study, other) in s.StudiesKept)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"kept study {study}: dataset {other} references it");
        }

        return text.ToString();
    }

    private static string Counts(IReadOnlyDictionary<string, int> counts) =>
        string.Join(", ", counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")));
}
