using System.Diagnostics;

namespace Dtp.Testing.Orthanc;

/// <summary>Runs dcmtk command-line tools (Debian package <c>dcmtk</c>) as independent DICOM implementations.</summary>
public static class Dcmtk
{
    /// <summary>The Debian package that installs the tools.</summary>
    public const string Package = "dcmtk";

    /// <summary>Runs <c>/usr/bin/&lt;tool&gt;</c> and returns its exit code, standard output and standard error.</summary>
    /// <exception cref="TestServerUnavailableException">The tool is not installed.</exception>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var path = Path.Combine("/usr/bin", tool);
        TestServerUnavailableException.ThrowIfMissing(path, Package);
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{path} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
