using System.Text.Json.Nodes;

namespace Dtp.Conversion;

/// <summary>How serious a conversion finding is.</summary>
public enum ConversionSeverity
{
    /// <summary>Data was left out or changed on purpose (e.g. an SDS file the dictionary has no node for).</summary>
    Warning,

    /// <summary>A produced record will be refused by the commons (the dictionary rejects it) or a value could not be read.</summary>
    Error,
}

/// <summary>One problem found while converting: the source cell (when known) and the target node/property.</summary>
/// <param name="Severity">How serious it is.</param>
/// <param name="Message">What is wrong, naming source cell and target property.</param>
/// <param name="Source">The source file/sheet/row/column, when one cell or file is at fault.</param>
/// <param name="Node">The Gen3 node type concerned, if any.</param>
/// <param name="Property">The Gen3 property concerned, if any.</param>
public sealed record ConversionFinding(ConversionSeverity Severity, string Message, Sds.SdsLocation? Source = null, string? Node = null, string? Property = null)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Severity.ToString().ToLowerInvariant()}: {Message}";

    internal JsonObject ToJson() => new()
    {
        ["severity"] = Severity.ToString().ToLowerInvariant(),
        ["message"] = Message,
        ["file"] = Source?.File,
        ["sheet"] = Source?.Sheet,
        ["cell"] = Source?.Cell,
        ["node"] = Node,
        ["property"] = Property,
    };
}

/// <summary>What <see cref="Gen3Convertor.ExecuteAsync(string, string, CancellationToken)"/> produced.</summary>
public sealed class ConversionResult
{
    internal ConversionResult(string destination, IReadOnlyDictionary<string, int> recordsPerNode, IReadOnlyList<string> files, IReadOnlyList<ConversionFinding> findings)
    {
        Destination = destination;
        RecordsPerNode = recordsPerNode;
        Files = files;
        Findings = findings;
    }

    /// <summary>Gets the output folder.</summary>
    public string Destination { get; }

    /// <summary>Gets the number of records written per Gen3 node type.</summary>
    public IReadOnlyDictionary<string, int> RecordsPerNode { get; }

    /// <summary>Gets the names of the files written, in submission order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Gets the findings; empty in compatibility mode, which reproduces the original without checks.</summary>
    public IReadOnlyList<ConversionFinding> Findings { get; }

    /// <summary>Gets whether any finding is an error (a record the commons would refuse).</summary>
    public bool HasErrors => Findings.Any(f => f.Severity == ConversionSeverity.Error);

    /// <summary>Returns the machine-readable summary (also written as <c>conversion_summary.json</c> in default mode).</summary>
    public JsonObject ToJson() => new()
    {
        ["destination"] = Destination,
        ["files"] = new JsonArray([.. Files.Select(f => (JsonNode)f)]),
        ["records"] = new JsonObject(RecordsPerNode.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["errors"] = Findings.Count(f => f.Severity == ConversionSeverity.Error),
        ["warnings"] = Findings.Count(f => f.Severity == ConversionSeverity.Warning),
        ["findings"] = new JsonArray([.. Findings.Select(f => (JsonNode)f.ToJson())]),
    };
}
