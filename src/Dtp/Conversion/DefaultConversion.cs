using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Gen3.Dictionary;
using Dtp.Sds;

namespace Dtp.Conversion;

/// <summary>
/// The correct conversion: names matched after <see cref="SdsNames.Normalize"/> for every category, values typed by the
/// dictionary (integers, numbers, booleans; dates as the SDS reader's ISO 8601 text), strings kept intact, one submitter-id
/// rule with a uniqueness check, nested manifests keeping their folder, samples linked to their case, and every record
/// validated with findings that name the source cell and the target property.
/// </summary>
internal sealed class DefaultConversion(Gen3Dictionary dictionary, string project, string experiment, SdsVersion version, PlaceholderPolicy placeholders)
{
    /// <summary>The text <see cref="PlaceholderPolicy.NotAvailable"/> writes for a required property without a value.</summary>
    internal const string Placeholder = "NA";

    private static readonly string[] LeadingKeys = ["type", "experiments", "cases", "submitter_id"];

    private static readonly ElementMapping[] Mappings = [ElementMapping.DefaultAdditions, ElementMapping.V200Fixed202309, ElementMapping.V123];

    private readonly Dictionary<string, SdsLocation> submitterIds = new(StringComparer.Ordinal);

    /// <summary>Placeholders written, per node and property: the first row and how many rows (reported once each).</summary>
    private readonly Dictionary<(string Node, string Property), (SdsLocation First, int Count)> placeholderUses = [];

    private readonly Dictionary<(string Node, string Property), Shape> shapes = [];

    /// <summary>A property's schema in short: a list or not, the JSON types of its values, and whether it accepts the placeholder.</summary>
    private sealed record Shape(bool IsArray, HashSet<string> Types, bool TakesPlaceholder);

    public List<ConversionFinding> Findings { get; } = [];

    /// <summary>
    /// The submitter-id rule: <c>&lt;experiment&gt;-&lt;category&gt;[-&lt;id&gt;]</c>, the experiment kept as given, every character
    /// of the id outside <c>[A-Za-z0-9._-]</c> replaced by <c>-</c>.
    /// </summary>
    public static string SubmitterId(string experiment, string category, string? id = null)
    {
        if (id is null)
        {
            return $"{experiment}-{category}";
        }

        var clean = new StringBuilder(id.Length);
        foreach (var c in id)
        {
            clean.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-');
        }

        return $"{experiment}-{category}-{clean}";
    }

    /// <summary>
    /// Converts the dataset; the manifest records are produced while <c>manifest.json</c> is written, so call
    /// <see cref="Complete"/> once every file is written.
    /// </summary>
    public async Task<List<ConvertedFile>> RunAsync(string sourceDir, CancellationToken cancellationToken)
    {
        var output = new List<ConvertedFile>();
        var experimentRecord = new JsonObject
        {
            ["type"] = "experiment",
            ["submitter_id"] = experiment,
            ["projects"] = new JsonArray(new JsonObject { ["code"] = project }),
        };
        Validate(experimentRecord, [], new SdsLocation(sourceDir));
        output.Add(new("experiment.json", experimentRecord));

        if (await ReadAsync(sourceDir, "dataset_description", cancellationToken).ConfigureAwait(false) is SdsElementFile description
            && Elements(description, "dataset_description") is { } descriptionRecord)
        {
            output.Add(new("dataset_description.json", descriptionRecord));
        }

        var cases = new Dictionary<string, string>(StringComparer.Ordinal);
        if (await ReadAsync(sourceDir, "subjects", cancellationToken).ConfigureAwait(false) is SdsTableFile subjects)
        {
            output.Add(new("subjects.json", new JsonArray([.. Table(subjects, "case", "subjects", "subject_id", null, cases)])));
        }

        if (await ReadAsync(sourceDir, "samples", cancellationToken).ConfigureAwait(false) is SdsTableFile samples)
        {
            output.Add(new("samples.json", new JsonArray([.. Table(samples, "sample", "samples", "sample_id", cases, null)])));
        }

        output.Add(new("manifest.json", null, ManifestsAsync(sourceDir, cancellationToken)));

        if (await ReadAsync(sourceDir, "code_description", cancellationToken).ConfigureAwait(false) is SdsElementFile code
            && Elements(code, "code_description") is { } codeRecord)
        {
            output.Add(new("code_description.json", codeRecord));
        }

        if (await ReadAsync(sourceDir, "performances", cancellationToken).ConfigureAwait(false) is SdsTableFile performances)
        {
            output.Add(new("performances.json", new JsonArray([.. Table(performances, "performance", "performances", "performance_id", null, null)])));
        }

        if (await ReadAsync(sourceDir, "resources", cancellationToken).ConfigureAwait(false) is SdsTableFile resources)
        {
            output.Add(new("resources.json", new JsonArray([.. Table(resources, "resource", "resources", "rrid", null, null)])));
        }

        foreach (var stem in new[] { "code_parameters", "submission", "sites", "curation" })
        {
            if (FindTopLevel(sourceDir, stem) is { } other)
            {
                Findings.Add(new ConversionFinding(ConversionSeverity.Warning, $"{Path.GetFileName(other)} is not converted: the dictionary holds none of its values (default mode maps dataset_description, subjects, samples, manifest, code_description, performances and resources).", new SdsLocation(Path.GetFileName(other))));
            }
        }

        return output;
    }

