namespace Dtp.Sds;

/// <summary>Limits that keep a hostile or broken metadata file from exhausting memory while it is read.</summary>
public sealed class SdsReadLimits
{
    /// <summary>Gets the limits used when none are given.</summary>
    public static SdsReadLimits Default { get; } = new();

    /// <summary>
    /// Gets or sets the largest uncompressed size of one part of an xlsx package (a worksheet, the shared-strings table);
    /// a larger part (a zip bomb, a huge shared-strings table) is refused. The default value is 128 MiB: a 100,000-row,
    /// 20-column manifest's worksheet is about 106 MB, and reading a part of this size stays under 300 MB of memory.
    /// </summary>
    public long MaxXlsxPartBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>
    /// Gets or sets the most memory, in bytes, an xlsx shared-strings table may take once read (2 bytes a character and about
    /// 40 bytes a string, 16 bytes an entry; repeated short values that share one string count once); a larger table is
    /// refused. The default value is 128 MiB, far above what a 100,000-row manifest needs, and keeps a hostile table of
    /// unique or empty strings (within <see cref="MaxXlsxPartBytes"/>) under 300 MB of memory.
    /// </summary>
    public long MaxSharedStringBytes { get; init; } = 128L * 1024 * 1024;
}
