namespace Dtp.Storage;

/// <summary>How far a transfer of many files has come, as every store and the downloader report it.</summary>
/// <param name="FilesDone">Files finished so far (transferred, or skipped because already complete).</param>
/// <param name="FilesTotal">Files in the whole transfer.</param>
/// <param name="BytesDone">Bytes transferred so far.</param>
/// <param name="BytesTotal">Bytes in the whole transfer, when known.</param>
/// <param name="CurrentFile">The file last started or finished, relative to the dataset's root.</param>
public sealed record TransferProgress(int FilesDone, int FilesTotal, long BytesDone, long? BytesTotal, string? CurrentFile);
