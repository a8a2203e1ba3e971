using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Gen3.Dictionary;
using Dtp.Sds;
using Dtp.Storage;

namespace Dtp.Conversion;

/// <summary>
/// The Gen3 records of one dataset: its experiment and the records linked to it, each keyed by dictionary property names
/// (as peregrine returns them, or as <see cref="Gen3Convertor"/> writes them). Link properties are
/// <c>{"submitter_id": ...}</c> objects or arrays of them: sample → <c>cases</c>; case, dataset_description and manifest →
/// <c>experiments</c>.
/// </summary>
/// <param name="Experiment">The experiment record (the dataset).</param>
/// <param name="DatasetDescription">The dataset_description record, or <see langword="null"/> when the commons has none.</param>
/// <param name="Cases">The case records (SDS subjects).</param>
/// <param name="Samples">The sample records.</param>
/// <param name="Manifests">The manifest records; <c>filename</c> is the path relative to the dataset root.</param>
public sealed record Gen3DatasetRecords(JsonObject Experiment, JsonObject? DatasetDescription,
    IReadOnlyList<JsonObject> Cases, IReadOnlyList<JsonObject> Samples, IReadOnlyList<JsonObject> Manifests);

/// <summary>What <see cref="SdsFromGen3.WriteAsync"/> wrote.</summary>
/// <param name="FilesWritten">The metadata files written, relative to the dataset folder (<c>dataset_description.xlsx</c>, ...).</param>
/// <param name="Findings">Gen3 values that have no place in the SDS files (left out) or no column of the template (written as an extra column or row).</param>
public sealed record SdsFromGen3Result(IReadOnlyList<string> FilesWritten, IReadOnlyList<ConversionFinding> Findings);

/// <summary>
/// Writes a dataset's Gen3 records back as SDS metadata files (<c>dataset_description</c>, <c>subjects</c>, <c>samples</c> and
/// one top-level <c>manifest</c>, as xlsx laid out like the version's template): the reverse of <see cref="Gen3Convertor"/>'s
/// default mode. A property goes to the template column or element that default mode maps to it; list values become the
/// element's value columns (dataset_description) or one cell joined with <c>", "</c> (tables); numbers are written in
/// invariant culture, booleans as <c>TRUE</c>/<c>FALSE</c>; the converter's placeholder <c>"NA"</c> in a required property is
/// read back as blank.
/// </summary>
public sealed class SdsFromGen3
{
    private readonly Gen3Dictionary dictionary;

    /// <summary>Creates the writer.</summary>
    /// <param name="dictionary">The dictionary the records follow; <see langword="null"/> means the shipped SDS dictionary.</param>
    public SdsFromGen3(Gen3Dictionary? dictionary = null) => this.dictionary = dictionary ?? Gen3Dictionary.Sds;

    /// <summary>
    /// Returns the SDS version the dataset declares: the dataset_description property the converter fills from the SDS
    /// <c>Metadata Version</c> element (<c>metadata_version</c>), else 2.0.0.
    /// </summary>
    /// <param name="records">The dataset's records.</param>
    /// <returns>The version.</returns>
    public SdsVersion DetectVersion(Gen3DatasetRecords records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var field = dictionary.TryGetNode("dataset_description", out var node) ? DefaultConversion.Property(node, "dataset_description", MetadataVersion) : null;
        return Texts(records.DatasetDescription?[field ?? MetadataVersion]).Select(t => SdsVersion.TryParse(t, out var v) ? v : (SdsVersion?)null).FirstOrDefault(v => v is not null) is { } version
            ? version
            : SdsVersion.V200;
    }