    /// <summary>Adds the findings that need every record: the placeholders written, per node and property.</summary>
    public void Complete()
    {
        foreach (var ((node, property), (first, count)) in placeholderUses)
        {
            Findings.Add(new ConversionFinding(ConversionSeverity.Warning,
                string.Create(CultureInfo.InvariantCulture, $"{first}: required property {node}.{property} has no value in {count} record(s) from here on; wrote the placeholder \"NA\"."), first, node, property));
        }
    }

    /// <summary>The records of every manifest of the dataset, folders in ordinal order, converted one at a time.</summary>
    private async IAsyncEnumerable<JsonObject> ManifestsAsync(string sourceDir, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var produced = false;
        foreach (var file in Directory.EnumerateFiles(sourceDir, "manifest.*", SearchOption.AllDirectories)
                     .Where(f => SdsMetadataReader.FormatOf(f) is not null)
                     .Select(f => Path.GetRelativePath(sourceDir, f).Replace('\\', '/'))
                     .Order(StringComparer.Ordinal))
        {
            if (await SdsMetadataReader.ReadFileAsync(Path.Combine(sourceDir, file), SdsFileKind.Manifest, version, file, cancellationToken: cancellationToken).ConfigureAwait(false) is SdsTableFile manifest)
            {
                Report(manifest);
                var folder = Path.GetDirectoryName(file)?.Replace('\\', '/') ?? string.Empty;
                foreach (var record in Table(manifest, "manifest", "manifest", "filename", null, null, folder))
                {
                    produced = true;
                    yield return record;
                }
            }
        }

        if (!produced)
        {
            Findings.Add(new ConversionFinding(ConversionSeverity.Warning, $"{sourceDir} has no manifest: no manifest records were produced.", new SdsLocation(sourceDir), "manifest"));
        }
    }

    private static string? FindTopLevel(string sourceDir, string stem) =>
        Directory.EnumerateFiles(sourceDir, stem + ".*").Where(f => SdsMetadataReader.FormatOf(f) is not null).Order(StringComparer.Ordinal).FirstOrDefault();

    private async Task<SdsMetadataFile?> ReadAsync(string sourceDir, string stem, CancellationToken cancellationToken)
    {
        if (FindTopLevel(sourceDir, stem) is not { } path)
        {
            if (stem is "dataset_description" or "subjects")
            {
                Findings.Add(new ConversionFinding(ConversionSeverity.Error, $"{sourceDir} has no {stem} file (.xlsx, .csv, .tsv or .json).", new SdsLocation(sourceDir)));
            }

            return null;
        }

        var file = await SdsMetadataReader.ReadFileAsync(path, null, version, Path.GetFileName(path), cancellationToken: cancellationToken).ConfigureAwait(false);
        Report(file);
        return file;
    }

    private void Report(SdsMetadataFile file)
    {
        foreach (var finding in file.Findings.Where(f => f.Severity == SdsSeverity.Error))
        {
            Findings.Add(new ConversionFinding(ConversionSeverity.Warning, finding.ToString(), finding.Location));
        }
    }

    private DictionaryNode? Node(string name, SdsLocation source)
    {
        if (dictionary.TryGetNode(name, out var node))
        {
            return node;
        }

        Findings.Add(new ConversionFinding(ConversionSeverity.Error, $"The dictionary has no node '{name}': {source.File} is not converted.", source, name));
        return null;
    }

    /// <summary>Maps an SDS key to a property of the node: the same name, or the original's mapping tables after normalisation.</summary>
    internal static string? Property(DictionaryNode node, string category, string key)
    {
        if (node.Properties.Contains(key) && !node.SystemProperties.Contains(key) && key is not ("type" or "submitter_id"))
        {
            return key;
        }

        foreach (var mapping in Mappings)
        {
            var row = mapping.For(category).FirstOrDefault(r => r.Property.Length > 0 && SdsNames.Normalize(r.Element) == key);
            if (row is not null && node.Properties.Contains(row.Property))
            {
                return row.Property;
            }
        }

        return null;
    }

