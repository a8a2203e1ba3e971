namespace Dtp.Sds;

/// <summary>
/// The official SDS templates of every known version, shipped in the assembly (copies of the data of SciCrunch/sparc-curation's
/// <c>resources/DatasetTemplate</c>, MIT licence, Copyright (c) 2019 Tom Gillespie).
/// </summary>
internal static class SdsTemplates
{
    private const string Prefix = "Dtp.Sds.Templates.";

    private static readonly string[] TextFileNames = ["README", "README.md", "CHANGES", ".dss"];

    public static Stream? Open(SdsVersion version, string fileName) =>
        typeof(SdsTemplates).Assembly.GetManifestResourceStream($"{Prefix}{version.Template}/{fileName}");

    /// <summary>Reads the template sheet of a metadata file: its header, description/example columns and section rows.</summary>
    /// <exception cref="ArgumentException">The version has no template of that kind.</exception>
    public static RawSheet ReadSheet(SdsVersion version, SdsFileKind kind)
    {
        if (!kind.InTemplate(version.Template))
        {
            throw new ArgumentException($"SDS {version.Template} has no {kind.Stem()} file.", nameof(kind));
        }

        using var stream = Open(version, kind.Stem() + ".xlsx")
            ?? throw new InvalidOperationException($"The template {version.Template}/{kind.Stem()}.xlsx is missing from the assembly.");
        return XlsxSheetReader.Read(stream, kind.Stem() + ".xlsx", SdsReadLimits.Default);
    }

    /// <summary>Returns the names of the plain-text files at the top of a version's template (README, CHANGES, .dss).</summary>
    public static IEnumerable<string> TextFiles(SdsVersion version) =>
        TextFileNames.Where(name => typeof(SdsTemplates).Assembly.GetManifestResourceInfo($"{Prefix}{version.Template}/{name}") is not null);
}
