using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Cli.Demo;

namespace Dtp.Cli.Commands;

/// <summary><c>dtp demo</c>: the whole platform on one machine.</summary>
internal static class DemoCommands
{
    public static Command Create(GlobalOptions global)
    {
        var dir = new Option<string>("--dir") { Description = "The demo's folder; an earlier demo folder there is replaced.", DefaultValueFactory = _ => "dtp-demo" };
        var command = new Command("demo", "Run the whole platform on this machine: an embedded commons, the example dataset uploaded to a local store, downloaded back and validated.") { dir };
        command.SetGuardedAction(global, async ctx =>
        {
            var report = await DemoRunner.RunAsync(ctx.Parse.GetValue(dir)!, ctx.LoggerFactory, ctx.CancellationToken).ConfigureAwait(false);
            var json = new JsonObject
            {
                ["folder"] = report.Folder,
                ["dataset"] = report.Download.Folder,
                ["upload"] = report.Upload.ToJson(),
                ["downloaded_files"] = report.Download.Files.Count,
                ["downloaded_verified"] = report.Download.Verified,
                ["validation_errors"] = report.ValidationErrors,
                ["validation_warnings"] = report.ValidationWarnings,
                ["seconds"] = Math.Round(report.Elapsed.TotalSeconds, 1),
            };
            await ctx.WriteResultAsync(json, Text(report)).ConfigureAwait(false);
            return report.ValidationErrors == 0 && report.Download.Complete ? ExitCodes.Ok : ExitCodes.LocalInput;
        });
        return command;
    }

    private static string Text(DemoReport r)
    {
        var u = r.Upload;
        var records = string.Join(", ", u.RecordsPerNode.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Value} {p.Key}")));
        var s = new StringBuilder();
        void Line(string text) => s.Append(text).Append('\n');
        Line("dtp demo: the whole platform on this machine");
        Line(string.Create(CultureInfo.InvariantCulture, $"1. started an embedded Gen3 commons at {r.CommonsUrl} (data: {Path.Combine(r.Folder, "commons")}), program {DemoRunner.Program}, project {DemoRunner.Project}, user {DemoRunner.User}"));
        Line(string.Create(CultureInfo.InvariantCulture, $"2. built the example SDS 2.0.0 dataset: {ExampleDataset.Subjects} subjects x {ExampleDataset.SamplesPerSubject} MR series x {ExampleDataset.ImagesPerSample} generated DICOM images"));
        Line(string.Create(CultureInfo.InvariantCulture, $"3. uploaded it as {u.DatasetId}: {records}; {u.FilesPushed.Count} files ({u.BytesPushed} bytes) into the local store {Path.Combine(r.Folder, "store")}, {u.FilesVerified} verified"));
        Line(string.Create(CultureInfo.InvariantCulture, $"4. downloaded it back with the Downloader (files from the store, metadata from Gen3): {r.Download.Files.Count} data files, {r.Download.Verified} verified; {r.Download.MetadataFiles.Count} metadata files written from Gen3"));
        Line(string.Create(CultureInfo.InvariantCulture, $"5. validated the download: {r.ValidationErrors} errors, {r.ValidationWarnings} warnings ({r.Elapsed.TotalSeconds:F1} s in all)"));
        Line("");
        Line($"the dataset is in {r.Download.Folder}");
        Line($"check it yourself:   dtp sds validate {r.Download.Folder}");
        Line("");
        Line("the same against your platform (config files: see the README, \"Use it with your platform\"):");
        Line("  dtp upload <SDS_DIR> --program P --project Q --storage pacs --storage-config pacs.json --gen3-config gen3.json");
        Line("  dtp download <DATASET_ID> <DEST> --program P --project Q --storage pacs --storage-config pacs.json --gen3-config gen3.json");
        Line("  (--storage irods --storage-config irods.json for iRODS; --storage local --storage-config local.json for a folder)");
        Line("  dtp delete <DATASET_ID> --program P --project Q --storage pacs --storage-config pacs.json --gen3-config gen3.json --dry-run");
        return s.ToString().TrimEnd();
    }
}