    /// <summary>Converts an element file (dataset_description, code_description) to the one record of the node of the same name; null when the dictionary has no such node.</summary>
    private JsonObject? Elements(SdsElementFile file, string nodeType)
    {
        var record = Initial(nodeType, SubmitterId(experiment, nodeType));
        var node = Node(nodeType, file.At());
        var sources = new Dictionary<string, SdsLocation>(StringComparer.Ordinal);
        if (node is null)
        {
            return null;
        }

        foreach (var element in file.Elements.Where(e => e.Values.Count > 0))
        {
            if (Property(node, nodeType, element.Key) is not { } property)
            {
                Findings.Add(new ConversionFinding(ConversionSeverity.Warning, $"{file.At(element.Row, 1)}: element '{element.Name}' has no property in dictionary node {nodeType} and is left out.", file.At(element.Row, 1), nodeType));
                continue;
            }

            if (record.ContainsKey(property))
            {
                Findings.Add(new ConversionFinding(ConversionSeverity.Error, $"{file.At(element.Row, 1)}: element '{element.Name}' maps to '{property}', which an earlier row already filled.", file.At(element.Row, 1), nodeType, property));
                continue;
            }

            record[property] = Typed(node, property, element.Values);
            sources[property] = element.Values[0].Location;
        }

        Finish(node, record, sources, file.At());
        return Reorder(node, record);
    }

    /// <summary>Converts the rows of a table one at a time, as the caller enumerates them.</summary>
    private IEnumerable<JsonObject> Table(SdsTableFile file, string nodeType, string category, string idKey, Dictionary<string, string>? parents, Dictionary<string, string>? ids, string folder = "")
    {
        if (Node(nodeType, file.At()) is not { } node)
        {
            yield break;
        }

        if (file.Records.Count > 0 && node.Required.FirstOrDefault(p => !node.Properties.Contains(p)) is { } undefined)
        {
            Findings.Add(new ConversionFinding(ConversionSeverity.Warning, string.Create(CultureInfo.InvariantCulture,
                $"{file.At()}: its {file.Records.Count} row(s) are not converted: dictionary node {nodeType} requires property '{undefined}', which it does not define, so the commons refuses every {nodeType} record."), file.At(), nodeType, undefined));
            yield break;
        }

        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in file.Headers)
        {
            if (Property(node, category, header.Key) is { } property)
            {
                columns[header.Key] = property;
            }
            else
            {
                Findings.Add(new ConversionFinding(ConversionSeverity.Warning, $"{file.At(file.HeaderRow, header.Column)}: column '{header.Text}' has no property in dictionary node {nodeType} and is left out.", file.At(file.HeaderRow, header.Column), nodeType));
            }
        }

