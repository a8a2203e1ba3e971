using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Sds;

namespace Dtp.Cli.Commands;

/// <summary><c>dtp sds validate|new|info|manifest</c>: SPARC Dataset Structure folders.</summary>
internal static class SdsCommands
{
    public static Command Create(GlobalOptions global)
    {
        var sds = new Command("sds", "Read, validate and create SPARC Dataset Structure (SDS) folders.");
        sds.Subcommands.Add(Validate(global));
        sds.Subcommands.Add(New(global));
        sds.Subcommands.Add(Info(global));
        sds.Subcommands.Add(Manifest(global));
        return sds;
    }

    private static Argument<DirectoryInfo> DirArgument(string description) => new("DIR") { Description = description };

    private static Option<string?> VersionOption(string description, bool required = false)
    {
        var option = new Option<string?>("--version") { Description = description, Required = required };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && ParseVersion(text) is null)
            {
                result.AddError($"--version '{text}' is not an SDS version; use one of {string.Join(", ", SdsVersion.Known)}.");
            }
        });
        return option;
    }

    private static SdsVersion? ParseVersion(string? text) =>
        SdsVersion.TryParse(text, out var version) && version >= SdsVersion.V123 ? version : null;

    private static Command Validate(GlobalOptions global)
    {
        var dir = DirArgument("The dataset folder.");
        var version = VersionOption("Validate against this SDS version instead of the one in dataset_description.");
        var profile = new Option<SdsProfile>("--profile") { Description = "auto (from dataset_description Type), experimental or computational.", DefaultValueFactory = _ => SdsProfile.Auto };
        var command = new Command("validate", "Check a dataset against its SDS version; exit 4 when there are errors.") { dir, version, profile };
        command.SetGuardedAction(global, async ctx =>
        {
            var dataset = await SdsDatasetReader.ReadAsync(ctx.Parse.GetValue(dir)!.FullName, ParseVersion(ctx.Parse.GetValue(version)), cancellationToken: ctx.CancellationToken).ConfigureAwait(false);
            var findings = SdsValidator.Validate(dataset, new SdsValidationOptions { Profile = ctx.Parse.GetValue(profile) });
            var errors = findings.Count(f => f.Severity == SdsSeverity.Error);
            var json = new JsonObject
            {
                ["root"] = dataset.Root,
                ["version"] = dataset.Version.ToString(),
                ["valid"] = errors == 0,
                ["errors"] = errors,
                ["warnings"] = findings.Count - errors,
                ["findings"] = new JsonArray(findings.Select(FindingJson).ToArray()),
            };
            await ctx.WriteResultAsync(json, FindingTable(dataset, findings, errors)).ConfigureAwait(false);
            return errors == 0 ? ExitCodes.Ok : ExitCodes.LocalInput;
        });
        return command;
    }

    private static JsonNode FindingJson(SdsFinding finding) => new JsonObject
    {
        ["severity"] = finding.Severity == SdsSeverity.Error ? "error" : "warning",
        ["code"] = finding.Code,
        ["file"] = finding.Location.File,
        ["sheet"] = finding.Location.Sheet,
        ["row"] = finding.Location.Row,
        ["column"] = finding.Location.Column is { } c ? SdsLocation.ColumnName(c) : null,
        ["cell"] = finding.Location.Cell,
        ["message"] = finding.Message,
    };

    private static string FindingTable(SdsDataset dataset, IReadOnlyList<SdsFinding> findings, int errors)
    {
        var text = new StringBuilder();
        if (findings.Count > 0)
        {
            var fileWidth = Math.Min(40, findings.Max(f => f.Location.File.Length));
            text.AppendLine(CultureInfo.InvariantCulture, $"{"severity",-8} {"file".PadRight(fileWidth)} {"cell",-6} message");
            foreach (var f in findings)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"{(f.Severity == SdsSeverity.Error ? "error" : "warning"),-8} {f.Location.File.PadRight(fileWidth)} {f.Location.Cell ?? "-",-6} {f.Message}");
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"SDS {dataset.Version}: {errors} error(s), {findings.Count - errors} warning(s) — {(errors == 0 ? "valid" : "not valid")}");
        return text.ToString();
    }

    private static Command Info(GlobalOptions global)
    {
        var dir = DirArgument("The dataset folder.");
        var command = new Command("info", "Show a dataset's SDS version and counts of subjects, samples, files and bytes.") { dir };
        command.SetGuardedAction(global, async ctx =>
        {
            var dataset = await SdsDatasetReader.ReadAsync(ctx.Parse.GetValue(dir)!.FullName, cancellationToken: ctx.CancellationToken).ConfigureAwait(false);
            var subjects = dataset.Subjects?.Records.Count ?? 0;
            var samples = dataset.Samples?.Records.Count ?? 0;
            var bytes = dataset.Files.Sum(f => f.Length);
            var json = new JsonObject
            {
                ["root"] = dataset.Root,
                ["version"] = dataset.Version.ToString(),
                ["versionDetected"] = dataset.VersionDetected,
                ["type"] = dataset.DatasetType,
                ["title"] = dataset.DatasetDescription?.Element("title")?.First?.Text,
                ["subjects"] = subjects,
                ["samples"] = samples,
                ["manifests"] = dataset.Manifests.Count,
                ["files"] = dataset.Files.Count,
                ["bytes"] = bytes,
                ["metadataFiles"] = new JsonArray(dataset.Metadata.Values.Select(m => (JsonNode)JsonValue.Create(m.Path)).ToArray()),
            };
            var text = string.Create(CultureInfo.InvariantCulture,
                $"""
                 root:      {dataset.Root}
                 version:   {dataset.Version}{(dataset.VersionDetected ? string.Empty : " (not in dataset_description; assumed)")}
                 type:      {dataset.DatasetType ?? "-"}
                 subjects:  {subjects}
                 samples:   {samples}
                 manifests: {dataset.Manifests.Count}
                 files:     {dataset.Files.Count} ({bytes} bytes)
                 """);
            await ctx.WriteResultAsync(json, text).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command New(GlobalOptions global)
    {
        var dir = DirArgument("The folder to create (must be empty unless --overwrite).");
        var version = VersionOption($"The SDS version: {string.Join(", ", SdsVersion.Known)}.", required: true);
        var overwrite = new Option<bool>("--overwrite") { Description = "Write into a folder that is not empty, replacing files of the same name." };
        var command = new Command("new", "Create an empty dataset from the official template of an SDS version.") { dir, version, overwrite };
        command.SetGuardedAction(global, async ctx =>
        {
            var sdsVersion = ParseVersion(ctx.Parse.GetValue(version))!.Value;
            var root = ctx.Parse.GetValue(dir)!.FullName;
            var written = await SdsDatasetCreator.CreateAsync(root, sdsVersion, ctx.Parse.GetValue(overwrite), ctx.CancellationToken).ConfigureAwait(false);
            var json = new JsonObject
            {
                ["root"] = root,
                ["version"] = sdsVersion.ToString(),
                ["written"] = new JsonArray(written.Select(w => (JsonNode)JsonValue.Create(w)).ToArray()),
            };
            await ctx.WriteResultAsync(json, $"Created an empty SDS {sdsVersion} dataset in {root} ({written.Count} files and folders).").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Manifest(GlobalOptions global)
    {
        var dir = DirArgument("The dataset folder.");
        var version = VersionOption("Use this SDS version's manifest columns instead of the dataset's.");
        var command = new Command("manifest", "Create or update the manifests from the files present, keeping existing descriptions.") { dir, version };
        command.SetGuardedAction(global, async ctx =>
        {
            var update = await SdsManifestGenerator.UpdateAsync(ctx.Parse.GetValue(dir)!.FullName, ParseVersion(ctx.Parse.GetValue(version)), cancellationToken: ctx.CancellationToken).ConfigureAwait(false);
            var json = new JsonObject
            {
                ["written"] = new JsonArray(update.Written.Select(w => (JsonNode)JsonValue.Create(w)).ToArray()),
                ["added"] = update.Added,
                ["removed"] = update.Removed,
            };
            var text = string.Create(CultureInfo.InvariantCulture,
                $"{update.Written.Count} manifest(s) written ({string.Join(", ", update.Written)}): {update.Added} entries added, {update.Removed} removed.");
            await ctx.WriteResultAsync(json, text).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
