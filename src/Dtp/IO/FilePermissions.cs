namespace Dtp.IO;

/// <summary>Checks that files holding secrets (API keys, passwords) are private to their owner.</summary>
internal static class FilePermissions
{
    private const UnixFileMode OpenToOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    /// <summary>Returns a warning when <paramref name="path"/> can be read or written by its group or by other users; <see langword="null"/> otherwise (and on Windows).</summary>
    /// <param name="path">A file that holds a secret.</param>
    /// <param name="what">What the secret is, e.g. <c>a Gen3 API key</c>.</param>
    public static string? ExposedSecretWarning(string path, string what)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return (mode & OpenToOthers) == 0
            ? null
            : $"{path} holds {what} and other users can open it (mode {Convert.ToString((int)mode & 0x1FF, 8)}); restrict it with chmod 600.";
    }
}