        foreach (var row in file.Records)
        {
            var id = row[idKey];
            if (id is null)
            {
                var column = file.Header(idKey)?.Column;
                Findings.Add(new ConversionFinding(ConversionSeverity.Error, $"{file.At(row.Row, column)}: the {idKey} cell is empty; the row is not converted.", file.At(row.Row, column), nodeType, idKey));
                continue;
            }

            var idText = idKey == "filename" && folder.Length > 0 ? $"{folder}/{TrimDot(id.Text)}" : idKey == "filename" ? TrimDot(id.Text) : id.Text;
            var subject = row["subject_id"];
            var submitterId = SubmitterId(experiment, category, parents is not null && subject is not null ? $"{subject.Text}-{idText}" : idText);
            var record = Initial(nodeType, submitterId);
            var sources = new Dictionary<string, SdsLocation>(StringComparer.Ordinal) { ["submitter_id"] = id.Location };
            if (parents is not null)
            {
                record.Remove("experiments");
                if (subject is not null && parents.TryGetValue(subject.Text, out var caseId))
                {
                    record["cases"] = new JsonArray(new JsonObject { ["submitter_id"] = caseId });
                }
                else
                {
                    Findings.Add(new ConversionFinding(ConversionSeverity.Error, $"{subject?.Location ?? id.Location}: sample '{id.Text}' names subject '{subject?.Text}', which subjects does not list.", subject?.Location ?? id.Location, nodeType, "cases"));
                }
            }

            foreach (var (key, value) in row.Values)
            {
                if (columns.TryGetValue(key, out var property) && !record.ContainsKey(property))
                {
                    record[property] = property == "filename" ? idText : Typed(node, property, [value]);
                    sources[property] = value.Location;
                }
            }

            if (Unique(submitterId, id.Location, nodeType))
            {
                ids?.TryAdd(id.Text, submitterId);
                Finish(node, record, sources, file.At(row.Row));
                yield return Reorder(node, record);
            }
        }
    }

    private static string TrimDot(string path) => path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path;

    private bool Unique(string submitterId, SdsLocation source, string nodeType)
    {
        if (submitterIds.TryGetValue(submitterId, out var first))
        {
            Findings.Add(new ConversionFinding(ConversionSeverity.Error, $"{source}: submitter_id '{submitterId}' was already produced from {first}; the row is not converted.", source, nodeType, "submitter_id"));
            return false;
        }

        submitterIds[submitterId] = source;
        return true;
    }

    private JsonObject Initial(string nodeType, string submitterId) => new()
    {
        ["type"] = nodeType,
        ["experiments"] = new JsonArray(new JsonObject { ["submitter_id"] = experiment }),
        ["submitter_id"] = submitterId,
    };

    /// <summary>Applies the placeholder policy to missing required properties, then validates the record.</summary>
    private void Finish(DictionaryNode node, JsonObject record, Dictionary<string, SdsLocation> sources, SdsLocation row)
    {
        if (placeholders == PlaceholderPolicy.NotAvailable)
        {
            foreach (var property in node.Required.Where(p => !record.ContainsKey(p) && node.FindLink(p) is null))
            {
                if (ShapeOf(node, property) is { TakesPlaceholder: true } shape)
                {
                    record[property] = shape.IsArray ? new JsonArray(Placeholder) : Placeholder;
                    var key = (node.Name, property);
                    placeholderUses[key] = placeholderUses.TryGetValue(key, out var use) ? (use.First, use.Count + 1) : (row, 1);
                }
            }
        }

        Validate(record, sources, row);
    }

    private void Validate(JsonObject record, Dictionary<string, SdsLocation> sources, SdsLocation row)
    {
        var type = (string)record["type"]!;
        foreach (var error in dictionary.Validate(record))
        {
            var property = error.Keys.Count > 0 ? error.Keys[0] : null;
            var source = property is not null && sources.TryGetValue(property, out var cell) ? cell : row;
            Findings.Add(new ConversionFinding(ConversionSeverity.Error, $"{source}: {type}.{string.Join(",", error.Keys)} ({record["submitter_id"]}): {error.Message}", source, type, property));
        }
    }

    private static JsonObject Reorder(DictionaryNode node, JsonObject record)
    {
        var ordered = new JsonObject();
        foreach (var key in LeadingKeys.Concat(node.Properties))
        {
            if (!ordered.ContainsKey(key) && record.TryGetPropertyValue(key, out var value))
            {
                record.Remove(key);
                ordered[key] = value;
            }
        }

        return ordered;
    }

    /// <summary>What a property's schema asks for, worked out once per node and property.</summary>
    private Shape ShapeOf(DictionaryNode node, string property)
    {
        if (!shapes.TryGetValue((node.Name, property), out var shape))
        {
            var schema = node.Schema["properties"]?[property] as JsonObject;
            var isArray = Types(schema).Contains("array");
            var takesPlaceholder = schema is not null && SchemaValidator.IsValid(schema, isArray ? new JsonArray(Placeholder) : Placeholder);
            shape = new Shape(isArray, Types(isArray ? schema?["items"] as JsonObject : schema), takesPlaceholder);
            shapes[(node.Name, property)] = shape;
        }

        return shape;
    }

    private static HashSet<string> Types(JsonObject? schema)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        switch (schema?["type"])
        {
            case JsonValue v when v.TryGetValue<string>(out var t):
                types.Add(t);
                break;
            case JsonArray a:
                types.UnionWith(a.Select(x => (string?)x).OfType<string>());
                break;
        }

        foreach (var key in new[] { "oneOf", "anyOf" })
        {
            if (schema?[key] is JsonArray alternatives)
            {
                foreach (var alternative in alternatives.OfType<JsonObject>())
                {
                    types.UnionWith(Types(alternative));
                }
            }
        }

        if (schema?["enum"] is not null && types.Count == 0)
        {
            types.Add("string");
        }

        return types;
    }

    /// <summary>Converts cell texts to the JSON the property's schema asks for: a list for array properties, else the single value.</summary>
    private JsonNode Typed(DictionaryNode node, string property, IReadOnlyList<SdsValue> values)
    {
        var shape = ShapeOf(node, property);
        return shape.IsArray
            ? new JsonArray([.. values.Select(v => Scalar(shape.Types, v.Text))])
            : Scalar(shape.Types, values.Count == 1 ? values[0].Text : string.Join("; ", values.Select(v => v.Text)));
    }

    private static JsonNode Scalar(HashSet<string> types, string text)
    {
        if (types.Contains("string") || types.Count == 0)
        {
            return text;
        }

        if (types.Contains("integer") && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }

        if (types.Contains("number") && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d == Math.Floor(d) && Math.Abs(d) < 9e15 ? (long)d : d;
        }

        if (types.Contains("boolean") && text.ToUpperInvariant() is "TRUE" or "FALSE" or "YES" or "NO")
        {
            return text.ToUpperInvariant() is "TRUE" or "YES";
        }

        return text;
    }
}
