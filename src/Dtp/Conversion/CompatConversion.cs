using System.Globalization;
using System.Text.Json.Nodes;
using Dtp.Gen3.Dictionary;

namespace Dtp.Conversion;

/// <summary>
/// The original converter's algorithm, defects included (reference spec 4.5): pandas' reading of the sheets (its
/// missing-value strings, float columns), exact/case-insensitive mapping, list-valued dataset_description properties,
/// <c>[]</c>/<c>"NA"</c> placeholders, quote replacement and newline splitting, the accidental submitter-id character class.
/// Where the original crashed, this throws a <see cref="DtpException"/> naming the cell.
/// </summary>
internal sealed class CompatConversion(Gen3Dictionary dictionary, CompatVariant variant, string project, string experiment, string version)
{
    /// <summary>pandas 1.5's default missing-value strings (read_excel turns these cells into NaN).</summary>
    private static readonly HashSet<string> NaStrings = new(StringComparer.Ordinal)
    {
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null",
    };

    /// <summary>The characters of <c>str(['/', '_'])</c> used as a regex character class.</summary>
    private static readonly char[] SanitisedCharacters = ['\'', '/', ',', ' ', '_'];

    private ElementMapping Mapping => version == "1.2.3" ? ElementMapping.V123
        : variant == CompatVariant.V95c5155Mapping202309 ? ElementMapping.V200Fixed202309 : ElementMapping.V200;

    public async Task<List<(string File, JsonNode Content)>> RunAsync(string sourceDir, CancellationToken cancellationToken)
    {
        var output = new List<(string, JsonNode)>
        {
            ("experiment.json", new JsonObject
            {
                ["type"] = "experiment",
                ["submitter_id"] = experiment,
                ["projects"] = new JsonArray(new JsonObject { ["code"] = project }),
            }),
        };

        var description = await ReadFrameAsync(Path.Combine(sourceDir, "dataset_description.xlsx"), cancellationToken).ConfigureAwait(false);
        output.Add(("dataset_description.json", DatasetDescription(description)));

        var subjects = await ReadFrameAsync(Path.Combine(sourceDir, "subjects.xlsx"), cancellationToken).ConfigureAwait(false);
        output.Add(("subjects.json", Rows("subjects", "case", [subjects])));

        var manifestFiles = File.Exists(sourceDir)
            ? [sourceDir]
            : Directory.EnumerateFiles(sourceDir, "manifest.xlsx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (manifestFiles.Count == 0)
        {
            throw new DtpException($"No manifest.xlsx under {sourceDir} (the original fails here with AttributeError).", DtpErrorKind.Local);
        }

        var manifests = new List<Frame>();
        foreach (var file in manifestFiles)
        {
            manifests.Add(await ReadFrameAsync(file, cancellationToken).ConfigureAwait(false));
        }

        output.Add(("manifest.json", Rows("manifest", "manifest", manifests)));
        return output;
    }

    private JsonObject Initial(string category, string nodeType) => new()
    {
        ["type"] = nodeType,
        ["experiments"] = new JsonArray(new JsonObject { ["submitter_id"] = experiment }),
        ["submitter_id"] = $"{experiment}-{category}",
    };

    private DictionaryNode Node(string name) => dictionary.TryGetNode(name, out var node)
        ? node
        : throw new DtpException($"The dictionary has no node '{name}'.", DtpErrorKind.Local);

    private static IEnumerable<string> OpenProperties(DictionaryNode node, JsonObject record) =>
        node.Properties.Where(p => !node.SystemProperties.Contains(p) && !record.ContainsKey(p));

    private JsonObject DatasetDescription(Frame frame)
    {
        var node = Node("dataset_description");
        var record = Initial("dataset_description", "dataset_description");
        var elementColumn = frame.Columns.IndexOf("Metadata element");
        if (elementColumn < 0)
        {
            throw new DtpException($"{frame.File} has no column 'Metadata element' (the original fails here with KeyError).", DtpErrorKind.Local);
        }

        var mapping = Mapping.For("dataset_description").GroupBy(r => r.Element).ToDictionary(g => g.Key, g => g.Last().Property, StringComparer.Ordinal);
        var values = new Dictionary<string, List<Value>>(StringComparer.Ordinal);
        foreach (var row in frame.Rows)
        {
            if (row[elementColumn] is not { Data: string element })
            {
                continue;
            }

            if (mapping.TryGetValue(element, out var target))
            {
                if (target.Length == 0)
                {
                    continue;
                }

                element = target;
            }

            values[element] = [.. row.Skip(3).OfType<Value>()];
        }

        foreach (var property in OpenProperties(node, record).ToList())
        {
            if (values.TryGetValue(property, out var list) && list.Count > 0)
            {
                record[property] = new JsonArray([.. list.Select(v => ToJson(v, frame))]);
            }
            else if (node.Required.Contains(property))
            {
                record[property] = new JsonArray();
            }
        }

        return record;
    }

    private JsonArray Rows(string category, string nodeType, List<Frame> frames)
    {
        var node = Node(nodeType);
        var mapping = Mapping.For(category).ToList();
        var records = new JsonArray();
        foreach (var frame in frames)
        {
            var columns = Rename(frame.Columns, mapping);
            foreach (var row in frame.Rows)
            {
                var record = Initial(category, nodeType);
                foreach (var property in OpenProperties(node, record).ToList())
                {
                    var index = columns.IndexOf(property);
                    var value = index >= 0 ? row[index] : null;
                    if (property is "subject_id" or "filename")
                    {
                        if (value is not { Data: string id })
                        {
                            throw new DtpException(value is null
                                ? $"{frame.File} row {row.Number.ToString(CultureInfo.InvariantCulture)}: the '{property}' cell is empty (the original fails here with TypeError)."
                                : $"{frame.File} {value.Cell.Reference}: the '{property}' cell is not text (the original fails here with TypeError).", DtpErrorKind.Local);
                        }

                        var submitterId = (string)record["submitter_id"]! + "-" + id;
                        if (variant != CompatVariant.E5f555c)
                        {
                            submitterId = submitterId.Replace("./", string.Empty, StringComparison.Ordinal);
                        }

                        foreach (var c in SanitisedCharacters)
                        {
                            submitterId = submitterId.Replace(c, '-');
                        }

                        record["submitter_id"] = submitterId;
                    }

                    if (value is not null && IsTruthy(value.Data))
                    {
                        if (value.Data is not string text)
                        {
                            throw new DtpException($"{frame.File} {value.Cell.Reference}: '{property}' holds a {value.Cell.Kind} value (the original fails here with TypeError: object has no len()).", DtpErrorKind.Local);
                        }

                        text = text.Replace('"', '\'');
                        record[property] = text.Contains('\n', StringComparison.Ordinal)
                            ? new JsonArray([.. text.Split('\n').Select(s => (JsonNode)s)])
                            : text;
                    }
                    else if (node.Required.Contains(property))
                    {
                        record[property] = "NA";
                    }
                }

                records.Add(record);
            }
        }

        return records;
    }

    /// <summary>Renames columns whose header equals a mapping element case-insensitively; a column mapped to nothing is dropped (null).</summary>
    private static List<string?> Rename(List<string> columns, List<ElementMappingRow> mapping) =>
        [.. columns.Select(c => mapping.FirstOrDefault(m => string.Equals(m.Element.ToLowerInvariant(), c.ToLowerInvariant(), StringComparison.Ordinal)) is { } m
            ? m.Property.Length == 0 ? null : m.Property
            : c)];

    private static bool IsTruthy(object data) => data switch
    {
        string s => s.Length > 0,
        long l => l != 0,
        double d => d != 0 && !double.IsNaN(d),
        bool b => b,
        _ => true,
    };

    private static JsonNode ToJson(Value value, Frame frame) => value.Data switch
    {
        string s => s,
        long l => l,
        double d => d,
        bool b => b,
        _ => throw new DtpException($"{frame.File} {value.Cell.Reference}: a {value.Cell.Kind} value cannot be written as JSON (the original fails here with TypeError).", DtpErrorKind.Local),
    };

    /// <summary>Reads a sheet as pandas 1.5 <c>read_excel</c> does: header names mangled, missing-value strings dropped, numeric columns with gaps as floats.</summary>
    private static async Task<Frame> ReadFrameAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DtpException($"{path} does not exist (the original fails here with FileNotFoundError).", DtpErrorKind.Local);
        }

