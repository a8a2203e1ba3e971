namespace Dtp.Download;

/// <summary>What happened to one file of a download.</summary>
public enum DownloadFileStatus
{
    /// <summary>Fetched from the store and verified.</summary>
    Transferred,

    /// <summary>Already on disk from an earlier run, and verified again.</summary>
    Skipped,

    /// <summary>Not delivered; <see cref="DownloadedFile.Reason"/> says why.</summary>
    Failed,
}

/// <summary>One file of a download.</summary>
/// <param name="Path">The path relative to the dataset's folder, with <c>/</c> separators.</param>
/// <param name="Size">The size in bytes on disk (expected size when it failed, or 0 when unknown).</param>
/// <param name="Sha256">The SHA-256 of the bytes written, lower-case hexadecimal; null when it failed.</param>
/// <param name="Status">Transferred, skipped or failed.</param>
/// <param name="VerifiedWith">What the file was checked against, e.g. <c>size, sha256 (manifest)</c>.</param>
/// <param name="Reason">Why it failed; null otherwise.</param>
public sealed record DownloadedFile(string Path, long Size, string? Sha256, DownloadFileStatus Status, string VerifiedWith, string? Reason = null);

/// <summary>The outcome of <see cref="Downloader.DownloadDatasetAsync"/>.</summary>
/// <param name="DatasetId">The dataset id (the Gen3 experiment's <c>submitter_id</c>).</param>
/// <param name="ProjectId">The Gen3 project the dataset was found in (<c>program-project</c>).</param>
/// <param name="Folder">The dataset's folder: <c>&lt;dest&gt;/&lt;id&gt;</c> when complete, <c>&lt;dest&gt;/&lt;id&gt;.partial</c> otherwise.</param>
/// <param name="Files">Every data file, with what happened to it.</param>
/// <param name="ExtraFiles">Files the store holds that the Gen3 manifest does not list (downloaded all the same).</param>
/// <param name="MetadataFiles">The SDS metadata files written from Gen3's records.</param>
/// <param name="MetadataDifferences">Where the store's own metadata files differed from Gen3's (Gen3's version was kept).</param>
/// <param name="Findings">Warnings about the dataset (e.g. records the reverse mapping could not place).</param>
public sealed record DownloadSummary(
    string DatasetId,
    string ProjectId,
    string Folder,
    IReadOnlyList<DownloadedFile> Files,
    IReadOnlyList<string> ExtraFiles,
    IReadOnlyList<string> MetadataFiles,
    IReadOnlyList<string> MetadataDifferences,
    IReadOnlyList<string> Findings)
{
    /// <summary>Gets whether every file arrived and was verified; only then is the folder named <c>&lt;dest&gt;/&lt;id&gt;</c>.</summary>
    public bool Complete => Failed == 0;

    /// <summary>Gets how many files were fetched.</summary>
    public int Transferred => Files.Count(f => f.Status == DownloadFileStatus.Transferred);

    /// <summary>Gets how many files were already complete.</summary>
    public int Skipped => Files.Count(f => f.Status == DownloadFileStatus.Skipped);

    /// <summary>Gets how many files were verified (transferred or skipped).</summary>
    public int Verified => Transferred + Skipped;

    /// <summary>Gets how many files failed.</summary>
    public int Failed => Files.Count(f => f.Status == DownloadFileStatus.Failed);

    /// <summary>Gets the bytes of the files fetched in this run.</summary>
    public long BytesTransferred => Files.Where(f => f.Status == DownloadFileStatus.Transferred).Sum(f => f.Size);

    /// <summary>Gets the bytes of every verified file.</summary>
    public long Bytes => Files.Where(f => f.Status != DownloadFileStatus.Failed).Sum(f => f.Size);
}
