using System.Globalization;
using Dtp.Dicom;
using Dtp.Dicom.Network;
using Dtp.Storage.Pacs;
using Dtp.Testing.Orthanc;

namespace Dtp.Tests.Dimse;

[Collection(DimseTests.Name)]
public sealed class DicomRetrieveTests(DimseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetAsync_MixedStudy_FilesEqualUploadedInTheirTransferSyntax()
    {
        var client = fixture.Client();
        var destination = Directory.CreateTempSubdirectory("dtp-get-").FullName;
        var writer = new DimseFileWriter(destination);
        var sopClasses = fixture.Uploaded.Values.Select(f => f.Dataset.GetString(DicomTag.SOPClassUID)!).Distinct().ToList();

        var result = await client.GetAsync(DicomQueryLevel.Study, StudyKey(), sopClasses, (i, ct) => writer.WriteAsync(i, ct), Ct);

        Assert.Equal((0, fixture.Uploaded.Count, 0), (result.Status, result.Completed, result.Failed));
        await AssertReceivedAsync(destination);
    }

    [Fact]
    public async Task MoveAsync_ToOwnStorageServer_FilesEqualUploaded()
    {
        var client = fixture.Client();
        var destination = Directory.CreateTempSubdirectory("dtp-move-").FullName;
        var writer = new DimseFileWriter(destination);
        await using var scp = DicomStorageServer.Start(new DicomStorageServerOptions { AeTitle = DimseFixture.MoveAeTitle, Port = fixture.MovePort }, (i, ct) => writer.WriteAsync(i, ct));

        var result = await client.MoveAsync(DicomQueryLevel.Study, StudyKey(), DimseFixture.MoveAeTitle, Ct);

        Assert.Equal((0, fixture.Uploaded.Count, 0), (result.Status, result.Completed, result.Failed));
        await AssertReceivedAsync(destination);
    }

    [Fact]
    public async Task MoveAsync_UnknownDestination_ThrowsWithStatus()
    {
        var client = fixture.Client();

        var error = await Assert.ThrowsAsync<DicomNetworkException>(() => client.MoveAsync(DicomQueryLevel.Study, StudyKey(), "NOSUCHAE", Ct));

        Assert.NotNull(error.Status);
        Assert.Contains("C-MOVE to NOSUCHAE", error.Message, StringComparison.Ordinal);
        Assert.Contains(fixture.Server.AeTitle, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StorageServer_StorescuAndEchoscu_FilesEqualSent()
    {
        var destination = Directory.CreateTempSubdirectory("dtp-scp-").FullName;
        var writer = new DimseFileWriter(destination);
        await using var scp = DicomStorageServer.Start(new DicomStorageServerOptions { AeTitle = "DTPSCP" }, (i, ct) => writer.WriteAsync(i, ct));
        var port = scp.Port.ToString(CultureInfo.InvariantCulture);
        var sources = Directory.CreateTempSubdirectory("dtp-storescu-").FullName;
        var groups = new Dictionary<string, List<string>>();
        foreach (var (uid, file) in fixture.Uploaded)
        {
            var option = file.TransferSyntax.Uid switch
            {
                DicomUid.ExplicitVRLittleEndian => "-xe",
                DicomUid.ExplicitVRBigEndian => "-xb",
                _ => "-xs",
            };
            var path = Path.Combine(sources, uid + ".dcm");
            await file.SaveAsync(path, cancellationToken: Ct);
            (groups.TryGetValue(option, out var list) ? list : groups[option] = []).Add(path);
        }

        var echo = await Dcmtk.RunAsync("echoscu", ["-aet", "DCMTK", "-aec", "DTPSCP", "127.0.0.1", port], Ct);
        var stores = new List<(int ExitCode, string Output, string Error)>();
        foreach (var (option, paths) in groups)
        {
            stores.Add(await Dcmtk.RunAsync("storescu", [option, "-aet", "DCMTK", "-aec", "DTPSCP", "127.0.0.1", port, .. paths], Ct));
        }

        Directory.Delete(sources, recursive: true);

        Assert.True(echo.ExitCode == 0, echo.Error);
        Assert.Equal(3, groups.Count);
        Assert.All(stores, store => Assert.True(store.ExitCode == 0, store.Error));
        await AssertReceivedAsync(destination);
    }

    [Fact]
    public async Task StorageServer_WrongCalledAeTitle_RejectedWithReason()
    {
        await using var scp = DicomStorageServer.Start(new DicomStorageServerOptions { AeTitle = "DTPSCP" }, (_, _) => Task.CompletedTask);
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = scp.Port, CalledAeTitle = "WRONGAE", CallingAeTitle = "DTPCLIENT" });

        var error = await Assert.ThrowsAsync<DicomNetworkException>(() => client.EchoAsync(Ct));
        var echoscu = await Dcmtk.RunAsync("echoscu", ["-aet", "DCMTK", "-aec", "WRONGAE", "127.0.0.1", scp.Port.ToString(CultureInfo.InvariantCulture)], Ct);

        Assert.Contains("called AE title not recognized", error.Message, StringComparison.Ordinal);
        Assert.Contains($"WRONGAE@127.0.0.1:{scp.Port}", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(0, echoscu.ExitCode);
    }

    [Fact]
    public async Task EchoAsync_OwnStorageServer_Succeeds()
    {
        await using var scp = DicomStorageServer.Start(new DicomStorageServerOptions { AeTitle = "DTPSCP" }, (_, _) => Task.CompletedTask);
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = scp.Port, CalledAeTitle = "DTPSCP", CallingAeTitle = "DTPCLIENT" });

        var echo = client.EchoAsync(Ct);

        await echo;
        Assert.True(echo.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task GetAsync_PeerAbortsMidTransfer_ThrowsNamingPeer()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var peer = Task.Run(async () =>
        {
            // accepts every proposed context, reads the C-GET request, then aborts
            using var tcp = await listener.AcceptTcpClientAsync(Ct);
            var stream = tcp.GetStream();
            var request = AssociateData.Decode(await ReadPduAsync(stream), accept: false);
            var answer = new AssociateData { CalledAeTitle = request.CalledAeTitle, CallingAeTitle = request.CallingAeTitle, MaxPduLength = 16384 };
            answer.Contexts.AddRange(request.Contexts.Select(c => c with { Result = 0, AcceptedTransferSyntax = c.TransferSyntaxes[0] }));
            await WritePduAsync(stream, 2, answer.Encode(accept: true));
            await ReadPduAsync(stream);
            await WritePduAsync(stream, 7, [0, 0, 2, 0]);
        }, Ct);
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = port, CalledAeTitle = "FLAKY", CallingAeTitle = "DTPCLIENT" });

        var error = await Assert.ThrowsAsync<DicomNetworkException>(() => client.GetAsync(DicomQueryLevel.Study, StudyKey(), [DicomUid.MRImageStorage], (_, _) => Task.CompletedTask, Ct));
        await peer;

        Assert.Contains($"FLAKY@127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("aborted the association", error.Message, StringComparison.Ordinal);

        static async Task<byte[]> ReadPduAsync(Stream stream)
        {
            var header = new byte[6];
            await stream.ReadExactlyAsync(header, Ct);
            var body = new byte[System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2))];
            await stream.ReadExactlyAsync(body, Ct);
            return body;
        }

        static async Task WritePduAsync(Stream stream, byte type, byte[] body)
        {
            var header = new byte[6];
            header[0] = type;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(2), (uint)body.Length);
            await stream.WriteAsync(header, Ct);
            await stream.WriteAsync(body, Ct);
        }
    }

    private DicomDataset StudyKey() => new DicomDataset().SetString(DicomTag.StudyInstanceUID, DicomVR.UI, fixture.StudyUid);

    private async Task AssertReceivedAsync(string destination)
    {
        var files = Directory.GetFiles(destination, "*", SearchOption.AllDirectories);
        Assert.Equal(fixture.Uploaded.Count, files.Length);
        foreach (var path in files)
        {
            var received = await DicomFile.OpenAsync(path, Ct);
            var sop = received.Dataset.GetString(DicomTag.SOPInstanceUID)!;
            var sent = fixture.Uploaded[sop];
            var expected = Path.Combine(destination, PacsLayout.SubjectFolder(fixture.StudyUid), PacsLayout.RelativePath(
                sent.Dataset.GetString(DicomTag.SeriesInstanceUID)!, sent.Dataset.GetInt32(DicomTag.InstanceNumber), sop));
            Assert.Equal(expected, path);
            Assert.Equal(sent.TransferSyntax.Uid, received.TransferSyntax.Uid);
            Assert.Equal(sop, received.Meta.GetString(DicomTag.MediaStorageSOPInstanceUID));
            Assert.Equal(sent.Dataset.GetString(DicomTag.SOPClassUID), received.Meta.GetString(DicomTag.MediaStorageSOPClassUID));
            Assert.Equal(DimseFixture.PixelBytes(sent), DimseFixture.PixelBytes(received));
        }

        Directory.Delete(destination, recursive: true);
    }
}
