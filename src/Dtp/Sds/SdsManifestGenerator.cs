using System.Globalization;

namespace Dtp.Sds;

/// <summary>What <see cref="SdsManifestGenerator.UpdateAsync"/> did.</summary>
/// <param name="Written">The manifests written (created or updated), relative to the dataset root.</param>
/// <param name="Added">How many entries were added for files not listed before.</param>
/// <param name="Removed">How many entries were dropped because their file no longer exists.</param>
public sealed record SdsManifestUpdate(IReadOnlyList<string> Written, int Added, int Removed);

/// <summary>Creates or updates the manifests of a dataset from the files present, keeping what curators wrote.</summary>
public static class SdsManifestGenerator
{
    /// <summary>
    /// Lists every data file in a manifest: each file goes to the nearest manifest above it, or to a new
    /// <c>manifest.xlsx</c> at the top of its data folder (<c>primary/</c>, <c>code/</c>, ...). Existing entries keep their
    /// descriptions and other columns; empty timestamps and file types are filled; entries whose file is gone are dropped.
    /// </summary>
    /// <param name="root">The dataset folder.</param>
    /// <param name="version">The SDS version whose manifest template is used; by default the dataset's.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="DtpException">A manifest cannot be read (fix or delete it first), or a file cannot be written.</exception>
    public static async Task<SdsManifestUpdate> UpdateAsync(string root, SdsVersion? version = null, CancellationToken cancellationToken = default)
    {
        var dataset = await SdsDatasetReader.ReadAsync(root, version, cancellationToken: cancellationToken).ConfigureAwait(false);
        var unreadable = dataset.Findings.FirstOrDefault(f => f.Code == SdsFindingCodes.UnreadableFile && Path.GetFileNameWithoutExtension(f.Location.File).Equals("manifest", StringComparison.OrdinalIgnoreCase));
        if (unreadable is not null)
        {
            throw new DtpException($"Cannot update manifests: {unreadable.Message} Fix or delete it first.", DtpErrorKind.Local);
        }

        string[] dataFolders = ["primary", "source", "derivative", "code", "docs", "protocol", "aux", "auxiliary"];
        var manifests = dataset.Manifests.ToDictionary(m => Folder(m.Path), m => m, StringComparer.Ordinal);
        var files = dataset.Files.Where(f => f.Path.Contains('/', StringComparison.Ordinal) && !Path.GetFileName(f.Path).StartsWith('.')
            && dataFolders.Contains(f.Path[..f.Path.IndexOf('/', StringComparison.Ordinal)], StringComparer.Ordinal)).ToList();
        var byManifest = new Dictionary<string, List<SdsDataFile>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var folder = Folder(file.Path);
            var owner = Ancestors(folder).FirstOrDefault(manifests.ContainsKey) ?? folder.Split('/')[0];
            (byManifest.TryGetValue(owner, out var list) ? list : byManifest[owner] = []).Add(file);
        }

        var written = new List<string>();
        int added = 0, removed = 0;
        foreach (var folder in byManifest.Keys.Concat(manifests.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var present = (byManifest.GetValueOrDefault(folder) ?? []).ToDictionary(f => folder.Length == 0 ? f.Path : f.Path[(folder.Length + 1)..], StringComparer.Ordinal);
            var records = new List<IReadOnlyDictionary<string, string?>>();
            var listed = new HashSet<string>(StringComparer.Ordinal);
            if (manifests.TryGetValue(folder, out var existing))
            {
                foreach (var record in existing.Records)
                {
                    var values = existing.Headers.ToDictionary(h => h.Text, h => record[h.Key]?.Text, StringComparer.Ordinal);
                    var name = record["filename"]?.Text.Trim().Replace('\\', '/').TrimStart('.', '/');
                    if (name is null || existing.Header("filename") is null)
                    {
                        records.Add(values);
                        continue;
                    }

                    if (present.TryGetValue(name, out var file))
                    {
                        Fill(values, existing, "timestamp", SdsMetadataWriter.FormatTimestamp(file.LastWriteTime));
                        Fill(values, existing, "file_type", FileType(name));
                        listed.Add(name);
                        records.Add(values);
                    }
                    else if (dataset.Folders.Contains(Join(folder, name.TrimEnd('/')), StringComparer.Ordinal))
                    {
                        records.Add(values);
                        listed.UnionWith(present.Keys.Where(k => k.StartsWith(name.TrimEnd('/') + "/", StringComparison.Ordinal)));
                    }
                    else
                    {
                        removed++;
                    }
                }
            }

            foreach (var (name, file) in present.Where(p => !listed.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                records.Add(new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["filename"] = name,
                    ["timestamp"] = SdsMetadataWriter.FormatTimestamp(file.LastWriteTime),
                    ["file type"] = FileType(name),
                });
                added++;
            }

            var path = existing?.Path ?? Join(folder, "manifest.xlsx");
            await SdsMetadataWriter.WriteTableAsync(Path.Combine(dataset.Root, path), SdsFileKind.Manifest, dataset.Version, records, overwrite: true, cancellationToken)
                .ConfigureAwait(false);
            written.Add(path);
        }

        return new SdsManifestUpdate(written, added, removed);
    }

    private static void Fill(Dictionary<string, string?> values, SdsTableFile manifest, string key, string value)
    {
        var header = manifest.Header(key)?.Text ?? key.Replace('_', ' ');
        if (string.IsNullOrWhiteSpace(values.GetValueOrDefault(header)))
        {
            values[header] = value;
        }
    }

    private static string FileType(string name) => Path.GetExtension(name) is { Length: > 0 } extension ? extension.ToLower(CultureInfo.InvariantCulture) : "file";

    private static string Folder(string path) => Path.GetDirectoryName(path)?.Replace('\\', '/') ?? string.Empty;

    private static string Join(string folder, string name) => folder.Length == 0 ? name : folder + "/" + name;

    /// <summary>Returns the folder, its parents and finally the dataset root (the empty string).</summary>
    private static IEnumerable<string> Ancestors(string folder)
    {
        for (var current = folder; current.Length > 0; current = Folder(current))
        {
            yield return current;
        }

        yield return string.Empty;
    }
}
