using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Dtp.Testing.Orthanc;

/// <summary>How a test Orthanc is configured.</summary>
public sealed class OrthancServerOptions
{
    /// <summary>Gets or sets whether the DICOM (DIMSE) server runs; Orthanc binds it on all interfaces, so only tests of DICOM networking enable it. The default value is false.</summary>
    public bool EnableDicom { get; set; }

    /// <summary>Gets or sets Orthanc's own AE title. The default value is <c>DTPTEST</c>.</summary>
    public string DicomAet { get; set; } = "DTPTEST";

    /// <summary>Gets or sets the DICOM peers Orthanc knows (name → AE title, host, port), e.g. C-MOVE destinations. The default value is none.</summary>
    public IDictionary<string, (string AeTitle, string Host, int Port)> DicomModalities { get; } = new Dictionary<string, (string, string, int)>();
}

/// <summary>
/// A private Orthanc (Debian <c>orthanc</c> + <c>orthanc-dicomweb</c>) run as a child process for tests and benchmarks:
/// its own configuration and storage in a temporary folder, HTTP on a free loopback port with a generated user and password,
/// the DICOMweb plugin loaded, the DICOM port only when asked for. Disposing it kills the process it started and deletes the folder.
/// </summary>
public sealed class OrthancServer : IAsyncDisposable
{
    /// <summary>The Orthanc executable.</summary>
    public const string Executable = "/usr/sbin/Orthanc";

    private const int Attempts = 5;
    private readonly Process process;

    private OrthancServer(Process process, string folder, int httpPort, int? dicomPort, string aeTitle, string password)
    {
        this.process = process;
        Folder = folder;
        HttpPort = httpPort;
        DicomPort = dicomPort;
        AeTitle = aeTitle;
        Password = password;
        BaseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{httpPort}/"));
    }

    /// <summary>Gets Orthanc's REST root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets the DICOMweb root, <c>&lt;BaseAddress&gt;dicom-web/</c>.</summary>
    public Uri DicomWebRoot => new(BaseAddress, "dicom-web/");

    /// <summary>Gets the HTTP user name.</summary>
    public string UserName { get; } = "dtp";

    /// <summary>Gets the generated HTTP password.</summary>
    public string Password { get; }

    /// <summary>Gets the HTTP port.</summary>
    public int HttpPort { get; }

    /// <summary>Gets the DICOM port, or <see langword="null"/> when the DICOM server is disabled.</summary>
    public int? DicomPort { get; }

    /// <summary>Gets Orthanc's AE title.</summary>
    public string AeTitle { get; }

    /// <summary>Gets the temporary folder with the configuration, the storage and the log.</summary>
    public string Folder { get; }

    /// <summary>Gets the log file's path.</summary>
    public string LogPath => Path.Combine(Folder, "orthanc.log");

    /// <summary>Gets or sets a path the log is copied to when the server is disposed (to keep it for failed tests), or <see langword="null"/>.</summary>
    public string? KeepLogAt { get; set; }

    /// <summary>Starts Orthanc and waits until <c>GET /system</c> answers; retries on new ports when a port is taken.</summary>
    /// <exception cref="TestServerUnavailableException">Orthanc or its DICOMweb plugin is not installed, or it would not start.</exception>
    public static async Task<OrthancServer> StartAsync(OrthancServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new OrthancServerOptions();
        TestServerUnavailableException.ThrowIfMissing(Executable, "orthanc");
        var plugin = await FindDicomWebPluginAsync(cancellationToken);
        string? lastLog = null;
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var folder = Directory.CreateTempSubdirectory("dtp-orthanc-").FullName;
            var httpPort = FreePort.Next();
            int? dicomPort = options.EnableDicom ? FreePort.Next() : null;
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
            var configPath = Path.Combine(folder, "orthanc.json");
            await File.WriteAllTextAsync(configPath, Config(options, folder, httpPort, dicomPort, password, plugin), cancellationToken);
            var start = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add($"--logfile={Path.Combine(folder, "orthanc.log")}");
            start.ArgumentList.Add(configPath);
            var process = Process.Start(start) ?? throw new TestServerUnavailableException($"{Executable} did not start.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new OrthancServer(process, folder, httpPort, dicomPort, options.DicomAet, password);
            if (await server.WaitUntilReadyAsync(cancellationToken))
            {
                return server;
            }

            lastLog = server.ReadLog();
            await server.DisposeAsync();
            if (!lastLog.Contains("already in use", StringComparison.Ordinal))
            {
                break;
            }
        }

        throw new TestServerUnavailableException($"Orthanc (package 'orthanc') did not start; its log:\n{lastLog}");
    }

