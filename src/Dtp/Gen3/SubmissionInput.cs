using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Gen3.Dictionary;

namespace Dtp.Gen3;

/// <summary>A record to submit and where it came from (<c>file:line</c> or <c>file[index]</c>).</summary>
internal sealed record SourcedRecord(JsonObject Record, string Source)
{
    public string? Type => Record["type"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public string? SubmitterId => Record["submitter_id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>Reads submission files: JSON (an object or an array of objects), TSV or CSV with sheepdog's column conventions.</summary>
internal static class SubmissionInput
{
    /// <summary>Reads a file, or every <c>.json</c>, <c>.tsv</c> and <c>.csv</c> file of a folder (ordinal name order).</summary>
    /// <exception cref="DtpException">A file is missing, malformed (the message names the file and position) or of an unknown kind (kind Local).</exception>
    public static async Task<List<SourcedRecord>> ReadAsync(string path, Gen3Dictionary dictionary, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path)
                .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".json" or ".tsv" or ".csv")
                .Order(StringComparer.Ordinal)
                .ToList();
            if (files.Count == 0)
            {
                throw new DtpException($"Folder {path} holds no .json, .tsv or .csv file to submit.", DtpErrorKind.Local);
            }

            var all = new List<SourcedRecord>();
            foreach (var file in files)
            {
                all.AddRange(await ReadFileAsync(file, dictionary, cancellationToken).ConfigureAwait(false));
            }

            return all;
        }

        if (!File.Exists(path))
        {
            throw new DtpException($"{path} does not exist.", DtpErrorKind.Local);
        }

        return await ReadFileAsync(path, dictionary, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<SourcedRecord>> ReadFileAsync(string file, Gen3Dictionary dictionary, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(file);
        try
        {
            await using var stream = File.OpenRead(file);
            return Path.GetExtension(file).ToLowerInvariant() switch
            {
                ".json" => await ReadJsonAsync(stream, name, cancellationToken).ConfigureAwait(false),
                ".tsv" or ".txt" => await ReadDelimitedAsync(stream, '\t', name, dictionary, cancellationToken).ConfigureAwait(false),
                ".csv" => await ReadDelimitedAsync(stream, ',', name, dictionary, cancellationToken).ConfigureAwait(false),
                _ => throw new DtpException($"{file}: expected a .json, .tsv or .csv file.", DtpErrorKind.Local),
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DtpException($"Cannot read {file}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }
        catch (JsonException ex)
        {
            throw new DtpException($"{file} is not valid JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1} of that line: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }
        catch (FormatException ex)
        {
            throw new DtpException($"{file} {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }
    }

    private static async Task<List<SourcedRecord>> ReadJsonAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        var root = await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        return root switch
        {
            JsonObject one => [new SourcedRecord(one, name)],
            JsonArray list => [.. list.Select((item, i) => item is JsonObject record
                ? new SourcedRecord(record, $"{name}[{i}]")
                : throw new FormatException($"item {i}: expected a JSON object (a record), found {item?.GetValueKind().ToString() ?? "null"}"))],
            _ => throw new FormatException("expected a JSON object (a record) or an array of records"),
        };
    }

    private static async Task<List<SourcedRecord>> ReadDelimitedAsync(Stream stream, char separator, string name, Gen3Dictionary dictionary, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var records = new List<SourcedRecord>();
        List<string>? header = null;
        await foreach (var (line, cells) in DelimitedText.ReadAsync(reader, separator, cancellationToken).ConfigureAwait(false))
        {
            if (header is null)
            {
                header = cells.Select(c => c.Trim().TrimStart('*')).ToList();
                if (!header.Contains("type"))
                {
                    throw new FormatException($"line {line}: the header has no \"type\" column");
                }

                continue;
            }

            if (cells.Count > header.Count)
            {
                throw new FormatException($"line {line}: {cells.Count} cells but the header has {header.Count} columns");
            }

            records.Add(new SourcedRecord(ToRecord(header, cells, dictionary), $"{name}:{line}"));
        }

        return records;
    }

    /// <summary>Turns a row into a record as sheepdog does: <c>link.key</c> columns become link objects, cells take the property's type, empty cells are absent.</summary>
    internal static JsonObject ToRecord(List<string> header, List<string> cells, Gen3Dictionary dictionary)
    {
        var type = cells.ElementAtOrDefault(header.IndexOf("type"))?.Trim();
        dictionary.TryGetNode(type ?? "", out var node);
        var record = new JsonObject();
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            if (cell.Length == 0)
            {
                continue;
            }

            var column = header[i];
            var dot = column.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0)
            {
                var link = column[..dot];
                var key = column[(dot + 1)..];
                var values = cell.Split(',', StringSplitOptions.TrimEntries);
                var parents = record[link] as JsonArray ?? [];
                for (var v = 0; v < values.Length; v++)
                {
                    if (parents.Count <= v)
                    {
                        parents.Add(new JsonObject());
                    }

                    parents[v]![key] = values[v];
                }

                record[link] = parents;
            }
            else
            {
                record[column] = Convert(cell, node?.Schema["properties"]?[column]);
            }
        }

        foreach (var (name, value) in record.ToList())
        {
            if (value is JsonArray { Count: 1 } single && single[0] is JsonObject parent)
            {
                record[name] = parent.DeepClone();
            }
        }

        return record;
    }

    private static JsonNode? Convert(string cell, JsonNode? schema)
    {
        var types = schema?["type"] switch
        {
            JsonArray list => list.Select(x => (string?)x).ToList(),
            JsonValue one => [(string?)one],
            _ => [],
        };
        if (types.Contains("array"))
        {
            return new JsonArray([.. cell.Split(',').Select(part => Convert(part.Trim(), schema?["items"]))]);
        }

        if (types.Contains("integer") && long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        if (types.Contains("number") && double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        if (types.Contains("boolean") && bool.TryParse(cell, out var flag))
        {
            return flag;
        }

        return cell;
    }
}
