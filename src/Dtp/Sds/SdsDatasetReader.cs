namespace Dtp.Sds;

/// <summary>Reads an SDS dataset folder: finds its metadata files, detects its version and lists its folders and files.</summary>
public static class SdsDatasetReader
{
    /// <summary>Reads a dataset folder. Files that cannot be read become error findings instead of exceptions.</summary>
    /// <param name="root">The dataset folder.</param>
    /// <param name="version">The version to read and validate against; by default the one in dataset_description (3.0.2 when absent).</param>
    /// <param name="limits">Size limits for the metadata files; the default value is <see cref="SdsReadLimits.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="DtpException">The folder does not exist or cannot be listed.</exception>
    public static async Task<SdsDataset> ReadAsync(string root, SdsVersion? version = null, SdsReadLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        limits ??= SdsReadLimits.Default;
        var fullRoot = Path.GetFullPath(root);
        if (!Directory.Exists(fullRoot))
        {
            throw new DtpException($"{fullRoot} is not a folder.", DtpErrorKind.Local);
        }

        var findings = new List<SdsFinding>();
        List<string> folders;
        List<string> files;
        try
        {
            folders = Directory.EnumerateDirectories(fullRoot, "*", SearchOption.AllDirectories).Select(d => Relative(fullRoot, d)).Order(StringComparer.Ordinal).ToList();
            files = Directory.EnumerateFiles(fullRoot, "*", SearchOption.AllDirectories).Select(f => Relative(fullRoot, f)).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DtpException($"Cannot list {fullRoot}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }

        // Top-level metadata files, by kind; manifests anywhere.
        var candidates = new Dictionary<SdsFileKind, List<string>>();
        var manifestPaths = new List<string>();
        var dataFiles = new List<string>();
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith(".~lock.", StringComparison.Ordinal) || name.StartsWith("~$", StringComparison.Ordinal))
            {
                continue;
            }

            var stem = StemOf(name);
            var isTop = !file.Contains('/', StringComparison.Ordinal);
            if (SdsFileKinds.TryFromStem(stem, out var kind) && (isTop || kind == SdsFileKind.Manifest) && IsMetadataExtension(name))
            {
                if (kind == SdsFileKind.Manifest)
                {
                    manifestPaths.Add(file);
                }
                else
                {
                    (candidates.TryGetValue(kind, out var list) ? list : candidates[kind] = []).Add(file);
                }

                if (!string.Equals(name, name.ToLowerInvariant(), StringComparison.Ordinal) || stem != Path.GetFileNameWithoutExtension(name))
                {
                    findings.Add(new SdsFinding(SdsSeverity.Warning, SdsFindingCodes.Layout, new SdsLocation(file),
                        $"Metadata file names are lowercase with a single extension: rename {name} to {kind.Stem()}{Path.GetExtension(name).ToLowerInvariant()}."));
                }
            }
            else
            {
                dataFiles.Add(file);
            }
        }

        var metadata = new Dictionary<SdsFileKind, SdsMetadataFile>();
        var detected = false;
        var effective = version ?? SdsVersion.V302;

        // dataset_description first: its version decides how the others are read.
        if (Choose(candidates, SdsFileKind.DatasetDescription, findings) is { } ddPath
            && await TryReadAsync(fullRoot, ddPath, SdsFileKind.DatasetDescription, effective, findings, limits, cancellationToken).ConfigureAwait(false) is SdsElementFile dd)
        {
            metadata[SdsFileKind.DatasetDescription] = dd;
            if (DetectVersion(dd) is { } found)
            {
                detected = true;
                effective = version ?? found;
            }
        }

        foreach (var kind in candidates.Keys.Where(k => k != SdsFileKind.DatasetDescription).Order())
        {
            if (Choose(candidates, kind, findings) is { } path
                && await TryReadAsync(fullRoot, path, kind, effective, findings, limits, cancellationToken).ConfigureAwait(false) is { } file)
            {
                metadata[kind] = file;
            }
        }

        var manifests = new List<SdsTableFile>();
        foreach (var group in manifestPaths.GroupBy(p => Path.GetDirectoryName(p) ?? string.Empty))
        {
            if (group.Count() > 1)
            {
                findings.Add(new SdsFinding(SdsSeverity.Error, SdsFindingCodes.Duplicate, new SdsLocation(group.First()),
                    $"The folder has {group.Count()} manifests ({string.Join(", ", group.Select(Path.GetFileName))}); keep one."));
            }

            foreach (var path in group)
            {
                if (await TryReadAsync(fullRoot, path, SdsFileKind.Manifest, effective, findings, limits, cancellationToken).ConfigureAwait(false) is SdsTableFile manifest)
                {
                    manifests.Add(manifest);
                }
            }
        }

        var dataset = dataFiles.Select(f =>
        {
            var info = new FileInfo(Path.Combine(fullRoot, f));
            return new SdsDataFile(f, info.Length, info.LastWriteTimeUtc);
        }).ToList();
        return new SdsDataset(fullRoot, effective, detected, metadata, manifests, folders, dataset, findings);
    }