        var table = await Gen3Convertor.ReadExcelAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        var width = Math.Max(table.HeaderCells.Count, table.Rows.Count == 0 ? 0 : table.Rows.Max(r => r.Cells.Count));
        var columns = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < width; i++)
        {
            var name = table.HeaderCells.Count > i && table.HeaderCells[i] is { } h ? h.Text : $"Unnamed: {i.ToString(CultureInfo.InvariantCulture)}";
            if (seen.TryGetValue(name, out var count))
            {
                seen[name] = count + 1;
                name = $"{name}.{count.ToString(CultureInfo.InvariantCulture)}";
            }
            else
            {
                seen[name] = 1;
            }

            columns.Add(name);
        }

        var rows = table.Rows.Select(r => new FrameRow(r.Number, [.. Enumerable.Range(0, width).Select(i => r[i] is { } c && !(c.Value is string s && NaStrings.Contains(s)) ? new Value(c, c.Value) : null)])).ToList();
        for (var i = 0; i < width; i++)
        {
            var cells = rows.Select(r => r[i]).ToList();
            var numeric = cells.TrueForAll(v => v is null || v.Data is long or double);
            if (numeric && cells.Exists(v => v?.Data is long) && cells.Exists(v => v is null || v.Data is double))
            {
                foreach (var row in rows)
                {
                    if (row[i] is { Data: long l } v)
                    {
                        row[i] = v with { Data = (double)l };
                    }
                }
            }
        }

        return new Frame(path, columns, rows);
    }

    private sealed record Value(ExcelCell Cell, object Data);

    private sealed class FrameRow(int number, Value?[] cells) : List<Value?>(cells)
    {
        public int Number { get; } = number;
    }

    private sealed record Frame(string File, List<string> Columns, List<FrameRow> Rows);
}
