using System.Text.Json.Nodes;

namespace Dtp.Gen3.Dictionary;

/// <summary>
/// Inlines JSON references (<c>file.yaml#/a/b</c>, <c>#/a</c>) across the files of a dictionary, as dictionaryutils does:
/// the referenced content first, then the keys written beside <c>$ref</c> on top. A reference to a missing file or entry
/// stays as written (dictionaryutils leaves it too; real dictionaries carry such references in unused definitions).
/// </summary>
internal sealed class RefResolver(Dictionary<string, JsonNode?> documents, string source)
{
    private readonly Dictionary<string, JsonNode?> resolved = new(StringComparer.Ordinal);
    private readonly HashSet<string> inProgress = new(StringComparer.Ordinal);

    /// <summary>Returns a resolved deep copy of a whole file.</summary>
    public JsonNode? Resolve(string fileName) =>
        documents.TryGetValue(fileName, out var doc) ? Resolve(doc, fileName) : null;

    private JsonNode? Resolve(JsonNode? node, string file)
    {
        switch (node)
        {
            case JsonObject obj when obj["$ref"] is JsonValue reference:
                if (!TryTarget(reference.GetValue<string>(), file, out var target))
                {
                    return obj.DeepClone();
                }

                if (target is not JsonObject merged)
                {
                    return target;
                }

                foreach (var (key, value) in obj)
                {
                    if (key != "$ref")
                    {
                        merged[key] = Resolve(value, file);
                    }
                }

                return merged;
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    copy[key] = Resolve(value, file);
                }

                return copy;
            case JsonArray array:
                return new JsonArray([.. array.Select(item => Resolve(item, file))]);
            default:
                return node?.DeepClone();
        }
    }

    private bool TryTarget(string reference, string file, out JsonNode? target)
    {
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var targetFile = hash switch
        {
            0 => file,
            > 0 => reference[..hash],
            _ => reference,
        };
        var pointer = hash >= 0 ? reference[(hash + 1)..] : "";
        var key = targetFile + "#" + pointer;
        if (resolved.TryGetValue(key, out var cached))
        {
            target = cached?.DeepClone();
            return true;
        }

        if (!inProgress.Add(key))
        {
            throw new DtpException($"Dictionary {source}: circular $ref {reference} in {file}.", DtpErrorKind.Local, isTransient: false);
        }

        target = null;
        if (!documents.TryGetValue(targetFile, out var current))
        {
            inProgress.Remove(key);
            return false;
        }

        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current is JsonObject obj && obj.TryGetPropertyValue(name, out var child))
            {
                current = child;
            }
            else
            {
                inProgress.Remove(key);
                return false;
            }
        }

        var result = Resolve(current, targetFile);
        inProgress.Remove(key);
        resolved[key] = result;
        target = result?.DeepClone();
        return true;
    }
}
