namespace Dtp.Sds;

/// <summary>A data file (or any file that is not SDS metadata) of a dataset.</summary>
/// <param name="Path">The path relative to the dataset root, with forward slashes.</param>
/// <param name="Length">The size in bytes.</param>
/// <param name="LastWriteTime">When the file was last written.</param>
public sealed record SdsDataFile(string Path, long Length, DateTimeOffset LastWriteTime);

/// <summary>An SDS dataset folder as read: its version, metadata files, folders and data files.</summary>
public sealed class SdsDataset
{
    internal SdsDataset(string root, SdsVersion version, bool versionDetected, IReadOnlyDictionary<SdsFileKind, SdsMetadataFile> metadata,
        IReadOnlyList<SdsTableFile> manifests, IReadOnlyList<string> folders, IReadOnlyList<SdsDataFile> files, IReadOnlyList<SdsFinding> findings)
    {
        Root = root;
        Version = version;
        VersionDetected = versionDetected;
        Metadata = metadata;
        Manifests = manifests;
        Folders = folders;
        Files = files;
        Findings = findings;
    }

    /// <summary>Gets the full path of the dataset root.</summary>
    public string Root { get; }

    /// <summary>Gets the SDS version: detected from dataset_description, or the one the caller asked for.</summary>
    public SdsVersion Version { get; }

    /// <summary>Gets whether <see cref="Version"/> was read from dataset_description (rather than given or defaulted).</summary>
    public bool VersionDetected { get; }

    /// <summary>Gets the top-level metadata files that were read (manifests excepted).</summary>
    public IReadOnlyDictionary<SdsFileKind, SdsMetadataFile> Metadata { get; }

    /// <summary>Gets the manifests found in any folder.</summary>
    public IReadOnlyList<SdsTableFile> Manifests { get; }

    /// <summary>Gets every folder, relative to the root with forward slashes, parents before children.</summary>
    public IReadOnlyList<string> Folders { get; }

    /// <summary>Gets every file that is not SDS metadata (data files, README, CHANGES, ...).</summary>
    public IReadOnlyList<SdsDataFile> Files { get; }

    /// <summary>Gets what went wrong while reading (unreadable files, ambiguous names, layout problems).</summary>
    public IReadOnlyList<SdsFinding> Findings { get; }

    /// <summary>Gets dataset_description, when present and readable.</summary>
    public SdsElementFile? DatasetDescription => Metadata.GetValueOrDefault(SdsFileKind.DatasetDescription) as SdsElementFile;

    /// <summary>Gets submission, when present and readable.</summary>
    public SdsElementFile? Submission => Metadata.GetValueOrDefault(SdsFileKind.Submission) as SdsElementFile;

    /// <summary>Gets subjects, when present and readable.</summary>
    public SdsTableFile? Subjects => Metadata.GetValueOrDefault(SdsFileKind.Subjects) as SdsTableFile;

    /// <summary>Gets samples, when present and readable.</summary>
    public SdsTableFile? Samples => Metadata.GetValueOrDefault(SdsFileKind.Samples) as SdsTableFile;

    /// <summary>Gets the dataset type from dataset_description (<c>experimental</c>, <c>computational</c>, <c>device</c>), lowercase, or <see langword="null"/>.</summary>
    public string? DatasetType => DatasetDescription?.Element("type")?.First?.Text.Trim().ToLowerInvariant();
}
