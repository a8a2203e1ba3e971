using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Gen3;
using Dtp.Gen3.Dictionary;

namespace Dtp.Cli.Commands;

/// <summary><c>dtp programs|projects|datasets|records|graphql|export node|export record|submit</c>: the Gen3 metadata commands.</summary>
internal static class Gen3Commands
{
    public static IEnumerable<Command> Create(GlobalOptions global) =>
        [Programs(global), Projects(global), Datasets(global), Records(global), Graphql(global), Export(global), Submit(global)];

    private static Command Programs(GlobalOptions global)
    {
        var command = new Command("programs", "List the commons' programs.");
        command.SetGuardedAction(global, async ctx =>
        {
            using var auth = ctx.CreateAuth();
            var programs = await new Querier(auth, loggerFactory: ctx.LoggerFactory).GetProgramsAsync(ctx.CancellationToken).ConfigureAwait(false);
            await ctx.WriteResultAsync(new JsonArray([.. programs.Select(p => (JsonNode)p)]), string.Join(Environment.NewLine, programs)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Projects(GlobalOptions global)
    {
        var program = new Argument<string>("program") { Description = "The program name." };
        var command = new Command("projects", "List a program's projects.") { program };
        command.SetGuardedAction(global, async ctx =>
        {
            using var auth = ctx.CreateAuth();
            var projects = await new Querier(auth, loggerFactory: ctx.LoggerFactory).GetProjectsAsync(ctx.Parse.GetValue(program)!, ctx.CancellationToken).ConfigureAwait(false);
            await ctx.WriteResultAsync(new JsonArray([.. projects.Select(p => (JsonNode)p)]), string.Join(Environment.NewLine, projects)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Datasets(GlobalOptions global)
    {
        var (program, project) = ProjectOptions();
        var command = new Command("datasets", "List a project's datasets with their title and counts of subjects, samples and files.") { program, project };
        command.SetGuardedAction(global, async ctx =>
        {
            using var auth = ctx.CreateAuth();
            var datasets = await new Querier(auth, loggerFactory: ctx.LoggerFactory).GetDatasetsAsync(ctx.Parse.GetValue(program)!, ctx.Parse.GetValue(project)!, ctx.CancellationToken).ConfigureAwait(false);
            var json = new JsonArray([.. datasets.Select(d => (JsonNode)new JsonObject
            {
                ["id"] = d.Id, ["submitter_id"] = d.SubmitterId, ["title"] = d.Title, ["subjects"] = d.Subjects, ["samples"] = d.Samples, ["manifest_files"] = d.ManifestFiles,
            })]);
            var text = Table(["dataset", "subjects", "samples", "files", "title"],
                datasets.Select(d => new[] { d.SubmitterId, Number(d.Subjects), Number(d.Samples), Number(d.ManifestFiles), d.Title ?? "" }));
            await ctx.WriteResultAsync(json, text).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Records(GlobalOptions global)
    {
        var node = new Argument<string>("node") { Description = "The node type, e.g. case." };
        var (program, project) = ProjectOptions();
        var command = new Command("records", "Print every record of a node type in a project (sheepdog's JSON export).") { node, program, project };
        command.SetGuardedAction(global, async ctx =>
        {
            using var auth = ctx.CreateAuth();
            var records = await new Querier(auth, loggerFactory: ctx.LoggerFactory).GetNodeRecordsAsync(ctx.Parse.GetValue(node)!, ctx.Parse.GetValue(program)!, ctx.Parse.GetValue(project)!, ctx.CancellationToken).ConfigureAwait(false);
            var text = Table(["submitter_id", "id"], records.Select(r => new[] { (string?)r["submitter_id"] ?? "", (string?)r["id"] ?? "" }));
            await ctx.WriteResultAsync(new JsonArray([.. records]), text).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Graphql(GlobalOptions global)
    {
        var query = new Argument<string>("query") { Description = "The GraphQL query, or @FILE." };
        var variables = new Option<string>("--variables") { Description = "The query's variables as a JSON object, or @FILE." };
        var command = new Command("graphql", "Run a GraphQL query at the commons (peregrine) and print its data.") { query, variables };
        command.SetGuardedAction(global, async ctx =>
        {
            var text = await TextOrFileAsync(ctx.Parse.GetValue(query)!, ctx.CancellationToken).ConfigureAwait(false);
            JsonObject? values = null;
            if (ctx.Parse.GetValue(variables) is { } given)
            {
                var json = await TextOrFileAsync(given, ctx.CancellationToken).ConfigureAwait(false);
                try
                {
                    values = JsonNode.Parse(json) as JsonObject ?? throw new DtpException("--variables must be a JSON object.", DtpErrorKind.Local);
                }
                catch (System.Text.Json.JsonException ex)
                {
                    throw new DtpException($"--variables is not valid JSON: {ex.Message}", DtpErrorKind.Local, innerException: ex);
                }
            }

            using var auth = ctx.CreateAuth();
            var data = await new Querier(auth, loggerFactory: ctx.LoggerFactory).GraphqlQueryAsync(text, values, ctx.CancellationToken).ConfigureAwait(false);
            await ctx.WriteResultAsync(data, data.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Export(GlobalOptions global)
    {
        var node = ExportCommand(global, "node", "node", "The node type, e.g. case.", "Export every record of a node type (one type at a time).",
            (exporter, program, project, what, format, file, overwrite, ct) => exporter.ExportNodeAsync(program, project, what, format, file, overwrite, ct));
        var record = ExportCommand(global, "record", "uuid", "The record's node id.", "Export one record by its id.",
            async (exporter, program, project, what, format, file, overwrite, ct) => (IReadOnlyList<JsonObject>)[await exporter.ExportRecordAsync(program, project, what, format, file, overwrite, ct).ConfigureAwait(false)]);
        return new Command("export", "Export records from the commons as JSON or TSV.") { node, record };
    }

    private static Command ExportCommand(GlobalOptions global, string name, string argumentName, string argumentDescription, string description,
        Func<Exporter, string, string, string, Gen3ExportFormat, string?, bool, CancellationToken, Task<IReadOnlyList<JsonObject>>> export)
    {
        var program = new Argument<string>("program") { Description = "The program name." };
        var project = new Argument<string>("project") { Description = "The project code." };
        var what = new Argument<string>(argumentName) { Description = argumentDescription };
        var format = new Option<Gen3ExportFormat>("--format") { Description = "json or tsv.", DefaultValueFactory = _ => Gen3ExportFormat.Json };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Write sheepdog's export to this file (streamed) instead of printing the records." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing output file." };
        var command = new Command(name, description) { program, project, what, format, output, overwrite };
        command.SetGuardedAction(global, async ctx =>
        {
            using var auth = ctx.CreateAuth();
            var file = ctx.Parse.GetValue(output)?.FullName;
            var chosen = ctx.Parse.GetValue(format);
            var records = await export(new Exporter(auth), ctx.Parse.GetValue(program)!, ctx.Parse.GetValue(project)!, ctx.Parse.GetValue(what)!, chosen, file, ctx.Parse.GetValue(overwrite), ctx.CancellationToken).ConfigureAwait(false);
            if (file is not null)
            {
                await ctx.WriteResultAsync(new JsonObject { ["file"] = file, ["records"] = records.Count }, $"{Number(records.Count)} records written to {file}").ConfigureAwait(false);
            }
            else
            {
                var text = chosen == Gen3ExportFormat.Tsv && records.Count > 0
                    ? string.Join('\n', [DelimitedRow(records[0].Select(p => p.Key)), .. records.Select(r => DelimitedRow(r.Select(p => (string?)p.Value ?? "")))])
                    : new JsonArray([.. records]).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
                await ctx.WriteResultAsync(new JsonArray([.. records]), text).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Submit(GlobalOptions global)
    {
        var program = new Argument<string>("program") { Description = "The program name." };
        var project = new Argument<string>("project") { Description = "The project code." };
        var input = new Argument<FileSystemInfo>("input") { Description = "A JSON (object or array), TSV or CSV file, or a converter output folder." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate at the commons without writing anything." };
        var schemaDir = new Option<DirectoryInfo>("--schema-dir") { Description = "A dictionary (YAML folder) to order the records by, instead of the commons' own." };
        var command = new Command("submit", "Submit records to a project (PUT: create or update), parents first, in adaptive batches.") { program, project, input, dryRun, schemaDir };
        command.SetGuardedAction(global, async ctx =>
        {
            var options = new Gen3SubmitterOptions { LoggerFactory = ctx.LoggerFactory };
            if (ctx.Parse.GetValue(schemaDir) is { } dir)
            {
                options.Dictionary = await Gen3Dictionary.LoadAsync(dir.FullName, ctx.CancellationToken).ConfigureAwait(false);
            }

            using var auth = ctx.CreateAuth();
            var endpoint = (await auth.GetEndpointAsync(ctx.CancellationToken).ConfigureAwait(false)).ToString();
            using var submitter = new Gen3Submitter(endpoint, auth, options);
            var result = await submitter.SubmitRecordAsync(ctx.Parse.GetValue(program)!, ctx.Parse.GetValue(project)!, ctx.Parse.GetValue(input)!.FullName, ctx.Parse.GetValue(dryRun), ctx.CancellationToken).ConfigureAwait(false);
            await ctx.WriteResultAsync(ToJson(result), ToText(result)).ConfigureAwait(false);
            if (result.Success)
            {
                return ExitCodes.Ok;
            }

            await ctx.Error.WriteLineAsync(result.Batches.Count == 0 ? "error: the input has duplicate submitter_ids; nothing was sent" : "error: the commons rejected the submission").ConfigureAwait(false);
            return result.Batches.Count == 0 ? ExitCodes.LocalInput : ExitCodes.Remote;
        });
        return command;
    }

    private static JsonObject ToJson(SubmissionResult result) => new()
    {
        ["success"] = result.Success,
        ["dry_run"] = result.DryRun,
        ["records"] = result.RecordCount,
        ["created"] = result.CreatedCount,
        ["updated"] = result.UpdatedCount,
        ["not_attempted"] = result.NotAttempted,
        ["batches"] = new JsonArray([.. result.Batches.Select(b => (JsonNode)new JsonObject
        {
            ["offset"] = b.Offset, ["count"] = b.Count, ["landed"] = b.Landed, ["transaction_id"] = b.TransactionId, ["message"] = b.Message,
        })]),
        ["errors"] = new JsonArray([.. result.Errors.Select(e => (JsonNode)new JsonObject
        {
            ["entity"] = e.Entity, ["node_type"] = e.NodeType, ["keys"] = new JsonArray([.. e.Keys.Select(k => (JsonNode)k)]), ["message"] = e.Message, ["type"] = e.Type, ["source"] = e.Source,
        })]),
    };

    private static string ToText(SubmissionResult result)
    {
        var text = new StringBuilder();
        var verb = result.DryRun ? "validated (dry run, nothing written)" : $"{Number(result.CreatedCount)} created, {Number(result.UpdatedCount)} updated";
        text.Append(CultureInfo.InvariantCulture, $"{Number(result.RecordCount)} records in {Number(result.Batches.Count)} batches: {verb}; {(result.Success ? "success" : "FAILED")}");
        if (result.NotAttempted > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {Number(result.NotAttempted)} not sent");
        }

        if (result.Errors.Count > 0)
        {
            text.AppendLine().Append(Table(["entity", "keys", "message", "type"],
                result.Errors.Select(e => new[] { e.Entity ?? "(transaction)", string.Join(',', e.Keys), e.Message, e.Type })));
        }

        return text.ToString();
    }

    internal static (Option<string> Program, Option<string> Project) ProjectOptions() =>
        (new Option<string>("--program") { Description = "The program name.", Required = true },
         new Option<string>("--project") { Description = "The project code.", Required = true });

    private static async Task<string> TextOrFileAsync(string value, CancellationToken cancellationToken) =>
        value.StartsWith('@') ? await File.ReadAllTextAsync(value[1..], cancellationToken).ConfigureAwait(false) : value;

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string DelimitedRow(IEnumerable<string> cells) => string.Join('\t', cells);

    private static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        return string.Join(Environment.NewLine, all.Select(r => string.Join("  ", r.Select((c, i) => i == r.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd()));
    }
}
