using System.Net;
using System.Net.Sockets;
using Dtp.Dicom;
using Dtp.Dicom.Network;

namespace Dtp.Tests.Dimse;

/// <summary>C-GET and C-MOVE against a fake PACS that answers with sub-operation counts (Orthanc cannot be made to fail sub-operations).</summary>
public sealed class DicomSubOperationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("get")]
    [InlineData("move")]
    public async Task Retrieve_PeerReportsFailedSubOperations_ThrowsWithCountsStatusAndPeer(string operation)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var peer = AnswerOnceAsync(listener, status: 0xB000, completed: 3, failed: 2, warning: 1);
        var client = Client(listener);

        var error = await Assert.ThrowsAsync<DicomNetworkException>(() => RetrieveAsync(client, operation));
        await peer;

        Assert.Equal((ushort)0xB000, error.Status);
        Assert.Contains("some sub-operations failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("sub-operations: 3 completed, 2 failed, 1 with warnings", error.Message, StringComparison.Ordinal);
        Assert.Contains($"FAKEPACS@127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("get")]
    [InlineData("move")]
    public async Task Retrieve_PeerReportsOnlyWarningSubOperations_ReturnsTheCounts(string operation)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var peer = AnswerOnceAsync(listener, status: 0xB000, completed: 4, failed: 0, warning: 2);
        var client = Client(listener);

        var result = await RetrieveAsync(client, operation);
        await peer;

        Assert.Equal(new DicomRetrieveResult(0xB000, 4, 0, 2), result);
    }

    private static DicomClient Client(TcpListener listener) => new(new DicomClientOptions
    {
        Host = "127.0.0.1", Port = ((IPEndPoint)listener.LocalEndpoint).Port, CalledAeTitle = "FAKEPACS", CallingAeTitle = "DTPCLIENT",
    });

    private static Task<DicomRetrieveResult> RetrieveAsync(DicomClient client, string operation)
    {
        var study = new DicomDataset().SetString(DicomTag.StudyInstanceUID, DicomVR.UI, "1.2.3.4");
        return operation == "get"
            ? client.GetAsync(DicomQueryLevel.Study, study, [DicomUid.MRImageStorage], (_, _) => Task.CompletedTask, Ct)
            : client.MoveAsync(DicomQueryLevel.Study, study, "ELSEWHERE", Ct);
    }

    /// <summary>Accepts one association with every context proposed, answers its retrieve request with a final status and counts, then waits for the release.</summary>
    private static async Task AnswerOnceAsync(TcpListener listener, ushort status, ushort completed, ushort failed, ushort warning)
    {
        var tcp = await listener.AcceptTcpClientAsync(Ct);
        await using var association = await DicomAssociation.AcceptAsync(
            tcp, request => (request.Contexts.Select(c => c with { Result = 0, AcceptedTransferSyntax = c.TransferSyntaxes[0] }).ToList(), default), new DicomTimeouts(), Ct);
        var message = (await association!.ReceiveAsync(Ct))!;
        var field = (ushort)(message.Command.GetUInt16(DimseTags.CommandField)!.Value | 0x8000);
        var response = DimseTags.Response(message.Command, field, status)
            .SetUInt16(DimseTags.CompletedSuboperations, completed)
            .SetUInt16(DimseTags.FailedSuboperations, failed)
            .SetUInt16(DimseTags.WarningSuboperations, warning);
        await association.SendAsync(message.ContextId, response, null, Ct);
        try
        {
            await association.ReceiveAsync(Ct);
        }
        catch (DicomNetworkException)
        {
            // a client that gave up may abort instead of releasing
        }
    }
}
