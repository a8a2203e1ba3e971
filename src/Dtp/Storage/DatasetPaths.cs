namespace Dtp.Storage;

/// <summary>Checks dataset ids and relative file paths so that no store can be led outside a dataset's folder.</summary>
public static class DatasetPaths
{
    /// <summary>Throws unless <paramref name="datasetId"/> is usable as one folder name.</summary>
    /// <param name="datasetId">The dataset's id.</param>
    /// <exception cref="ArgumentException">The id is empty, <c>.</c> or <c>..</c>, or holds a path separator or a control character.</exception>
    public static void ThrowIfInvalidDatasetId(string datasetId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetId);
        if (datasetId is "." or ".." || datasetId.Any(c => c is '/' or '\\' || char.IsControl(c)))
        {
            throw new ArgumentException($"\"{datasetId}\" is not a valid dataset id: it must be one folder name.", nameof(datasetId));
        }
    }

    /// <summary>Splits a relative path into its segments, refusing any that would leave the dataset's folder.</summary>
    /// <param name="relativePath">A path with <c>/</c> (or <c>\</c>) separators.</param>
    /// <returns>The non-empty segments.</returns>
    /// <exception cref="DtpException">The path is absolute, empty, or has a <c>..</c>, <c>.</c> or control-character segment.</exception>
    public static string[] Split(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        if (relativePath.StartsWith('/') || relativePath.StartsWith('\\') || Path.IsPathRooted(relativePath))
        {
            throw new DtpException($"The path \"{relativePath}\" is absolute; expected a path inside the dataset.", DtpErrorKind.Local);
        }

        var segments = relativePath.Split('/', '\\');
        if (segments.Length == 0 || segments.Any(s => s.Length == 0 || s is "." or ".." || s.Any(char.IsControl)))
        {
            throw new DtpException($"The path \"{relativePath}\" would leave the dataset's folder or has an empty segment.", DtpErrorKind.Local);
        }

        return segments;
    }

    /// <summary>Joins a root folder and a relative path, refusing any path that would leave the root.</summary>
    /// <param name="root">The dataset's folder on disk.</param>
    /// <param name="relativePath">A path inside it.</param>
    /// <returns>The full path on disk.</returns>
    /// <exception cref="DtpException">The path would leave <paramref name="root"/>.</exception>
    public static string Combine(string root, string relativePath) =>
        Path.Combine([Path.GetFullPath(root), .. Split(relativePath)]);
}