    /// <summary>Creates an HTTP client for the REST root with the server's credentials.</summary>
    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{UserName}:{Password}")));
        return client;
    }

    /// <summary>Returns the log so far (for messages of failed tests).</summary>
    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException ex)
        {
            return $"(no log: {ex.Message})";
        }
    }

    /// <summary>Kills the process this object started, waits for it, keeps the log if asked and deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
        }
        finally
        {
            process.Dispose();
            if (KeepLogAt is { } keep && File.Exists(LogPath))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keep))!);
                File.Copy(LogPath, keep, overwrite: true);
            }

            Directory.Delete(Folder, recursive: true);
        }
    }

    private async Task<bool> WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                return false;
            }

            try
            {
                using var response = await client.GetAsync(new Uri("system", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(20, cancellationToken);
        }

        return false;
    }

    private static async Task<string> FindDicomWebPluginAsync(CancellationToken cancellationToken)
    {
        const string package = "orthanc-dicomweb";
        var start = new ProcessStartInfo("dpkg") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(package);
        string listing;
        try
        {
            using var dpkg = Process.Start(start)!;
            listing = await dpkg.StandardOutput.ReadToEndAsync(cancellationToken);
            await dpkg.WaitForExitAsync(cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new TestServerUnavailableException($"dpkg is missing, so the Debian package '{package}' cannot be found (apt-get install {package}).", ex);
        }

        var files = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return files.FirstOrDefault(f => f.StartsWith("/usr/share/orthanc/plugins/", StringComparison.Ordinal) && f.EndsWith(".so", StringComparison.Ordinal) && File.Exists(f))
            ?? files.FirstOrDefault(f => f.Contains(".so", StringComparison.Ordinal) && File.Exists(f))
            ?? throw new TestServerUnavailableException($"The DICOMweb plugin is missing: install the Debian package '{package}' (apt-get install {package}).");
    }

    private static string Config(OrthancServerOptions options, string folder, int httpPort, int? dicomPort, string password, string plugin)
    {
        var storage = Path.Combine(folder, "db");
        var modalities = new JsonObject();
        foreach (var (name, (aeTitle, host, port)) in options.DicomModalities)
        {
            modalities[name] = new JsonArray(aeTitle, host, port);
        }

        var config = new JsonObject
        {
            ["Name"] = "dtp-test",
            ["StorageDirectory"] = storage,
            ["IndexDirectory"] = storage,
            ["HttpServerEnabled"] = true,
            [nameof(HttpPort)] = httpPort,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = true,
            ["RegisteredUsers"] = new JsonObject { ["dtp"] = password },
            ["DicomServerEnabled"] = dicomPort is not null,
            ["DicomAet"] = options.DicomAet,
            [nameof(DicomPort)] = dicomPort ?? 4242,
            ["DicomCheckCalledAet"] = false,
            ["DicomModalities"] = modalities,
            ["Plugins"] = new JsonArray(plugin),
            ["DicomWeb"] = new JsonObject
            {
                ["Enable"] = true, ["Root"] = "/dicom-web/", ["EnableWado"] = true, ["WadoRoot"] = "/wado",
                ["Host"] = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{httpPort}"), ["Ssl"] = false,
            },
            ["SaveJobs"] = false,
            ["StableAge"] = 1,
            ["HttpThreadsCount"] = 8,
            ["ConcurrentJobs"] = 2,
            ["OrthancExplorerEnabled"] = false,
        };
        return config.ToJsonString();
    }
}
