namespace Dtp.Sds;

/// <summary>Limits that keep a hostile or broken metadata file from exhausting memory while it is read.</summary>
public sealed class SdsReadLimits
{
    /// <summary>Gets the limits used when none are given.</summary>
    public static SdsReadLimits Default { get; } = new();

    /// <summary>
    /// Gets or sets the largest uncompressed size of one part of an xlsx package (a worksheet, the shared-strings table);
    /// a larger part (a zip bomb, a huge shared-strings table) is refused before it is parsed. The default value is 64 MiB.
    /// </summary>
    public long MaxXlsxPartBytes { get; init; } = 64L * 1024 * 1024;
}
