namespace Dtp.Dicom;

/// <summary>
/// The value representations of the attributes dtp reads in implicit VR encodings (command sets, file meta,
/// patient/study/series/instance and image pixel modules). Unknown public and private attributes decode as <see cref="DicomVR.UN"/>.
/// </summary>
public static class DicomAttributeVRs
{
    private static readonly Dictionary<uint, DicomVR> Known = new()
    {
        // Command group (PS3.7 E.1), so that a DIMSE implementation can decode command sets.
        [0x00000002] = DicomVR.UI, [0x00000003] = DicomVR.UI, [0x00000100] = DicomVR.US, [0x00000110] = DicomVR.US,
        [0x00000120] = DicomVR.US, [0x00000600] = DicomVR.AE, [0x00000700] = DicomVR.US, [0x00000800] = DicomVR.US,
        [0x00000900] = DicomVR.US, [0x00000901] = DicomVR.AT, [0x00000902] = DicomVR.LO, [0x00000903] = DicomVR.US,
        [0x00001000] = DicomVR.UI, [0x00001001] = DicomVR.UI, [0x00001002] = DicomVR.US, [0x00001005] = DicomVR.AT,
        [0x00001008] = DicomVR.US, [0x00001020] = DicomVR.US, [0x00001021] = DicomVR.US, [0x00001022] = DicomVR.US,
        [0x00001023] = DicomVR.US, [0x00001030] = DicomVR.AE, [0x00001031] = DicomVR.US,

        // File meta information.
        [0x00020001] = DicomVR.OB, [0x00020002] = DicomVR.UI, [0x00020003] = DicomVR.UI, [0x00020010] = DicomVR.UI,
        [0x00020012] = DicomVR.UI, [0x00020013] = DicomVR.SH, [0x00020016] = DicomVR.AE,

        // Identification and query/retrieve.
        [0x00080005] = DicomVR.CS, [0x00080008] = DicomVR.CS, [0x00080012] = DicomVR.DA, [0x00080013] = DicomVR.TM,
        [0x00080016] = DicomVR.UI, [0x00080018] = DicomVR.UI, [0x00080020] = DicomVR.DA, [0x00080021] = DicomVR.DA,
        [0x00080022] = DicomVR.DA, [0x00080023] = DicomVR.DA, [0x00080030] = DicomVR.TM, [0x00080031] = DicomVR.TM,
        [0x00080032] = DicomVR.TM, [0x00080033] = DicomVR.TM, [0x00080050] = DicomVR.SH, [0x00080052] = DicomVR.CS,
        [0x00080054] = DicomVR.AE, [0x00080056] = DicomVR.CS, [0x00080060] = DicomVR.CS, [0x00080061] = DicomVR.CS,
        [0x00080064] = DicomVR.CS, [0x00080070] = DicomVR.LO, [0x00080080] = DicomVR.LO, [0x00080090] = DicomVR.PN,
        [0x00080201] = DicomVR.SH, [0x00081030] = DicomVR.LO, [0x0008103E] = DicomVR.LO, [0x00081090] = DicomVR.LO,
        [0x00081115] = DicomVR.SQ, [0x00081140] = DicomVR.SQ, [0x00081150] = DicomVR.UI, [0x00081155] = DicomVR.UI,
        [0x00081190] = DicomVR.UR, [0x00081197] = DicomVR.US, [0x00081198] = DicomVR.SQ, [0x00081199] = DicomVR.SQ,
        [0x00082111] = DicomVR.ST, [0x00082112] = DicomVR.SQ,
        [0x00100010] = DicomVR.PN, [0x00100020] = DicomVR.LO, [0x00100021] = DicomVR.LO, [0x00100030] = DicomVR.DA,
        [0x00100040] = DicomVR.CS, [0x00101010] = DicomVR.AS, [0x00101020] = DicomVR.DS, [0x00101030] = DicomVR.DS,
        [0x00180015] = DicomVR.CS, [0x00180050] = DicomVR.DS, [0x00180080] = DicomVR.DS, [0x00180081] = DicomVR.DS,
        [0x00180087] = DicomVR.DS, [0x00180088] = DicomVR.DS, [0x00181030] = DicomVR.LO, [0x00185100] = DicomVR.CS,
        [0x0020000D] = DicomVR.UI, [0x0020000E] = DicomVR.UI, [0x00200010] = DicomVR.SH, [0x00200011] = DicomVR.IS,
        [0x00200012] = DicomVR.IS, [0x00200013] = DicomVR.IS, [0x00200020] = DicomVR.CS, [0x00200032] = DicomVR.DS,
        [0x00200037] = DicomVR.DS, [0x00200052] = DicomVR.UI, [0x00201040] = DicomVR.LO, [0x00201041] = DicomVR.DS,
        [0x00201200] = DicomVR.IS, [0x00201202] = DicomVR.IS, [0x00201204] = DicomVR.IS, [0x00201206] = DicomVR.IS,
        [0x00201208] = DicomVR.IS, [0x00201209] = DicomVR.IS, [0x00204000] = DicomVR.LT,

        // Image pixel module.
        [0x00280002] = DicomVR.US, [0x00280004] = DicomVR.CS, [0x00280006] = DicomVR.US, [0x00280008] = DicomVR.IS,
        [0x00280010] = DicomVR.US, [0x00280011] = DicomVR.US, [0x00280030] = DicomVR.DS, [0x00280100] = DicomVR.US,
        [0x00280101] = DicomVR.US, [0x00280102] = DicomVR.US, [0x00280103] = DicomVR.US, [0x00281050] = DicomVR.DS,
        [0x00281051] = DicomVR.DS, [0x00281052] = DicomVR.DS, [0x00281053] = DicomVR.DS, [0x00281054] = DicomVR.LO,
        [0x00282110] = DicomVR.CS,
        [0x7FE00010] = DicomVR.OW,
    };

    /// <summary>Returns the VR an implicit VR encoding implies for <paramref name="tag"/>.</summary>
    /// <param name="tag">The attribute's tag.</param>
    /// <returns>The attribute's VR; <see cref="DicomVR.UL"/> for group lengths, <see cref="DicomVR.LO"/> for private creators,
    /// <see cref="DicomVR.UN"/> for anything else not listed.</returns>
    public static DicomVR VROf(DicomTag tag)
    {
        if (tag.Element == 0)
        {
            return DicomVR.UL;
        }

        if (tag.IsPrivate)
        {
            return tag.Element is >= 0x0010 and <= 0x00FF ? DicomVR.LO : DicomVR.UN;
        }

        return Known.GetValueOrDefault(tag.Value, DicomVR.UN);
    }
}
