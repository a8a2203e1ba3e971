using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dtp.Gen3.Dictionary;

/// <summary>
/// A Gen3 data dictionary: node types with their schemas (<c>$ref</c>s into <c>_definitions</c> and <c>_terms</c> resolved),
/// links and keys, loaded from a folder of YAML files, from a single JSON document (sheepdog's <c>_dictionary/_all</c>
/// or a deployment's <c>schema.json</c>), or the SDS dictionary shipped with dtp.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Gen3's own term: a data dictionary, not a collection type.")]
public sealed class Gen3Dictionary
{
    private const string ResourcePrefix = "Dtp.Gen3.Dictionary.";
    private static readonly string[] BuiltIns = ["root", "data_release"];
    private static readonly Lazy<Gen3Dictionary> SdsDictionary = new(() => FromDocuments(ReadResources("sds_v2_0_0/"), "the SDS dictionary shipped with dtp"));

    private readonly Dictionary<string, DictionaryNode> nodes;
    private readonly JsonObject? metaschema;

    private Gen3Dictionary(Dictionary<string, DictionaryNode> nodes, JsonObject definitions, JsonObject terms, JsonObject settings, JsonObject? metaschema)
    {
        this.nodes = nodes;
        Definitions = definitions;
        Terms = terms;
        Settings = settings;
        this.metaschema = metaschema;
    }

    /// <summary>Gets the SDS dictionary v2.0.0 of the DigitalTWINS platform, shipped in the assembly.</summary>
    public static Gen3Dictionary Sds => SdsDictionary.Value;

    /// <summary>Gets the node types by name (in the order they were loaded; includes the built-in <c>root</c> and <c>data_release</c>).</summary>
    public IReadOnlyDictionary<string, DictionaryNode> Nodes => nodes;

    /// <summary>Gets <c>_definitions</c> with references resolved.</summary>
    public JsonObject Definitions { get; }

    /// <summary>Gets <c>_terms</c>.</summary>
    public JsonObject Terms { get; }

    /// <summary>Gets <c>_settings</c>.</summary>
    public JsonObject Settings { get; }

    /// <summary>Gets the dictionary version from <c>_settings._dict_version</c>, or <c>Unknown</c>.</summary>
    public string Version => (string?)Settings["_dict_version"] ?? "Unknown";

    /// <summary>Gets the dictionary commit from <c>_settings._dict_commit</c>, or <c>Unknown</c>.</summary>
    public string Commit => (string?)Settings["_dict_commit"] ?? "Unknown";

