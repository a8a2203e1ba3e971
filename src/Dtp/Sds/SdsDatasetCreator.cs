using Dtp.IO;

namespace Dtp.Sds;

/// <summary>Creates an empty SDS dataset from the template of a version: metadata files, top-level folders, README and CHANGES.</summary>
public static class SdsDatasetCreator
{
    // Values the templates put in the value column that are defaults rather than examples.
    private static readonly string[] TemplateDefaults = ["type", "data_standard", "data_standard_version"];

    /// <summary>Writes an empty dataset into <paramref name="root"/>.</summary>
    /// <param name="root">The dataset folder; created when missing.</param>
    /// <param name="version">The SDS version (one of <see cref="SdsVersion.Known"/>, or a later patch of one).</param>
    /// <param name="overwrite">Whether files of a non-empty folder may be replaced.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The paths written, relative to <paramref name="root"/>.</returns>
    /// <exception cref="DtpException">The folder is not empty and <paramref name="overwrite"/> is false, or a file cannot be written.</exception>
    public static async Task<IReadOnlyList<string>> CreateAsync(string root, SdsVersion version, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var fullRoot = Path.GetFullPath(root);
        AtomicFile.ThrowIfExists(fullRoot, overwrite);
        var written = new List<string>();
        foreach (var kind in SdsFileKinds.All.Where(k => k.InTemplate(version.Template) && (k != SdsFileKind.Manifest || version.AtLeast(SdsVersion.V200))))
        {
            var name = kind.Stem() + ".xlsx";
            var path = Path.Combine(fullRoot, name);
            if (kind.IsElementFile())
            {
                var defaults = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                var template = SdsMetadataReader.ParseElements(SdsTemplates.ReadSheet(version, kind), kind);
                foreach (var element in template.Elements.Where(e => TemplateDefaults.Contains(e.Key, StringComparer.Ordinal) && e.Values.Count > 0))
                {
                    defaults[element.Key] = [.. element.Values.Select(v => v.Text)];
                }

                await SdsMetadataWriter.WriteElementsAsync(path, kind, version, defaults, overwrite, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await SdsMetadataWriter.WriteTableAsync(path, kind, version, [], overwrite, cancellationToken).ConfigureAwait(false);
            }

            written.Add(name);
        }

        foreach (var name in SdsTemplates.TextFiles(version))
        {
            var stream = SdsTemplates.Open(version, name)!;
            await using (stream.ConfigureAwait(false))
            {
                await AtomicFile.WriteAsync(Path.Combine(fullRoot, name), (target, ct) => stream.CopyToAsync(target, ct), overwrite, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            written.Add(name);
        }

        string[] folders = ["primary", "source", "derivative", "code", "docs", "protocol"];
        if (version.AtLeast(SdsVersion.V300))
        {
            folders = [.. folders, version.AtLeast(SdsVersion.V302) ? "auxiliary" : "aux"];
        }

        foreach (var folder in folders)
        {
            Directory.CreateDirectory(Path.Combine(fullRoot, folder));
            written.Add(folder + "/");
        }

        return written;
    }
}
