namespace Dtp.Dicom.Network;

/// <summary>Command set elements (group 0000, PS3.7 E.1) and the command fields dtp uses.</summary>
internal static class DimseTags
{
    public static readonly DicomTag CommandGroupLength = new(0x0000, 0x0000);
    public static readonly DicomTag AffectedSopClassUid = new(0x0000, 0x0002);
    public static readonly DicomTag CommandField = new(0x0000, 0x0100);
    public static readonly DicomTag MessageId = new(0x0000, 0x0110);
    public static readonly DicomTag MessageIdBeingRespondedTo = new(0x0000, 0x0120);
    public static readonly DicomTag MoveDestination = new(0x0000, 0x0600);
    public static readonly DicomTag Priority = new(0x0000, 0x0700);
    public static readonly DicomTag CommandDataSetType = new(0x0000, 0x0800);
    public static readonly DicomTag Status = new(0x0000, 0x0900);
    public static readonly DicomTag ErrorComment = new(0x0000, 0x0902);
    public static readonly DicomTag AffectedSopInstanceUid = new(0x0000, 0x1000);
    public static readonly DicomTag RemainingSuboperations = new(0x0000, 0x1020);
    public static readonly DicomTag CompletedSuboperations = new(0x0000, 0x1021);
    public static readonly DicomTag FailedSuboperations = new(0x0000, 0x1022);
    public static readonly DicomTag WarningSuboperations = new(0x0000, 0x1023);
    public static readonly DicomTag MoveOriginatorAeTitle = new(0x0000, 0x1030);
    public static readonly DicomTag QueryRetrieveLevel = new(0x0008, 0x0052);
    public static readonly DicomTag ModalitiesInStudy = new(0x0008, 0x0061);
    public static readonly DicomTag NumberOfStudyRelatedSeries = new(0x0020, 0x1206);
    public static readonly DicomTag NumberOfStudyRelatedInstances = new(0x0020, 0x1208);

    public const ushort CStoreRequest = 0x0001;
    public const ushort CStoreResponse = 0x8001;
    public const ushort CGetRequest = 0x0010;
    public const ushort CGetResponse = 0x8010;
    public const ushort CFindRequest = 0x0020;
    public const ushort CFindResponse = 0x8020;
    public const ushort CMoveRequest = 0x0021;
    public const ushort CMoveResponse = 0x8021;
    public const ushort CEchoRequest = 0x0030;
    public const ushort CEchoResponse = 0x8030;

    /// <summary>Gets whether a status means "pending" (more responses follow).</summary>
    public static bool IsPending(ushort status) => status is 0xFF00 or 0xFF01;

    /// <summary>Returns a request command set.</summary>
    public static DicomDataset Request(ushort field, ushort messageId, string sopClass) =>
        new DicomDataset()
            .SetString(AffectedSopClassUid, DicomVR.UI, sopClass)
            .SetUInt16(CommandField, field)
            .SetUInt16(MessageId, messageId);

    /// <summary>Returns a response command set to a request.</summary>
    public static DicomDataset Response(DicomDataset request, ushort field, ushort status)
    {
        var response = new DicomDataset()
            .SetUInt16(CommandField, field)
            .SetUInt16(MessageIdBeingRespondedTo, request.GetUInt16(MessageId) ?? 0)
            .SetUInt16(Status, status);
        if (request.GetString(AffectedSopClassUid) is { } sopClass)
        {
            response.SetString(AffectedSopClassUid, DicomVR.UI, sopClass);
        }

        if (request.GetString(AffectedSopInstanceUid) is { } instance)
        {
            response.SetString(AffectedSopInstanceUid, DicomVR.UI, instance);
        }

        return response;
    }
}
