namespace Dtp.Config;

/// <summary>The original tool's <c>pacs.json</c>: a PACS reached over DICOM networking.</summary>
/// <param name="Path">The configuration file's full path.</param>
/// <param name="Host"><c>pacs_ip</c>: the PACS's host name or IP address.</param>
/// <param name="Port"><c>pacs_port</c>: the PACS's DICOM port.</param>
/// <param name="CalledAeTitle"><c>pacs_aec</c>: the PACS's application entity title.</param>
/// <param name="CallingAeTitle"><c>pacs_aet</c>: our own application entity title.</param>
/// <param name="Warnings">Unknown keys that were ignored.</param>
public sealed record PacsConfig(string Path, string Host, int Port, string CalledAeTitle, string CallingAeTitle, IReadOnlyList<string> Warnings)
{
    /// <summary>Reads a <c>pacs.json</c> file.</summary>
    /// <param name="path">The file's path.</param>
    /// <exception cref="ConfigException">The file is missing, not JSON, or a key is missing or of the wrong type.</exception>
    public static PacsConfig Load(string path)
    {
        var doc = ConfigDocument.Load(path, "a PACS configuration with pacs_ip, pacs_port, pacs_aec and pacs_aet");
        doc.GetChoice("storage", required: false, "pacs", "irods");
        var host = doc.GetString("pacs_ip", required: true)!;
        var port = doc.GetInt("pacs_port", required: true, 1, 65535)!.Value;
        var aec = AeTitle(doc, "pacs_aec");
        var aet = AeTitle(doc, "pacs_aet");
        return new PacsConfig(doc.Path, host, port, aec, aet, doc.UnknownKeyWarnings());
    }

    private static string AeTitle(ConfigDocument doc, string key)
    {
        var title = doc.GetString(key, required: true)!;
        return title.Length <= 16 && title.All(c => c is >= ' ' and <= '~' and not '\\')
            ? title
            : throw new ConfigException(doc.Path, key, $"is \"{title}\"; expected an AE title of 1 to 16 printable ASCII characters without a backslash.");
    }
}
