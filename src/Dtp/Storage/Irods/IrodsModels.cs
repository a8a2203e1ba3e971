using System.Globalization;

namespace Dtp.Storage.Irods;

/// <summary>What a path names in iRODS.</summary>
public enum IrodsObjectKind
{
    /// <summary>A data object (a file).</summary>
    DataObject = 1,

    /// <summary>A collection (a folder).</summary>
    Collection = 2,
}

/// <summary>A data object or collection as <c>OBJ_STAT</c> describes it.</summary>
/// <param name="Path">The absolute logical path.</param>
/// <param name="Kind">Data object or collection.</param>
/// <param name="Size">The size in bytes (0 for a collection).</param>
/// <param name="Checksum">The checksum iRODS holds (<c>sha2:…</c> or MD5 hex), or <see langword="null"/> when none was computed.</param>
/// <param name="ModifyTime">The last modification time.</param>
/// <param name="Owner">The owner's user name.</param>
public sealed record IrodsObjectInfo(string Path, IrodsObjectKind Kind, long Size, string? Checksum, DateTimeOffset? ModifyTime, string Owner);

/// <summary>A data object found by listing a collection.</summary>
/// <param name="Path">The absolute logical path.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Checksum">The checksum iRODS holds (<c>sha2:…</c> or MD5 hex), or <see langword="null"/> when none was computed.</param>
/// <param name="ModifyTime">The last modification time.</param>
public sealed record IrodsDataObject(string Path, long Size, string? Checksum, DateTimeOffset? ModifyTime)
{
    /// <summary>Gets the object's name (the last path segment).</summary>
    public string Name => IrodsPath.NameOf(Path);
}

/// <summary>What a transfer of several files did.</summary>
/// <param name="Files">How many files were transferred or found complete.</param>
/// <param name="Bytes">How many bytes went over the network.</param>
/// <param name="Skipped">How many files were already complete and verified, so were not transferred again.</param>
/// <param name="Verified">How many files were checked against a checksum (the rest by size only).</param>
public sealed record IrodsTransferSummary(int Files, long Bytes, int Skipped, int Verified);

/// <summary>Logical iRODS paths (always <c>/</c>-separated and absolute) and iRODS checksums.</summary>
public static class IrodsPath
{
    /// <summary>Joins a collection path and a relative path.</summary>
    /// <param name="collection">An absolute collection path.</param>
    /// <param name="relative">A <c>/</c>-separated relative path.</param>
    /// <returns>The joined path.</returns>
    public static string Combine(string collection, string relative) =>
        $"{collection.TrimEnd('/')}/{relative.TrimStart('/')}";

    /// <summary>Returns the last segment of a path.</summary>
    /// <param name="path">An absolute path.</param>
    /// <returns>The segment after the last <c>/</c>.</returns>
    public static string NameOf(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed[(trimmed.LastIndexOf('/') + 1)..];
    }

    /// <summary>Returns the parent collection of a path.</summary>
    /// <param name="path">An absolute path.</param>
    /// <returns>The path before the last <c>/</c> (<c>/</c> for a top-level name).</returns>
    public static string ParentOf(string path)
    {
        var trimmed = path.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash <= 0 ? "/" : trimmed[..slash];
    }

    /// <summary>Throws unless <paramref name="path"/> is an absolute logical path.</summary>
    /// <param name="path">The path to check.</param>
    /// <exception cref="ArgumentException">The path is empty, relative, or holds a control character.</exception>
    public static void ThrowIfInvalid(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!path.StartsWith('/') || path.Any(char.IsControl))
        {
            throw new ArgumentException($"\"{path}\" is not an absolute iRODS path such as /tempZone/home/rods.", nameof(path));
        }
    }

    /// <summary>Converts an iRODS checksum (<c>sha2:</c> + base64 SHA-256, or MD5 hex) to a <see cref="FileChecksum"/>.</summary>
    /// <param name="checksum">The checksum as iRODS stores it.</param>
    /// <returns>The checksum, or <see langword="null"/> when it is empty or of an unknown kind.</returns>
    public static FileChecksum? ToFileChecksum(string? checksum)
    {
        if (string.IsNullOrWhiteSpace(checksum))
        {
            return null;
        }

        if (checksum.StartsWith("sha2:", StringComparison.Ordinal))
        {
            try
            {
                var bytes = Convert.FromBase64String(checksum[5..]);
                return bytes.Length == 32 ? new FileChecksum("sha256", Convert.ToHexStringLower(bytes)) : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return checksum.Length == 32 && checksum.All(char.IsAsciiHexDigit) ? new FileChecksum("md5", checksum.ToLowerInvariant()) : null;
    }

    internal static DateTimeOffset? ParseTime(string? epochSeconds) =>
        long.TryParse(epochSeconds, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    internal static string Quote(string value) => $"'{value}'";
}