    /// <summary>Loads a dictionary from a folder of YAML files or from one JSON file.</summary>
    /// <param name="path">A folder holding <c>_definitions.yaml</c>, <c>_terms.yaml</c> and one YAML file per node, or a JSON file
    /// keyed by node name (<c>_dictionary/_all</c>) or by file name (<c>schema.json</c>).</param>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>The dictionary.</returns>
    /// <exception cref="DtpException">The path is missing, or a file is not valid YAML/JSON or has a dangling <c>$ref</c> (kind Local).</exception>
    public static async Task<Gen3Dictionary> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var documents = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path, "*.yaml").Order(StringComparer.Ordinal))
            {
                var text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
                documents[Path.GetFileName(file)] = YamlJson.Parse(text, file);
            }
        }
        else if (File.Exists(path))
        {
            await using var stream = File.OpenRead(path);
            JsonNode? root;
            try
            {
                root = await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                throw new DtpException($"Dictionary file {path} is not valid JSON: {ex.Message}", DtpErrorKind.Local, isTransient: false, ex);
            }

            if (root is not JsonObject all)
            {
                throw new DtpException($"Dictionary file {path} is not a JSON object keyed by node.", DtpErrorKind.Local, isTransient: false);
            }

            return FromJson(all, path);
        }
        else
        {
            throw new DtpException($"Dictionary {path} does not exist.", DtpErrorKind.Local, isTransient: false);
        }

        return FromDocuments(documents, path);
    }

    /// <summary>Builds a dictionary from one JSON document keyed by node name (sheepdog's <c>_dictionary/_all</c>) or by file name (<c>schema.json</c>).</summary>
    /// <param name="document">The document; it is not modified.</param>
    /// <param name="source">Where the document came from (a file or URL), for error messages.</param>
    /// <returns>The dictionary.</returns>
    /// <exception cref="DtpException">The document has a dangling <c>$ref</c> or no node types (kind Local).</exception>
    public static Gen3Dictionary FromJson(JsonObject document, string source)
    {
        ArgumentNullException.ThrowIfNull(document);
        var documents = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in document)
        {
            documents[key.EndsWith(".yaml", StringComparison.Ordinal) ? key : key + ".yaml"] = value?.DeepClone();
        }

        return FromDocuments(documents, source);
    }

    /// <summary>Returns the node type of that name.</summary>
    /// <param name="name">A node type name.</param>
    /// <param name="node">The node type, when found.</param>
    /// <returns>Whether the dictionary has the node type.</returns>
    public bool TryGetNode(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DictionaryNode? node) =>
        nodes.TryGetValue(name, out node);

    /// <summary>
    /// Validates one record: its <c>type</c> must name a node of the dictionary, then the node's schema applies
    /// (see <see cref="DictionaryNode.Validate"/>).
    /// </summary>
    /// <param name="record">The record.</param>
    /// <returns>The errors; empty when the record is valid.</returns>
    public IReadOnlyList<RecordError> Validate(JsonObject record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record["type"] is not JsonValue typeValue || !typeValue.TryGetValue<string>(out var type))
        {
            return [new RecordError(["type"], "'type' is a required property", RecordErrorTypes.MissingProperty)];
        }

        return TryGetNode(type, out var node)
            ? node.Validate(record)
            : [new RecordError(["type"], $"Node type \"{type}\" not found in dictionary", RecordErrorTypes.InvalidType)];
    }

    /// <summary>Builds sheepdog's <c>_dictionary/_all</c> document: every node plus <c>_definitions</c>, <c>_terms</c>, <c>_settings</c> and <c>metaschema</c>.</summary>
    /// <returns>A new JSON object the caller may modify.</returns>
    public JsonObject ToAllDocument()
    {
        var all = new JsonObject
        {
            ["_definitions"] = Definitions.DeepClone(),
            ["_settings"] = Settings.DeepClone(),
            ["_terms"] = Terms.DeepClone(),
        };
        foreach (var (name, node) in nodes)
        {
            all[name] = node.Schema.DeepClone();
        }

        if (metaschema is not null)
        {
            all["metaschema"] = metaschema.DeepClone();
        }

        return all;
    }

    private static Gen3Dictionary FromDocuments(Dictionary<string, JsonNode?> documents, string source)
    {
        foreach (var builtIn in ReadResources("builtin/"))
        {
            documents.TryAdd(builtIn.Key, builtIn.Value);
        }

        var resolver = new RefResolver(documents, source);
        var definitions = resolver.Resolve("_definitions.yaml") as JsonObject ?? [];
        var terms = documents.GetValueOrDefault("_terms.yaml") as JsonObject ?? [];
        var settings = documents.GetValueOrDefault("_settings.yaml") as JsonObject ?? [];
        var nodes = new Dictionary<string, DictionaryNode>(StringComparer.Ordinal);
        foreach (var fileName in documents.Keys)
        {
            var stem = fileName[..^".yaml".Length];
            if (stem.StartsWith('_') || stem == "metaschema" || documents[fileName] is not JsonObject raw || raw["properties"] is null)
            {
                continue;
            }

            var schema = (JsonObject)resolver.Resolve(fileName)!;
            var name = (string?)schema["id"] ?? stem;
            nodes[name] = new DictionaryNode(name, schema);
        }

        if (nodes.Count == BuiltIns.Length)
        {
            throw new DtpException($"Dictionary {source} has no node types.", DtpErrorKind.Local, isTransient: false);
        }

        return new Gen3Dictionary(nodes, definitions, terms, settings, documents.GetValueOrDefault("metaschema.yaml") as JsonObject);
    }

    private static Dictionary<string, JsonNode?> ReadResources(string folder)
    {
        var assembly = typeof(Gen3Dictionary).Assembly;
        var documents = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix + folder, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            documents[name[(ResourcePrefix.Length + folder.Length)..]] = YamlJson.Parse(reader.ReadToEnd(), name);
        }

        return documents;
    }
}
