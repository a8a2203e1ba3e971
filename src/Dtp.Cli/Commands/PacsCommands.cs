using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Config;
using Dtp.Storage.Pacs;

namespace Dtp.Cli.Commands;

/// <summary><c>dtp pacs studies|get|put</c>: direct use of a PACS over DICOMweb or Orthanc's REST API.</summary>
internal static class PacsCommands
{
    public static Command Create(GlobalOptions global)
    {
        var config = new Option<string>("--storage-config")
        {
            Description = "The PACS configuration (pacs.json) with pacs_url, pacs_api and credentials.",
            Required = true,
            Recursive = true,
        };

        var patient = new Option<string>("--patient") { Description = "Only studies of this Patient ID." };
        var studies = new Command("studies", "List the PACS's studies (QIDO-RS, or Orthanc's tools/find).") { patient };
        studies.SetGuardedAction(global, async ctx =>
        {
            using var store = await OpenAsync(ctx, config).ConfigureAwait(false);
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
        var get = new Command("get", "Download a study (WADO-RS, or Orthanc's archives); a second run fetches only missing files.") { study, destination, series, parallel, overwrite };
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

            using var store = await OpenAsync(ctx, config).ConfigureAwait(false);
            var options = new PacsDownloadOptions { SeriesInstanceUids = ctx.Parse.GetValue(series) ?? [], MaxParallelSeries = ctx.Parse.GetValue(parallel) };
            var result = await store.DownloadStudyAsync(uid, dest, options, TerminalProgress(ctx), ctx.CancellationToken).ConfigureAwait(false);
            await ctx.WriteResultAsync(ResultJson(result), $"{result.FilesTransferred} files downloaded ({result.BytesTransferred} bytes), {result.FilesSkipped} already complete, in {result.Folder}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });

        var paths = new Argument<string[]>("paths") { Description = "DICOM files or folders (searched recursively; files that are not DICOM are skipped).", Arity = ArgumentArity.OneOrMore };
        var batch = new Option<int>("--batch-size") { Description = "Files per STOW-RS request.", DefaultValueFactory = _ => 25 };
        var put = new Command("put", "Upload DICOM files (STOW-RS, or Orthanc's POST /instances).") { paths, batch };
        put.SetGuardedAction(global, async ctx =>
        {
            using var store = await OpenAsync(ctx, config).ConfigureAwait(false);
            var result = await store.UploadFilesAsync(ctx.Parse.GetValue(paths)!, new PacsUploadOptions { BatchSize = ctx.Parse.GetValue(batch) }, TerminalProgress(ctx), ctx.CancellationToken).ConfigureAwait(false);
            await ctx.WriteResultAsync(ResultJson(result), $"{result.FilesTransferred} files uploaded ({result.BytesTransferred} bytes), {result.FilesSkipped} skipped (not DICOM)").ConfigureAwait(false);
            return ExitCodes.Ok;
        });

        return new Command("pacs", "A PACS over DICOMweb or Orthanc's REST API (pacs.json with pacs_url).") { config, studies, get, put };
    }

    private static async Task<PacsDataStore> OpenAsync(CommandContext ctx, Option<string> config)
    {
        var pacs = PacsConfig.Load(ctx.Parse.GetValue(config)!);
        foreach (var warning in pacs.Warnings)
        {
            await ctx.Error.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
        }

        if (pacs.Url is null)
        {
            throw new DtpException($"{pacs.Path}: pacs_url is missing; dtp pacs speaks DICOMweb or Orthanc's REST API and needs the server's URL.", DtpErrorKind.Local);
        }

        return PacsDataStore.Create(pacs, ctx.LoggerFactory);
    }

    /// <summary>A one-line counter on stderr when stderr is an interactive terminal; nothing otherwise.</summary>
    private static SynchronousProgress? TerminalProgress(CommandContext ctx)
    {
        if (!ReferenceEquals(ctx.Error, Console.Error) || Console.IsErrorRedirected)
        {
            return null;
        }

        var gate = new Lock();
        return new SynchronousProgress(p =>
        {
            lock (gate)
            {
                ctx.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{p.FilesDone}/{p.FilesTotal} files, {p.BytesTransferred / 1_000_000.0:F1} MB{(p.FilesDone == p.FilesTotal ? Environment.NewLine : string.Empty)}"));
            }
        });
    }

    private static JsonObject ResultJson(PacsTransferResult result) => new()
    {
        ["files_transferred"] = result.FilesTransferred,
        ["files_skipped"] = result.FilesSkipped,
        ["bytes_transferred"] = result.BytesTransferred,
        ["folder"] = result.Folder,
    };
}

/// <summary>Reports on the reporting thread (<see cref="Progress{T}"/> would post to a context the CLI does not have).</summary>
internal sealed class SynchronousProgress(Action<PacsTransferProgress> report) : IProgress<PacsTransferProgress>
{
    public void Report(PacsTransferProgress value) => report(value);
}
