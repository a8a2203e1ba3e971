namespace Dtp.Config;

/// <summary>
/// The configuration of a local folder store: <c>{"local_root": "&lt;folder&gt;"}</c>, a folder laid out like an iRODS project
/// collection, one sub-folder per dataset. A relative <c>local_root</c> is resolved against the file's folder.
/// </summary>
/// <param name="Path">The configuration file's full path.</param>
/// <param name="Root"><c>local_root</c>: the folder's full path.</param>
/// <param name="Warnings">Unknown keys that were ignored.</param>
public sealed record LocalStoreConfig(string Path, string Root, IReadOnlyList<string> Warnings)
{
    /// <summary>Reads a local store configuration file.</summary>
    /// <param name="path">The file's path.</param>
    /// <exception cref="ConfigException">The file is missing, not JSON, or <c>local_root</c> is missing or not text.</exception>
    public static LocalStoreConfig Load(string path)
    {
        var doc = ConfigDocument.Load(path, "a local store configuration with local_root");
        doc.GetChoice("storage", required: false, "local");
        var root = doc.GetPath("local_root", required: true)!;
        return new LocalStoreConfig(doc.Path, root, doc.Warnings());
    }
}
