using System.Diagnostics;
using Dtp.Testing.Orthanc;

namespace Dtp.Benchmarks;

/// <summary>The command-line tools benchmarks compare with or prepare data by.</summary>
internal static class ExternalTool
{
    /// <summary>Runs a tool (its output goes to this console) and throws when it exits with an error.</summary>
    public static async Task RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} exited {process.ExitCode}");
        }
    }

    /// <summary>curl's arguments that fetch WADO-RS resources of an Orthanc as its user, each response into its own file.</summary>
    public static IEnumerable<string> CurlWadoArguments(OrthancServer server, IEnumerable<(string Resource, string Output)> fetches)
    {
        string[] common = ["-sS", "--no-progress-meter", "--fail", "-u", $"{server.UserName}:{server.Password}", "-H", "Accept: multipart/related; type=\"application/dicom\"; transfer-syntax=*"];
        return common.Concat(fetches.SelectMany(f => new[] { "-o", f.Output, new Uri(server.DicomWebRoot, f.Resource).ToString() }));
    }
}
