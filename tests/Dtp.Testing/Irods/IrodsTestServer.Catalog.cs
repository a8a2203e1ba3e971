using System.Globalization;
using System.Text.RegularExpressions;

namespace Dtp.Testing.Irods;

/// <summary>The GenQuery side of the test server: a catalog computed from the folder on every query.</summary>
public sealed partial class IrodsTestServer
{
    private const string Resource = "demoResc";

    /// <summary>Returns the rows of a GenQuery: one per collection, or one per data-object replica when a data column is involved.</summary>
    private List<string[]> Rows(int[] select, List<(int Column, string Condition)> conditions)
    {
        var dataQuery = select.Concat(conditions.Select(c => c.Column)).Any(c => c is >= 400 and < 500);
        var predicates = conditions.Select(c => (c.Column, Match: Condition(c.Condition))).ToList();
        var rows = new List<(string Sort, string[] Values)>();
        foreach (var record in dataQuery ? DataRecords() : CollectionRecords())
        {
            if (predicates.All(p => p.Match(record.GetValueOrDefault(p.Column, string.Empty))))
            {
                rows.Add((record[501] + "\0" + record.GetValueOrDefault(403, string.Empty) + "\0" + record.GetValueOrDefault(404, string.Empty),
                    select.Select(c => record.GetValueOrDefault(c, string.Empty)).ToArray()));
            }
        }

        return rows.OrderBy(r => r.Sort, StringComparer.Ordinal).Select(r => r.Values).ToList();
    }

    private IEnumerable<Dictionary<int, string>> CollectionRecords()
    {
        yield return CollectionRecord(RootFolder);
        foreach (var folder in Directory.EnumerateDirectories(RootFolder, "*", SearchOption.AllDirectories))
        {
            yield return CollectionRecord(folder);
        }
    }

    private Dictionary<int, string> CollectionRecord(string folder)
    {
        var logical = LogicalOf(folder);
        var info = new DirectoryInfo(folder);
        var parent = logical.LastIndexOf('/') <= 0 ? "/" : logical[..logical.LastIndexOf('/')];
        return new Dictionary<int, string>
        {
            [500] = IdOf("C", logical).ToString(CultureInfo.InvariantCulture),
            [501] = logical,
            [502] = parent,
            [503] = Options.Users.Keys.FirstOrDefault() ?? "rods",
            [504] = Options.Zone,
            [505] = "0",
            [506] = string.Empty,
            [507] = string.Empty,
            [508] = Epoch(info.CreationTimeUtc),
            [509] = Epoch(info.LastWriteTimeUtc),
        };
    }

    private IEnumerable<Dictionary<int, string>> DataRecords()
    {
        var files = Directory.EnumerateFiles(RootFolder, "*", SearchOption.AllDirectories)
            .Select(f => (Collection: CollectionRecord(Path.GetDirectoryName(f)!), Name: Path.GetFileName(f), Info: (FileInfo?)new FileInfo(f)))
            .Concat(phantoms.Select(p => (Collection: CollectionRecord(LocalPathOf(p.Collection)), p.Name, Info: (FileInfo?)null)));
        foreach (var (collection, name, info) in files)
        {
            var logical = collection[501] + "/" + name;
            for (var replica = 0; replica < Options.Replicas; replica++)
            {
                var record = new Dictionary<int, string>(collection)
                {
                    [401] = IdOf("D", logical).ToString(CultureInfo.InvariantCulture),
                    [402] = collection[500],
                    [403] = name,
                    [404] = replica.ToString(CultureInfo.InvariantCulture),
                    [405] = string.Empty,
                    [406] = "generic",
                    [407] = (info?.Length ?? 0).ToString(CultureInfo.InvariantCulture),
                    [409] = Resource,
                    [410] = info?.FullName ?? string.Empty,
                    [411] = collection[503],
                    [412] = Options.Zone,
                    [413] = "1",
                    [414] = string.Empty,
                    [415] = checksums.GetValueOrDefault(logical, string.Empty),
                    [416] = string.Empty,
                    [417] = "0",
                    [418] = string.Empty,
                    [419] = Epoch(info?.CreationTimeUtc ?? DateTime.UnixEpoch),
                    [420] = Epoch(info?.LastWriteTimeUtc ?? DateTime.UnixEpoch),
                    [422] = Resource,
                    [423] = "10014",
                };
                yield return record;
            }
        }
    }

    /// <summary>Parses a GenQuery condition such as <c>= 'x'</c>, <c>like 'x/%'</c> or <c>&lt;&gt; 'x'</c>.</summary>
    private static Func<string, bool> Condition(string text)
    {
        var trimmed = text.Trim();
        var first = trimmed.IndexOf('\'', StringComparison.Ordinal);
        var last = trimmed.LastIndexOf('\'');
        var op = (first < 0 ? trimmed : trimmed[..first]).Trim().ToUpperInvariant();
        var value = first >= 0 && last > first ? trimmed[(first + 1)..last] : trimmed[op.Length..].Trim();
        return op switch
        {
            "=" => v => string.Equals(v, value, StringComparison.Ordinal),
            "<>" or "!=" => v => !string.Equals(v, value, StringComparison.Ordinal),
            "LIKE" => Like(value, negate: false),
            "NOT LIKE" => Like(value, negate: true),
            _ => throw new NotSupportedException($"The iRODS test server does not support the GenQuery condition \"{text}\"."),
        };
    }

    private static Func<string, bool> Like(string pattern, bool negate)
    {
        var regex = new Regex("^" + string.Concat(pattern.Select(c => c switch
        {
            '%' => ".*",
            '_' => ".",
            _ => Regex.Escape(c.ToString()),
        })) + "$", RegexOptions.Singleline | RegexOptions.CultureInvariant);
        return v => regex.IsMatch(v) != negate;
    }
}
