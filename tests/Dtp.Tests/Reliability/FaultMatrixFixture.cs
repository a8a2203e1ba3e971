using System.Net;
using System.Net.Sockets;
using Dtp.Cli.Demo;
using Dtp.Config;
using Dtp.Dicom;
using Dtp.Gen3;
using Dtp.Storage;
using Dtp.Storage.Irods;
using Dtp.Storage.Pacs;
using Dtp.Testing;
using Dtp.Testing.Irods;
using Dtp.Testing.Orthanc;
using Dtp.Tests.Download;
using Dtp.Tests.Infrastructure;
using Dtp.Tests.Irods;
using Dtp.Tests.Pacs;

namespace Dtp.Tests.Reliability;

/// <summary>
/// The servers the fault matrix shares between its cases: one embedded commons (the SDS example dataset as
/// <see cref="DatasetId"/> in demo1/12L, projects <c>sub</c> and <c>up</c> for submissions and uploads), one Orthanc holding a
/// small study, and one iRODS test server holding the example's files and a dataset with a 1 MB file.
/// </summary>
public sealed class FaultMatrixFixture : IAsyncLifetime
{
    public const string DatasetId = "dataset-12L_1-version-1";
    public const string IrodsRoot = "/tempZone/home/rods";
    public const string IrodsDataset = "fault-matrix";
    public const string SubmitProject = "sub";
    public const string UploadProject = "up";

    private OrthancServer? orthanc;
    private IrodsTestServer? irods;
    private TestServerUnavailableException? unavailable;

    internal DownloadTestBed Bed { get; private set; } = null!;

    public OrthancServer Orthanc => Requirements.Run(() => orthanc ?? throw unavailable!);

    public IrodsTestServer Irods => Requirements.Run(() => irods ?? throw unavailable!);

    /// <summary>Gets the SDS example dataset's files as submitted and stored in iRODS.</summary>
    public string DownloadSource { get; private set; } = null!;

    /// <summary>Gets an SDS dataset folder for the uploader.</summary>
    public string UploadSource => Path.Combine(Bed.Root, "upload-source");

    public string PacsStudy { get; private set; } = null!;

    /// <summary>Gets the generated study's files by SOP Instance UID.</summary>
    public Dictionary<string, byte[]> PacsFiles { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the files of <see cref="IrodsDataset"/> by relative path.</summary>
    public Dictionary<string, byte[]> IrodsFiles { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the submitter ids of the cases of demo1/12L, as read without a proxy.</summary>
    public HashSet<string> Cases { get; private set; } = [];

    public string CredentialsPath => Bed.Commons.Server.CredentialsPath;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Bed = await DownloadTestBed.StartAsync();
        await Bed.Commons.CreateProjectAsync(DownloadTestBed.Program, SubmitProject, Ct);
        await Bed.Commons.CreateProjectAsync(DownloadTestBed.Program, UploadProject, Ct);
        DownloadSource = await Bed.SubmitExampleAsync(DatasetId);
        await ExampleDataset.CreateAsync(UploadSource, Ct);
        using (var auth = Bed.CreateAuth())
        {
            Cases = [.. (await new Querier(auth).GetNodeRecordsAsync("case", DownloadTestBed.Program, DownloadTestBed.Project, Ct)).Select(r => (string)r["submitter_id"]!)];
        }

        try
        {
            irods = IrodsTestServer.Start();
            await using (var client = new IrodsClient(IrodsTestKit.ClientOptions(irods)))
            {
                var store = new IrodsDataStore(client, IrodsRoot);
                await store.UploadDatasetAsync(DatasetId, DownloadSource, cancellationToken: Ct);
                IrodsFiles["small.txt"] = "a small file\n"u8.ToArray();
                IrodsFiles["nested/large.bin"] = new byte[1_000_000];
                new Random(1401).NextBytes(IrodsFiles["nested/large.bin"]);
                foreach (var (path, bytes) in IrodsFiles)
                {
                    await store.UploadAsync(IrodsDataset, path, new MemoryStream(bytes), Ct);
                }
            }

            orthanc = await OrthancServer.StartAsync(cancellationToken: Ct);
            var (study, folder) = await PacsTestData.WriteStudyAsync(Path.Combine(Bed.Root, "pacs-source"),
                new SyntheticStudyOptions { Seed = 1401, SeriesPerStudy = 1, InstancesPerSeries = 3, Rows = 64, Columns = 64 }, Ct);
            PacsStudy = study;
            foreach (var file in Directory.EnumerateFiles(folder, "*.dcm", SearchOption.AllDirectories))
            {
                var bytes = await File.ReadAllBytesAsync(file, Ct);
                PacsFiles[DicomFile.ReadHeader(bytes).Dataset.GetString(DicomTag.SOPInstanceUID)!] = bytes;
            }

            using var pacs = PacsDataStore.Create(PacsConfig.Load(PacsTestData.WriteConfig(Bed.Root, orthanc)));
            await pacs.UploadFilesAsync([folder], cancellationToken: Ct);
        }
        catch (TestServerUnavailableException ex)
        {
            unavailable = ex;
        }
    }

    /// <summary>Returns an HTTP handler that sends every connection, whatever the URL's host, to <paramref name="proxy"/>.</summary>
    public static SocketsHttpHandler Through(FaultProxy proxy) => new()
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, proxy.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>An <see cref="Auth"/> with the admin's access token (no exchange) whose requests all go through <paramref name="handler"/>.</summary>
    public Auth TokenAuth(HttpMessageHandler handler) =>
        new(endpoint: Bed.Commons.BaseUrl, accessToken: Bed.Commons.AdminToken, options: AuthOptions(handler));

    /// <summary>An <see cref="Auth"/> with the admin's credentials file (API key exchanged for a token) over <paramref name="handler"/>.</summary>
    public Auth KeyAuth(HttpMessageHandler handler) => new(refreshFile: CredentialsPath, options: AuthOptions(handler));

    public async ValueTask DisposeAsync()
    {
        if (orthanc is not null)
        {
            await orthanc.DisposeAsync();
        }

        if (irods is not null)
        {
            await irods.DisposeAsync();
        }

        await Bed.DisposeAsync();
    }

    private Gen3AuthOptions AuthOptions(HttpMessageHandler handler) => new()
    {
        Handler = handler,
        HomeDirectory = Bed.Root,
        UseTokenCache = false,
        GetEnvironmentVariable = _ => null,
        TokenRequestTimeout = TimeSpan.FromSeconds(20),
        MaxRetryAttempts = 2,
        RetryDelay = TimeSpan.FromMilliseconds(20),
    };
}