    /// <summary>Returns the version written in dataset_description (<c>Metadata version</c>), or <see langword="null"/>.</summary>
    /// <param name="datasetDescription">The dataset_description file.</param>
    /// <returns>The version, or <see langword="null"/> when absent or unreadable.</returns>
    public static SdsVersion? DetectVersion(SdsElementFile datasetDescription)
    {
        ArgumentNullException.ThrowIfNull(datasetDescription);
        return datasetDescription.Element("metadata_version")?.Values.Select(v => SdsVersion.TryParse(v.Text, out var parsed) ? parsed : (SdsVersion?)null)
            .FirstOrDefault(v => v is not null);
    }

    internal static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    internal static bool IsMetadataExtension(string name) =>
        SdsMetadataReader.FormatOf(name) is not null || Path.GetExtension(name).Equals(".xls", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the name without any of the metadata extensions (<c>subjects.xlsx.xlsx</c> gives <c>subjects</c>).</summary>
    private static string StemOf(string name)
    {
        var stem = name;
        while (IsMetadataExtension(stem) && Path.GetFileNameWithoutExtension(stem) is { Length: > 0 } shorter)
        {
            stem = shorter;
        }

        return stem;
    }

    private static string? Choose(Dictionary<SdsFileKind, List<string>> candidates, SdsFileKind kind, List<SdsFinding> findings)
    {
        if (!candidates.TryGetValue(kind, out var paths))
        {
            return null;
        }

        if (paths.Count > 1)
        {
            findings.Add(new SdsFinding(SdsSeverity.Error, SdsFindingCodes.Duplicate, new SdsLocation(paths[0]),
                $"There are {paths.Count} {kind.Stem()} files ({string.Join(", ", paths)}); keep exactly one. {paths[0]} was read."));
        }

        return paths[0];
    }

    private static async Task<SdsMetadataFile?> TryReadAsync(string root, string relative, SdsFileKind kind, SdsVersion version,
        List<SdsFinding> findings, SdsReadLimits limits, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(relative);
        if (SdsMetadataReader.FormatOf(name) is null)
        {
            findings.Add(new SdsFinding(SdsSeverity.Error, SdsFindingCodes.UnreadableFile, new SdsLocation(relative),
                SdsMetadataReader.UnsupportedType(relative).Message));
            return null;
        }

        try
        {
            var file = await SdsMetadataReader.ReadFileAsync(Path.Combine(root, relative), kind, version, relative, limits, cancellationToken).ConfigureAwait(false);
            findings.AddRange(file.Findings);
            return file;
        }
        catch (SdsFormatException ex)
        {
            findings.Add(new SdsFinding(SdsSeverity.Error, SdsFindingCodes.UnreadableFile, ex.Location, ex.Message));
            return null;
        }
    }
}
