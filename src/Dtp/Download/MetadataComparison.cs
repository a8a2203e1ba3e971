using Dtp.Sds;

namespace Dtp.Download;

/// <summary>Compares a metadata file the store holds with the one written from Gen3's records, value by value.</summary>
internal static class MetadataComparison
{
    private const int MaxDifferencesPerFile = 20;

    /// <summary>Returns one line per difference (at most 20 per file, then a count of the rest); none when the values agree.</summary>
    public static async Task<List<string>> CompareAsync(string storeFile, string storeName, string gen3File, SdsFileKind kind, SdsVersion version, CancellationToken cancellationToken)
    {
        var gen3Name = Path.GetFileName(gen3File);
        SdsMetadataFile store;
        try
        {
            store = await SdsMetadataReader.ReadFileAsync(storeFile, kind, version, storeName, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (SdsFormatException ex)
        {
            return [$"{storeName} from the store is not readable ({ex.Message}); replaced by {gen3Name} from Gen3"];
        }

        var gen3 = await SdsMetadataReader.ReadFileAsync(gen3File, kind, version, gen3Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        var differences = (store, gen3) switch
        {
            (SdsElementFile s, SdsElementFile g) => Elements(s, g),
            (SdsTableFile s, SdsTableFile g) => Tables(s, g),
            _ => [],
        };
        var lines = differences.Take(MaxDifferencesPerFile).Select(d => $"{storeName} (store) vs {gen3Name} (Gen3): {d}").ToList();
        if (differences.Count > MaxDifferencesPerFile)
        {
            lines.Add($"{storeName} (store) vs {gen3Name} (Gen3): {differences.Count - MaxDifferencesPerFile} more differences");
        }

        return lines;
    }

    private static List<string> Elements(SdsElementFile store, SdsElementFile gen3)
    {
        var differences = new List<string>();
        foreach (var key in store.Elements.Concat(gen3.Elements).Where(e => e.Values.Count > 0).Select(e => e.Key).Distinct(StringComparer.Ordinal))
        {
            var s = Join(store.Element(key)?.Values);
            var g = Join(gen3.Element(key)?.Values);
            if (s != g)
            {
                differences.Add($"element {key}: store \"{s}\", Gen3 \"{g}\"");
            }
        }

        return differences;
    }

    private static List<string> Tables(SdsTableFile store, SdsTableFile gen3)
    {
        var differences = new List<string>();
        if (store.Headers.Count == 0 || gen3.Headers.Count == 0)
        {
            return differences;
        }

        // Rows are matched on the first column, with the subject for samples (sample ids may repeat across subjects).
        string[] keys = gen3.Headers[0].Key == "sample_id" && gen3.Header("subject_id") is not null ? ["subject_id", "sample_id"] : [gen3.Headers[0].Key];
        var id = string.Join('/', keys);
        var storeRows = ById(store, keys);
        var gen3Rows = ById(gen3, keys);
        foreach (var key in storeRows.Keys.Concat(gen3Rows.Keys).Distinct(StringComparer.Ordinal))
        {
            if (!storeRows.TryGetValue(key, out var s))
            {
                differences.Add($"{id} {key}: only in Gen3");
                continue;
            }

            if (!gen3Rows.TryGetValue(key, out var g))
            {
                differences.Add($"{id} {key}: only in the store");
                continue;
            }

            var columns = store.Headers.Select(h => h.Key).Intersect(gen3.Headers.Select(h => h.Key), StringComparer.Ordinal);
            foreach (var column in columns)
            {
                var sv = s[column]?.Text.Trim() ?? "";
                var gv = g[column]?.Text.Trim() ?? "";
                if (sv != gv)
                {
                    differences.Add($"{id} {key}, column {column}: store \"{sv}\", Gen3 \"{gv}\"");
                }
            }
        }

        return differences;
    }

    private static Dictionary<string, SdsRecord> ById(SdsTableFile file, string[] keys) =>
        file.Records.Where(r => r[keys[^1]] is not null)
            .Select(r => (Key: string.Join('/', keys.Select(k => r[k]?.Text.Trim() ?? "")), Record: r))
            .DistinctBy(r => r.Key, StringComparer.Ordinal)
            .ToDictionary(r => r.Key, r => r.Record, StringComparer.Ordinal);

    private static string Join(IReadOnlyList<SdsValue>? values) => string.Join(", ", (values ?? []).Select(v => v.Text.Trim()).Where(t => t.Length > 0));
}
