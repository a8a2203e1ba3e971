using Dtp.Config;
using Dtp.Dicom;
using Dtp.Storage;
using Dtp.Storage.Pacs;
using Dtp.Testing;

namespace Dtp.Tests.Pacs;

[Collection(OrthancTests.Name)]
public sealed class PacsDataStoreTests(OrthancFixture orthanc) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dtp-pacs-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task DownloadStudyAsync_StudyUploadedWithStow_ComesBackByteIdenticalThroughDicomWebAndOrthanc()
    {
        var server = orthanc.Server;
        var options = new SyntheticStudyOptions { Seed = 301, SeriesPerStudy = 4, InstancesPerSeries = 60, Modalities = ["MR", "CT", "SC"], Rows = 32, Columns = 32 };
        var (study, source) = await PacsTestData.WriteStudyAsync(Path.Combine(folder, "source"), options, Ct);
        using var dicomWeb = Store(PacsTestData.WriteConfig(folder, server));
        using var orthancRest = Store(PacsTestData.WriteConfig(folder, server, api: "orthanc"));
        var reports = new List<PacsTransferProgress>();

        var uploaded = await dicomWeb.UploadFilesAsync([source], cancellationToken: Ct);
        var viaDicomWeb = await dicomWeb.DownloadStudyAsync(study, Path.Combine(folder, "dicomweb"), progress: new SyncProgress(reports), cancellationToken: Ct);
        var viaOrthanc = await orthancRest.DownloadStudyAsync(study, Path.Combine(folder, "orthanc"), cancellationToken: Ct);

        Assert.Equal((240, 0), (uploaded.FilesTransferred, uploaded.FilesSkipped));
        Assert.Equal((240, 0), (viaDicomWeb.FilesTransferred, viaDicomWeb.FilesSkipped));
        Assert.Equal((240, 0), (viaOrthanc.FilesTransferred, viaOrthanc.FilesSkipped));
        Assert.Equal(Path.Combine(folder, "dicomweb", PacsLayout.SubjectFolder(study)), viaDicomWeb.Folder);
        PacsTestData.AssertSameTree(source, viaDicomWeb.Folder!);
        PacsTestData.AssertSameTree(source, viaOrthanc.Folder!);
        Assert.Equal(240, reports.Max(r => r.FilesDone));
        Assert.All(reports, r => Assert.Equal(240, r.FilesTotal));
    }

    [Fact]
    public async Task DownloadStudyAsync_SecondRunAfterLosingFiles_FetchesOnlyWhatIsMissing()
    {
        var server = orthanc.Server;
        var (study, source) = await PacsTestData.WriteStudyAsync(Path.Combine(folder, "source"), new SyntheticStudyOptions { Seed = 302, InstancesPerSeries = 6 }, Ct);
        using var store = Store(PacsTestData.WriteConfig(folder, server));
        await store.UploadFilesAsync([source], cancellationToken: Ct);
        var first = await store.DownloadStudyAsync(study, Path.Combine(folder, "dest"), cancellationToken: Ct);
        var lost = Directory.EnumerateFiles(first.Folder!, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(2).ToList();
        lost.ForEach(File.Delete);
        var stale = Path.Combine(Path.GetDirectoryName(lost[0])!, ".killed-run.part");
        await File.WriteAllTextAsync(stale, "half a file", Ct);

        var second = await store.DownloadStudyAsync(study, Path.Combine(folder, "dest"), cancellationToken: Ct);
        var third = await store.DownloadStudyAsync(study, Path.Combine(folder, "dest"), cancellationToken: Ct);

        Assert.Equal((2, 10), (second.FilesTransferred, second.FilesSkipped));
        Assert.Equal((0, 12), (third.FilesTransferred, third.FilesSkipped));
        Assert.False(File.Exists(stale));
        PacsTestData.AssertSameTree(source, first.Folder!);
    }

    [Theory]
    [InlineData("dicomweb", 303)]
    [InlineData("orthanc", 306)]
    public async Task DownloadStudyAsync_ConnectionCutMidBody_FailsClearlyLeavesNoPartialFileAndTheNextRunCompletes(string api, int seed)
    {
        var server = orthanc.Server;
        var (study, source) = await PacsTestData.WriteStudyAsync(Path.Combine(folder, "source"), new SyntheticStudyOptions { Seed = seed, SeriesPerStudy = 1, InstancesPerSeries = 8 }, Ct);
        using (var direct = Store(PacsTestData.WriteConfig(folder, server)))
        {
            await direct.UploadFilesAsync([source], cancellationToken: Ct);
        }

        await using var proxy = FaultProxy.Start(server.BaseAddress);
        var config = PacsTestData.WriteConfig(folder, server, api, url: api == "orthanc" ? proxy.BaseAddress : new Uri(proxy.BaseAddress, "dicom-web/"));
        var dest = Path.Combine(folder, "dest");
        proxy.DefaultFault = Fault.CutResponseAfter(40_000);

        var ex = await Assert.ThrowsAsync<DtpException>(async () =>
        {
            using var cut = Store(config);
            await cut.DownloadStudyAsync(study, dest, cancellationToken: Ct);
        });

        Assert.Contains(proxy.BaseAddress.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Equal(DtpErrorKind.Remote, ex.Kind);
        Assert.True(ex.IsTransient);
        var kept = Directory.EnumerateFiles(dest, "*", SearchOption.AllDirectories).ToList();
        Assert.DoesNotContain(kept, f => f.EndsWith(".part", StringComparison.Ordinal));
        Assert.InRange(kept.Count, api == "orthanc" ? 0 : 1, 7);
        foreach (var file in kept)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, Path.GetRelativePath(Path.Combine(dest, PacsLayout.SubjectFolder(study)), file))), File.ReadAllBytes(file));
        }

        proxy.DefaultFault = Fault.None;
        using var store = Store(config);
        var again = await store.DownloadStudyAsync(study, dest, cancellationToken: Ct);

        Assert.Equal(8 - kept.Count, again.FilesTransferred);
        PacsTestData.AssertSameTree(source, again.Folder!);
    }

    [Fact]
    public async Task DownloadStudyAsync_UnknownStudy_ThrowsNamingTheStudy()
    {
        using var store = Store(PacsTestData.WriteConfig(folder, orthanc.Server));

        var ex = await Assert.ThrowsAsync<DtpException>(() => store.DownloadStudyAsync("1.2.3.4.5.6.7.8.9", folder, cancellationToken: Ct));

        Assert.Contains("1.2.3.4.5.6.7.8.9", ex.Message, StringComparison.Ordinal);
        Assert.Equal(DtpErrorKind.Remote, ex.Kind);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder, "sub-*"));
    }

    [Theory]
    [InlineData("dicomweb")]
    [InlineData("orthanc")]
    public async Task SearchStudiesAsync_WrongPassword_ThrowsWithTheUrlAndStatus(string api)
    {
        var server = orthanc.Server;
        using var store = Store(PacsTestData.WriteConfig(folder, server, api, password: "wrong"));

        var ex = await Assert.ThrowsAsync<DtpException>(async () => await store.SearchStudiesAsync(cancellationToken: Ct).ToListAsync(Ct));

        Assert.Contains(server.BaseAddress.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchStudiesAsync_Unreachable_ThrowsATransientErrorWithTheUrl()
    {
        var server = orthanc.Server;
        using var store = Store(PacsTestData.WriteConfig(folder, server, url: new Uri("http://127.0.0.1:9/dicom-web/")));

        var ex = await Assert.ThrowsAsync<DtpException>(async () => await store.SearchStudiesAsync(cancellationToken: Ct).ToListAsync(Ct));

        Assert.Contains("http://127.0.0.1:9/dicom-web/", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.IsTransient);
    }

    [Theory]
    [InlineData("dicomweb")]
    [InlineData("orthanc")]
    public async Task DataStore_ListOpenUploadDelete_BehavesAsIDataStoreSays(string api)
    {
        var server = orthanc.Server;
        var seed = api == "orthanc" ? 305 : 304;
        var (study, source) = await PacsTestData.WriteStudyAsync(Path.Combine(folder, "source"), new SyntheticStudyOptions { Seed = seed, InstancesPerSeries = 2 }, Ct);
        using var pacs = Store(PacsTestData.WriteConfig(folder, server, api));
#pragma warning disable CA1859 // the test is about the interface's contract
        IDataStore store = pacs;
#pragma warning restore CA1859
        var files = Directory.EnumerateFiles(source, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var stored = new List<StoredFile>();
        foreach (var file in files)
        {
            await using var content = File.OpenRead(file);
            stored.Add(await store.UploadAsync(PacsLayout.SubjectFolder(study), "ignored.dcm", content, Ct));
        }

        var listed = await store.ListAsync(study, Ct).ToListAsync(Ct);
        var first = listed.OrderBy(f => f.RelativePath, StringComparer.Ordinal).First();
        await using var opened = await store.OpenReadAsync(study, first, offset: 100, Ct);
        using var tail = new MemoryStream();
        await opened.CopyToAsync(tail, Ct);
        await using var other = File.OpenRead(files[0]);
        var wrongStudy = await Assert.ThrowsAsync<DtpException>(() => store.UploadAsync("1.2.3.4", "x.dcm", other, Ct));

        Assert.Equal(files.Select(f => Path.GetRelativePath(source, f).Replace('\\', '/')), stored.Select(s => s.RelativePath));
        Assert.Equal(stored.Select(s => s.RelativePath).Order(StringComparer.Ordinal), listed.Select(l => l.RelativePath).Order(StringComparer.Ordinal));
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, first.RelativePath))[100..], tail.ToArray());
        Assert.Equal(DtpErrorKind.Local, wrongStudy.Kind);
        if (api == "orthanc")
        {
            Assert.Equal(4, await store.DeleteDatasetAsync(study, Ct));
            await Assert.ThrowsAsync<DtpException>(async () => await store.ListAsync(study, Ct).ToListAsync(Ct));
        }
        else
        {
            await Assert.ThrowsAsync<DtpException>(() => store.DeleteDatasetAsync(study, Ct));
        }
    }

    private static PacsDataStore Store(string configPath) => PacsDataStore.Create(PacsConfig.Load(configPath));

    /// <summary>Records reports on the reporting thread (Progress&lt;T&gt; would post them later).</summary>
    private sealed class SyncProgress(List<PacsTransferProgress> reports) : IProgress<PacsTransferProgress>
    {
        public void Report(PacsTransferProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
