namespace Dtp.Testing;

/// <summary>Finds the public reference pack (<c>../shared/reference/</c> beside the project's root).</summary>
public static class ReferenceData
{
    /// <summary>Gets the project's root folder (the one holding <c>Dtp.slnx</c>).</summary>
    public static string ProjectRoot { get; } = FindProjectRoot();

    /// <summary>Gets the reference folder, or <see langword="null"/> when it is absent (a user who cloned the project alone).</summary>
    public static string? Folder { get; } = Find();

    /// <summary>Returns the full path of a file or folder inside the reference pack.</summary>
    /// <exception cref="TestServerUnavailableException">The reference pack is absent.</exception>
    public static string PathOf(string relativePath) =>
        Folder is null
            ? throw new TestServerUnavailableException($"The reference pack ../shared/reference/ is absent (looked beside {ProjectRoot}); it holds {relativePath}.")
            : Path.Combine(Folder, relativePath);

    private static string? Find()
    {
        var candidate = Path.GetFullPath(Path.Combine(ProjectRoot, "..", "shared", "reference"));
        return Directory.Exists(candidate) ? candidate : null;
    }

    private static string FindProjectRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dtp.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Dtp.slnx above {AppContext.BaseDirectory}.");
    }
}
