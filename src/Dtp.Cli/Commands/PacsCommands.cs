using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Storage;
using Dtp.Storage.Pacs;

namespace Dtp.Cli.Commands;

/// <summary><c>dtp pacs studies|get|put</c>: direct use of a PACS over DICOMweb, Orthanc's REST API or DICOM networking.</summary>
internal static class PacsCommands
{
    public static Command Create(GlobalOptions global)
    {
        var config = new Option<string>("--storage-config")
        {
            Description = "The PACS configuration (pacs.json): pacs_ip, pacs_port, pacs_aec and pacs_aet for DICOM networking, or pacs_url, pacs_api and credentials for HTTP.",
            Required = true,
            Recursive = true,
        };

        var patient = new Option<string>("--patient") { Description = "Only studies of this Patient ID." };
        var studies = new Command("studies", "List the PACS's studies (QIDO-RS, Orthanc's tools/find, or C-FIND).") { patient };
        studies.SetGuardedAction(global, async ctx =>
        {
            await using var connection = await OpenAsync(ctx, config).ConfigureAwait(false);
            var store = (IPacsStudyStore)connection.Store;
            var list = await store.SearchStudiesAsync(ctx.Parse.GetValue(patient), cancellationToken: ctx.CancellationToken).ToListAsync(ctx.CancellationToken).ConfigureAwait(false);
            var json = new JsonArray(list.Select(s => (JsonNode)new JsonObject
            {
                ["study_instance_uid"] = s.StudyInstanceUid, ["patient_id"] = s.PatientId, ["patient_name"] = s.PatientName,
                ["study_date"] = s.StudyDate, ["study_description"] = s.StudyDescription,
                ["modalities"] = new JsonArray(s.Modalities.Select(m => (JsonNode)JsonValue.Create(m)).ToArray()),
                ["series"] = s.SeriesCount, ["instances"] = s.InstanceCount,
            }).ToArray());
            var text = new StringBuilder();
            foreach (var s in list.OrderBy(s => s.PatientId, StringComparer.Ordinal).ThenBy(s => s.StudyDate, StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"{s.StudyInstanceUid}  {s.PatientId}  {s.StudyDate}  {string.Join('/', s.Modalities)}  {s.SeriesCount} series  {s.InstanceCount} instances  {s.StudyDescription}").AppendLine();
            }

            await ctx.WriteResultAsync(json, list.Count == 0 ? "no studies" : text.ToString().TrimEnd()).ConfigureAwait(false);
            return ExitCodes.Ok;
        });

        var study = new Argument<string>("study") { Description = "The Study Instance UID (dotted, or a sub- folder name)." };
        var destination = new Argument<string>("destination") { Description = "The folder that receives sub-<study>/sam-<series>/<files>." };
        var series = new Option<string[]>("--series") { Description = "Only this series (repeatable).", AllowMultipleArgumentsPerToken = true };
        var parallel = new Option<int>("--parallel") { Description = "Series fetched at once.", DefaultValueFactory = _ => 4 };
        var overwrite = new Option<bool>("--overwrite") { Description = "Download again into a folder that holds the study or other files." };
        var get = new Command("get", "Download a study (WADO-RS, Orthanc's archives, or C-GET/C-MOVE); a second run fetches only missing files.") { study, destination, series, parallel, overwrite };
        get.SetGuardedAction(global, async ctx =>
        {
            var dest = Path.GetFullPath(ctx.Parse.GetValue(destination)!);
            var uid = PacsLayout.ToUid(ctx.Parse.GetValue(study)!);
            var studyFolder = Path.Combine(dest, PacsLayout.SubjectFolder(uid));
            if (ctx.Parse.GetValue(overwrite))
            {
                if (Directory.Exists(studyFolder))
                {
                    Directory.Delete(studyFolder, recursive: true);
                }
            }
            else if (Directory.Exists(dest) && Directory.EnumerateFileSystemEntries(dest).Any(e => e != studyFolder))
            {
                throw new DtpException($"{dest} holds other files than {PacsLayout.SubjectFolder(uid)}; pass --overwrite to download into it anyway.", DtpErrorKind.Local);
            }

            await using var connection = await OpenAsync(ctx, config, ctx.Parse.GetValue(parallel)).ConfigureAwait(false);
            var store = (IPacsStudyStore)connection.Store;
            var options = new PacsDownloadOptions { SeriesInstanceUids = ctx.Parse.GetValue(series) ?? [], MaxParallelSeries = ctx.Parse.GetValue(parallel) };
            var result = await ProgressDisplay.RunAsync(ctx, $"downloading {uid}", progress => store.DownloadStudyAsync(uid, dest, options, progress, ctx.CancellationToken)).ConfigureAwait(false);
            await ctx.WriteResultAsync(ResultJson(result), $"{result.FilesTransferred} files downloaded ({result.BytesTransferred} bytes), {result.FilesSkipped} already complete, in {result.Folder}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });

        var paths = new Argument<string[]>("paths") { Description = "DICOM files or folders (searched recursively; files that are not DICOM are skipped).", Arity = ArgumentArity.OneOrMore };
        var batch = new Option<int>("--batch-size") { Description = "Files per STOW-RS request or C-STORE association.", DefaultValueFactory = _ => 25 };
        var put = new Command("put", "Upload DICOM files (STOW-RS, Orthanc's POST /instances, or C-STORE).") { paths, batch };
        put.SetGuardedAction(global, async ctx =>
        {
            await using var connection = await OpenAsync(ctx, config).ConfigureAwait(false);
            var store = (IPacsStudyStore)connection.Store;
            var uploadOptions = new PacsUploadOptions { BatchSize = ctx.Parse.GetValue(batch) };
            var result = await ProgressDisplay.RunAsync(ctx, "uploading", progress => store.UploadFilesAsync(ctx.Parse.GetValue(paths)!, uploadOptions, progress, ctx.CancellationToken)).ConfigureAwait(false);
            await ctx.WriteResultAsync(ResultJson(result), $"{result.FilesTransferred} files uploaded ({result.BytesTransferred} bytes), {result.FilesSkipped} skipped (not DICOM)").ConfigureAwait(false);
            return ExitCodes.Ok;
        });

        var pacs = new Command("pacs", "A PACS over DICOMweb or Orthanc's REST API (pacs.json with pacs_url), or over DICOM networking (the original's pacs.json).") { config, studies, get, put };
        PacsDimseCommands.AddTo(pacs, global, config);
        return pacs;
    }

    /// <summary>Opens the PACS of the configuration: over HTTP with <c>pacs_url</c>, otherwise over DICOM networking.</summary>
    private static async Task<DataStoreConnection> OpenAsync(CommandContext ctx, Option<string> config, int maxConnections = 4)
    {
        var connection = DataStores.Open("pacs", ctx.Parse.GetValue(config)!, maxConnections, ctx.LoggerFactory);
        foreach (var warning in connection.Warnings)
        {
            await ctx.Error.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
        }

        return connection;
    }

    private static JsonObject ResultJson(PacsTransferResult result) => new()
    {
        ["files_transferred"] = result.FilesTransferred,
        ["files_skipped"] = result.FilesSkipped,
        ["bytes_transferred"] = result.BytesTransferred,
        ["folder"] = result.Folder,
    };
}
