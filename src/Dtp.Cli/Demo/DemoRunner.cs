using System.Diagnostics;
using System.Text.Json.Nodes;
using Dtp.Commons;
using Dtp.Download;
using Dtp.Gen3;
using Dtp.Sds;
using Dtp.Storage;
using Dtp.Upload;
using Microsoft.Extensions.Logging;

namespace Dtp.Cli.Demo;

/// <summary>What <c>dtp demo</c> did, for its report.</summary>
internal sealed record DemoReport(string Folder, string CommonsUrl, UploadSummary Upload, DownloadSummary Download, int ValidationErrors, int ValidationWarnings, TimeSpan Elapsed);

/// <summary>
/// <c>dtp demo</c>: the whole platform on one machine, with no server, account or configuration. Starts the embedded commons
/// on a free loopback port, creates a program, a project and a user, builds the example dataset, uploads it to a local store,
/// downloads it back with the <see cref="Downloader"/> and validates the result.
/// </summary>
internal static class DemoRunner
{
    public const string Program = "demo";
    public const string Project = "imaging";
    public const string User = "demo-user";

    /// <summary>The file that marks a folder as the demo's own, so that a later run may replace it.</summary>
    private const string Marker = ".dtp-demo";

    public static async Task<DemoReport> RunAsync(string folder, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var root = Path.GetFullPath(folder);
        Prepare(root);
        var source = Directory.CreateTempSubdirectory("dtp-demo-source-").FullName;
        try
        {
            var server = await CommonsServer.StartAsync(new CommonsOptions { DataDirectory = Path.Combine(root, "commons"), Port = 0 }, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                var authOptions = new Gen3AuthOptions { UseTokenCache = false, GetEnvironmentVariable = _ => null, LoggerFactory = loggerFactory };
                using (var admin = new Auth(refreshFile: server.CredentialsPath, options: authOptions))
                {
                    await CreateProjectAsync(admin, cancellationToken).ConfigureAwait(false);
                }

                var credentials = await CommonsUsers.AddAsync(server.DataDirectory, User, [], [$"{Program}/{Project}"], admin: false, cancellationToken: cancellationToken).ConfigureAwait(false);
                using var auth = new Auth(refreshFile: credentials, options: authOptions);
                var storeConfig = Path.Combine(root, "local.json");
                await File.WriteAllTextAsync(storeConfig, new JsonObject { ["local_root"] = "store" }.ToJsonString(), cancellationToken).ConfigureAwait(false);
                await using var store = DataStores.Open("local", storeConfig, loggerFactory: loggerFactory);

                var dataset = Path.Combine(source, "example");
                await ExampleDataset.CreateAsync(dataset, cancellationToken).ConfigureAwait(false);
                UploadSummary upload;
                await using (var uploader = new Uploader(auth, store, new UploaderOptions { LoggerFactory = loggerFactory }))
                {
                    upload = await uploader.UploadDatasetAsync(dataset, Program, Project, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                DownloadSummary download;
                await using (var downloader = new Downloader(store.Store, "local", auth, loggerFactory))
                {
                    download = await downloader.DownloadDatasetAsync(upload.DatasetId, root, new DownloadOptions { Program = Program, Project = Project }, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                var findings = SdsValidator.Validate(await SdsDatasetReader.ReadAsync(download.Folder, cancellationToken: cancellationToken).ConfigureAwait(false));
                return new DemoReport(root, server.BaseUrl, upload, download,
                    findings.Count(f => f.Severity == SdsSeverity.Error), findings.Count(f => f.Severity == SdsSeverity.Warning), watch.Elapsed);
            }
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }

    /// <summary>Replaces the demo's earlier folder; refuses a folder the demo did not make.</summary>
    private static void Prepare(string root)
    {
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            if (!File.Exists(Path.Combine(root, Marker)))
            {
                throw new DtpException($"{root} exists and was not made by dtp demo; move it away or choose another folder (--dir).", DtpErrorKind.Local);
            }

            Directory.Delete(root, recursive: true);
        }

        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, Marker), "made by dtp demo; the next run replaces this folder\n");
    }

    private static async Task CreateProjectAsync(Auth admin, CancellationToken cancellationToken)
    {
        var program = new JsonObject { ["type"] = "program", ["name"] = Program, ["dbgap_accession_number"] = Program };
        var project = new JsonObject { ["type"] = "project", ["code"] = Project, ["dbgap_accession_number"] = $"{Program}-{Project}", ["name"] = "dtp demo imaging project" };
        foreach (var (path, method, body) in new[] { ("api/v0/submission/", "POST", program), ($"api/v0/submission/{Program}", "PUT", project) })
        {
            using var response = await admin.CurlAsync(path, method, body.ToJsonString(), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new DtpException($"The embedded commons refused to create {body["type"]} {Program}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
            }
        }
    }
}