    /// <summary>
    /// Writes the metadata files into <paramref name="datasetFolder"/> (created when missing), replacing files of the same
    /// names: all are written to a temporary folder first and moved into place only when every one is complete.
    /// </summary>
    /// <param name="records">The dataset's records.</param>
    /// <param name="datasetFolder">The SDS dataset folder.</param>
    /// <param name="version">The SDS version to write; <see langword="null"/> uses <see cref="DetectVersion"/>.</param>
    /// <param name="cancellationToken">Cancels the writing; no file is replaced then.</param>
    /// <returns>The files written and the findings.</returns>
    /// <exception cref="DtpException">A file cannot be written (kind Local).</exception>
    public async Task<SdsFromGen3Result> WriteAsync(Gen3DatasetRecords records, string datasetFolder,
        SdsVersion? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentException.ThrowIfNullOrEmpty(datasetFolder);
        var target = version ?? DetectVersion(records);
        var reversal = new Reversal(dictionary, target);
        var files = reversal.Run(records);

        Directory.CreateDirectory(datasetFolder);
        var staging = Path.Combine(datasetFolder, $".dtp-sds-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var file in files)
            {
                await file.WriteAsync(Path.Combine(staging, file.Name), target, cancellationToken).ConfigureAwait(false);
            }

            foreach (var file in files)
            {
                File.Move(Path.Combine(staging, file.Name), Path.Combine(datasetFolder, file.Name), overwrite: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DtpException($"Cannot write the SDS metadata files into {datasetFolder}: {ex.Message}", DtpErrorKind.Local, isTransient: false, ex);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }

        return new SdsFromGen3Result([.. files.Select(f => f.Name)], reversal.Findings);
    }

    private const string MetadataVersion = "metadata_version";

    private const string SupplementalJsonMetadata = "supplemental_json_metadata";

    /// <summary>Returns a property value as cell texts: one per list item, none for null or empty text.</summary>
    private static List<string> Texts(JsonNode? value)
    {
        var texts = new List<string>();
        switch (value)
        {
            case null:
                break;
            case JsonArray items:
                texts.AddRange(items.Select(Text).OfType<string>());
                break;
            default:
                if (Text(value) is { } text)
                {
                    texts.Add(text);
                }

                break;
        }

        return texts;
    }

    private static string? Text(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => null,
        JsonValueKind.String => value.GetValue<string>() is { Length: > 0 } s ? s : null,
        JsonValueKind.True => "TRUE",
        JsonValueKind.False => "FALSE",
        _ => value.ToJsonString(),
    };

    /// <summary>A manifest row's <c>supplemental_json_metadata</c> without the facts dtp's uploader keeps there (which are not the curator's).</summary>
    private static JsonNode? CuratorMetadata(JsonNode? value) =>
        value is JsonValue text && text.TryGetValue(out string? metadata) ? (JsonNode?)ManifestFileFacts.RemoveFrom(metadata) : value;

    /// <summary>Returns the submitter ids a link property names (<c>{"submitter_id": ...}</c> or an array of them).</summary>
    private static IEnumerable<string> Linked(JsonNode? link) => link switch
    {
        JsonArray items => items.SelectMany(Linked),
        JsonObject target when Text(target["submitter_id"]) is { } id => [id],
        _ => [],
    };

    /// <summary>One file to write: a table or an element file.</summary>
    private sealed record SdsFile(string Name, SdsFileKind Kind, List<Dictionary<string, string?>>? Rows, Dictionary<string, IReadOnlyList<string>>? Elements)
    {
        public Task WriteAsync(string path, SdsVersion version, CancellationToken cancellationToken) => Rows is not null
            ? SdsMetadataWriter.WriteTableAsync(path, Kind, version, Rows, cancellationToken: cancellationToken)
            : SdsMetadataWriter.WriteElementsAsync(path, Kind, version, Elements!, cancellationToken: cancellationToken);
    }

    /// <summary>One reverse mapping run: builds the files' contents and collects findings, one per node and property.</summary>
    private sealed class Reversal(Gen3Dictionary dictionary, SdsVersion version)
    {
        private readonly Dictionary<(string Node, string Property), (string Message, int Count)> notes = [];

        public List<ConversionFinding> Findings { get; } = [];

        public List<SdsFile> Run(Gen3DatasetRecords records)
        {
            var files = new List<SdsFile>();
            if (Node("experiment") is { } experimentNode)
            {
                foreach (var (property, _) in Values(experimentNode, records.Experiment))
                {
                    Note(experimentNode.Name, property, "has no place in the SDS metadata files and is left out");
                }
            }

            var elements = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            if (records.DatasetDescription is null)
            {
                Findings.Add(new ConversionFinding(ConversionSeverity.Warning,
                    "The commons has no dataset_description record for this dataset: dataset_description.xlsx holds only the metadata version.", Node: "dataset_description"));
            }
            else if (Node("dataset_description") is { } descriptionNode)
            {
                var homes = Homes(descriptionNode, SdsFileKind.DatasetDescription, "dataset_description");
                foreach (var (property, texts) in Values(descriptionNode, records.DatasetDescription))
                {
                    if (property != MetadataVersion)
                    {
                        elements[Home(homes, descriptionNode, property, "row")] = texts;
                    }
                }
            }

            files.Add(new SdsFile("dataset_description.xlsx", SdsFileKind.DatasetDescription, null, elements));

            var subjects = new Dictionary<string, string>(StringComparer.Ordinal);
            AddTable(files, "case", SdsFileKind.Subjects, records.Cases, (record, row) =>
            {
                if (Text(record["submitter_id"]) is { } id && row.GetValueOrDefault("subject_id") is { } subject)
                {
                    subjects[id] = subject;
                }
            });
            AddTable(files, "sample", SdsFileKind.Samples, records.Samples, (record, row) =>
            {
                if (!row.ContainsKey("subject_id") && Linked(record["cases"]).Select(subjects.GetValueOrDefault).FirstOrDefault(s => s is not null) is { } subject)
                {
                    row["subject_id"] = subject;
                }
            });
            AddTable(files, "manifest", SdsFileKind.Manifest, records.Manifests, (_, _) => { });

            foreach (var ((node, property), (message, count)) in notes)
            {
                Findings.Add(new ConversionFinding(ConversionSeverity.Warning,
                    string.Create(CultureInfo.InvariantCulture, $"{node}.{property} {message} ({count} record(s))."), Node: node, Property: property));
            }

            return files;
        }

        private void AddTable(List<SdsFile> files, string nodeName, SdsFileKind kind, IReadOnlyList<JsonObject> records, Action<JsonObject, Dictionary<string, string?>> complete)
        {
            if (records.Count == 0 || Node(nodeName) is not { } node)
            {
                return;
            }

            var homes = Homes(node, kind, kind.Stem());
            var rows = new List<Dictionary<string, string?>>(records.Count);
            foreach (var record in records)
            {
                var row = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var (property, texts) in Values(node, record))
                {
                    row[Home(homes, node, property, "column")] = string.Join(", ", texts);
                }

                complete(record, row);
                rows.Add(row);
            }

            files.Add(new SdsFile(kind.Stem() + ".xlsx", kind, rows, null));
        }

        private DictionaryNode? Node(string name)
        {
            if (dictionary.TryGetNode(name, out var node))
            {
                return node;
            }

            Findings.Add(new ConversionFinding(ConversionSeverity.Warning, $"The dictionary has no node '{name}': its records are not written.", Node: name));
            return null;
        }

        /// <summary>
        /// Maps each property to the template key default mode reads it from (the first in template order), so that writing
        /// and converting again gives the same property.
        /// </summary>
        private Dictionary<string, string> Homes(DictionaryNode node, SdsFileKind kind, string category)
        {
            var template = SdsTemplates.ReadSheet(version, kind);
            var names = kind.IsElementFile() ? template.Rows.Skip(1).Select(r => r[1]) : template.Rows.Count > 0 ? template.Rows[0].Cells : [];
            var homes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in names.Select(SdsNames.Normalize).Where(k => k.Length > 0))
            {
                if (DefaultConversion.Property(node, category, key) is { } property)
                {
                    homes.TryAdd(property, key);
                }
            }

            return homes;
        }

        private string Home(Dictionary<string, string> homes, DictionaryNode node, string property, string what)
        {
            if (homes.TryGetValue(property, out var key))
            {
                return key;
            }

            Note(node.Name, property, $"has no {what} in the SDS {version} template and is written as an extra {what} '{property}'");
            return property;
        }

        /// <summary>Returns the record's data values (no system, link, type or submitter_id properties), placeholders read as blank.</summary>
        private IEnumerable<(string Property, List<string> Texts)> Values(DictionaryNode node, JsonObject record)
        {
            foreach (var (property, value) in record)
            {
                if (property is "type" or "submitter_id" or "id" || node.SystemProperties.Contains(property) || node.FindLink(property) is not null)
                {
                    continue;
                }

                var texts = Texts(node.Name == "manifest" && property == SupplementalJsonMetadata ? CuratorMetadata(value) : value);
                if (texts.Count == 0 || (texts is [DefaultConversion.Placeholder] && node.Required.Contains(property)))
                {
                    continue;
                }

                if (!node.Properties.Contains(property))
                {
                    Note(node.Name, property, "is not a property of the dictionary node and is left out");
                    continue;
                }

                yield return (property, texts);
            }
        }

        private void Note(string node, string property, string message)
        {
            var key = (node, property);
            notes[key] = notes.TryGetValue(key, out var note) ? (note.Message, note.Count + 1) : (message, 1);
        }
    }
}
