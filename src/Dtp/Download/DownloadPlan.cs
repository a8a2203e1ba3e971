using Dtp.Conversion;
using Dtp.Sds;
using Dtp.Storage;
using Dtp.Storage.Pacs;

namespace Dtp.Download;

/// <summary>What a download must deliver: the store's files placed in the dataset's folder, checked against the Gen3 manifest.</summary>
/// <param name="Files">The files to fetch or verify.</param>
/// <param name="Missing">Files the manifest lists that the store does not hold (failed before any transfer).</param>
/// <param name="Extra">Files the store holds that the manifest does not list.</param>
/// <param name="Findings">Warnings (e.g. a PACS dataset's case that names no study).</param>
/// <param name="StoreMetadata">The store's top-level metadata files of the kinds Gen3's records replace, to compare with them.</param>
internal sealed record DownloadPlan(IReadOnlyList<PlannedFile> Files, IReadOnlyList<DownloadedFile> Missing, IReadOnlyList<string> Extra, IReadOnlyList<string> Findings,
    IReadOnlyList<PlannedFile> StoreMetadata)
{
    /// <summary>
    /// Lists the store and places each file: for a PACS, each case whose <c>subject_id</c> is <c>sub-&lt;study UID, dashed&gt;</c>
    /// gives the study's files under <c>primary/sub-*/sam-*/</c>, renamed to the manifest row's <c>filename</c> where the row's facts
    /// carry the instance's SOP Instance UID; for iRODS and local stores, the dataset's folder as it is. A listing that fails
    /// transiently is tried again, up to <paramref name="attempts"/> times.
    /// </summary>
    public static async Task<DownloadPlan> CreateAsync(IDataStore store, string storageType, string datasetId, Gen3DatasetRecords records, int attempts, CancellationToken cancellationToken)
    {
        var rows = records.Manifests
            .Select(m => (Path: (string?)m["filename"], Facts: ManifestFileFacts.TryRead((string?)m["supplemental_json_metadata"], out var f) ? f : null))
            .Where(r => !string.IsNullOrWhiteSpace(r.Path))
            .Select(r => (Path: string.Join('/', DatasetPaths.Split(r.Path!)), r.Facts))
            .DistinctBy(r => r.Path, StringComparer.Ordinal)
            .ToDictionary(r => r.Path, r => r.Facts, StringComparer.Ordinal);
        var findings = new List<string>();
        var files = new List<PlannedFile>();
        if (storageType == "pacs")
        {
            var bySop = rows.Where(r => r.Value?.Dicom is not null).ToDictionary(r => r.Value!.Dicom!.SopInstanceUid, r => (Path: r.Key, Facts: r.Value!), StringComparer.Ordinal);
            foreach (var subject in records.Cases.Select(c => (string?)c["subject_id"] ?? (string?)c["submitter_id"]).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                string study;
                try
                {
                    study = PacsLayout.SubjectFolder(PacsLayout.ToUid(subject));
                }
                catch (ArgumentException)
                {
                    findings.Add($"Subject \"{subject}\" names no study (expected sub-<StudyInstanceUID with - for .>); it has no PACS data.");
                    continue;
                }

                foreach (var file in await ListAsync(store, study, attempts, cancellationToken).ConfigureAwait(false))
                {
                    var target = $"primary/{study}/{string.Join('/', DatasetPaths.Split(file.RelativePath))}";
                    ManifestFileFacts? facts = null;
                    if (SopOf(file.RelativePath) is { } sop && bySop.TryGetValue(sop, out var row))
                    {
                        (target, facts) = row;
                    }
                    else if (rows.TryGetValue(target, out var byPath))
                    {
                        facts = byPath;
                    }

                    files.Add(new PlannedFile(target, study, file, facts?.Size ?? file.Size, facts?.Sha256));
                }
            }
        }
        else
        {
            foreach (var file in await ListAsync(store, datasetId, attempts, cancellationToken).ConfigureAwait(false))
            {
                var target = string.Join('/', DatasetPaths.Split(file.RelativePath));
                var facts = rows.GetValueOrDefault(target);
                files.Add(new PlannedFile(target, datasetId, file, facts?.Size ?? file.Size, facts?.Sha256));
            }
        }

        var duplicate = files.GroupBy(f => f.Target, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new DtpException($"Two files of the {store.Name} would both be written to {duplicate.Key}.");
        }

        var metadata = files.Where(f => IsGen3Metadata(f.Target)).ToList();
        files.RemoveAll(f => IsGen3Metadata(f.Target));
        var placed = files.Select(f => f.Target).ToHashSet(StringComparer.Ordinal);
        var missing = rows.Where(r => !placed.Contains(r.Key) && !IsGen3Metadata(r.Key))
            .Select(r => new DownloadedFile(r.Key, r.Value?.Size ?? 0, null, DownloadFileStatus.Failed, "manifest", $"listed in the Gen3 manifest but not held by the {store.Name}"))
            .ToList();
        var extra = rows.Count == 0 ? [] : files.Select(f => f.Target).Where(t => !rows.ContainsKey(t) && !IsGen3Metadata(t)).Order(StringComparer.Ordinal).ToList();
        return new DownloadPlan(files, missing, extra, findings, metadata);
    }

    /// <summary>Returns whether a dataset-relative path is a top-level metadata file that the Gen3 records make (dataset_description, subjects, samples, manifest).</summary>
    public static bool IsGen3Metadata(string path) =>
        !path.Contains('/', StringComparison.Ordinal) && SdsFileKinds.TryFromStem(Path.GetFileNameWithoutExtension(path), out var kind)
        && kind is SdsFileKind.DatasetDescription or SdsFileKind.Subjects or SdsFileKind.Samples or SdsFileKind.Manifest;

    /// <summary>The SOP Instance UID in a file name of the PACS layout (<c>&lt;number&gt;-&lt;uid&gt;.dcm</c>).</summary>
    private static string? SopOf(string relativePath)
    {
        var name = relativePath[(relativePath.LastIndexOf('/') + 1)..];
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && name.EndsWith(".dcm", StringComparison.Ordinal) ? name[(dash + 1)..^4] : null;
    }

    private static async Task<List<StoredFile>> ListAsync(IDataStore store, string id, int attempts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await store.ListAsync(id, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DtpException ex) when (ex.IsTransient && attempt < attempts)
            {
                // A connection that broke off while listing: ask again.
            }
        }
    }
}
