namespace Dtp.Download;

/// <summary>How far a dataset download has come.</summary>
/// <param name="FilesDone">Files finished (transferred, skipped as already complete, or failed).</param>
/// <param name="FilesTotal">Files in the download.</param>
/// <param name="BytesDone">Bytes of finished and partly transferred files, counting files skipped as complete.</param>
/// <param name="BytesTotal">Bytes of every file, as far as sizes are known before the transfer.</param>
/// <param name="BytesPerSecond">The transfer rate since the download began, over bytes actually received.</param>
/// <param name="Remaining">The estimated time left at that rate; null while the rate is unknown.</param>
/// <param name="CurrentFile">The file last started or finished, relative to the dataset's folder.</param>
public sealed record DownloadProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal, double BytesPerSecond, TimeSpan? Remaining, string? CurrentFile);
