using System.CommandLine;
using System.Globalization;
using System.Text;
using Dtp.Conversion;
using Dtp.Sds;

namespace Dtp.Cli.Commands;

/// <summary><c>dtp convert SDS_DIR OUT_DIR</c>: SDS metadata to Gen3 submission JSON.</summary>
internal static class ConvertCommands
{
    public static Command Create(GlobalOptions global)
    {
        var source = new Argument<DirectoryInfo>("SDS_DIR") { Description = "The SDS dataset folder." };
        var output = new Argument<DirectoryInfo>("OUT_DIR") { Description = "The folder for the Gen3 JSON files (created when missing)." };
        var project = new Option<string>("--project") { Description = "The Gen3 project code the experiment belongs to.", Required = true };
        var experiment = new Option<string>("--experiment") { Description = "The experiment's submitter id.", Required = true };
        var version = new Option<string?>("--version") { Description = "The dataset's SDS version (default: detected from dataset_description)." };
        var schemaDir = new Option<string?>("--schema-dir") { Description = "A Gen3 dictionary folder of YAML files or an _all JSON file (default: the shipped SDS dictionary)." };
        var compat = new Option<string?>("--compat") { Description = $"Reproduce the original converter, defects included: {string.Join(", ", CompatVariants.Names)}." };
        compat.AcceptOnlyFromAmong([.. CompatVariants.Names]);
        var placeholders = new Option<PlaceholderPolicy>("--placeholders") { Description = "Required properties without a value: NotAvailable (write \"NA\" where the dictionary allows it, the default) or Omit (leave out and report).", DefaultValueFactory = _ => PlaceholderPolicy.NotAvailable };
        var command = new Command("convert", "Convert an SDS dataset's metadata to Gen3 records; exit 4 when records fail the dictionary.")
        {
            source, output, project, experiment, version, schemaDir, compat, placeholders,
        };
        command.SetGuardedAction(global, async ctx =>
        {
            var sourceDir = ctx.Parse.GetValue(source)!.FullName;
            var sdsVersion = ctx.Parse.GetValue(version)
                ?? (await SdsDatasetReader.ReadAsync(sourceDir, cancellationToken: ctx.CancellationToken).ConfigureAwait(false)).Version.ToString();
            var convertor = new Gen3Convertor(ctx.Parse.GetValue(project)!, ctx.Parse.GetValue(experiment)!, sdsVersion)
            {
                Compatibility = ctx.Parse.GetValue(compat) is { } variant ? CompatVariants.Parse(variant) : null,
                Placeholders = ctx.Parse.GetValue(placeholders),
            };
            if (ctx.Parse.GetValue(schemaDir) is { } schema)
            {
                convertor.SetSchemaDir(schema);
            }

            var result = await convertor.ExecuteAsync(sourceDir, ctx.Parse.GetValue(output)!.FullName, ctx.CancellationToken).ConfigureAwait(false);
            var text = new StringBuilder();
            foreach (var (node, count) in result.RecordsPerNode)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{node}: {count} record(s)");
            }

            foreach (var finding in result.Findings)
            {
                text.AppendLine(finding.ToString());
            }

            text.Append(CultureInfo.InvariantCulture, $"Wrote {result.Files.Count} file(s) to {result.Destination}");
            await ctx.WriteResultAsync(result.ToJson(), text.ToString()).ConfigureAwait(false);
            return result.HasErrors ? ExitCodes.LocalInput : ExitCodes.Ok;
        });
        return command;
    }
}
