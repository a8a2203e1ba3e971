namespace Dtp.Dicom;

/// <summary>A DICOM value representation: how an element's value is encoded.</summary>
public enum DicomVR
{
    /// <summary>Application Entity.</summary>
    AE,

    /// <summary>Age String.</summary>
    AS,

    /// <summary>Attribute Tag.</summary>
    AT,

    /// <summary>Code String.</summary>
    CS,

    /// <summary>Date.</summary>
    DA,

    /// <summary>Decimal String.</summary>
    DS,

    /// <summary>Date Time.</summary>
    DT,

    /// <summary>Floating Point Single.</summary>
    FL,

    /// <summary>Floating Point Double.</summary>
    FD,

    /// <summary>Integer String.</summary>
    IS,

    /// <summary>Long String.</summary>
    LO,

    /// <summary>Long Text.</summary>
    LT,

    /// <summary>Other Byte.</summary>
    OB,

    /// <summary>Other Double.</summary>
    OD,

    /// <summary>Other Float.</summary>
    OF,

    /// <summary>Other Long.</summary>
    OL,

    /// <summary>Other 64-bit Very Long.</summary>
    OV,

    /// <summary>Other Word.</summary>
    OW,

    /// <summary>Person Name.</summary>
    PN,

    /// <summary>Short String.</summary>
    SH,

    /// <summary>Signed Long.</summary>
    SL,

    /// <summary>Sequence of Items.</summary>
    SQ,

    /// <summary>Signed Short.</summary>
    SS,

    /// <summary>Short Text.</summary>
    ST,

    /// <summary>Signed 64-bit Very Long.</summary>
    SV,

    /// <summary>Time.</summary>
    TM,

    /// <summary>Unlimited Characters.</summary>
    UC,

    /// <summary>Unique Identifier.</summary>
    UI,

    /// <summary>Unsigned Long.</summary>
    UL,

    /// <summary>Unknown.</summary>
    UN,

    /// <summary>Universal Resource Identifier.</summary>
    UR,

    /// <summary>Unsigned Short.</summary>
    US,

    /// <summary>Unlimited Text.</summary>
    UT,

    /// <summary>Unsigned 64-bit Very Long.</summary>
    UV,
}

/// <summary>Encoding rules of each value representation (PS3.5 section 6.2 and 7.1.2).</summary>
internal static class DicomVRRules
{
    /// <summary>Whether explicit VR encoding gives the VR a 4-byte length after two reserved bytes.</summary>
    public static bool HasLongLength(this DicomVR vr) =>
        vr is DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.SQ
            or DicomVR.SV or DicomVR.UC or DicomVR.UN or DicomVR.UR or DicomVR.UT or DicomVR.UV;

    /// <summary>Whether the value is text (padded with a space to an even length).</summary>
    public static bool IsText(this DicomVR vr) =>
        vr is DicomVR.AE or DicomVR.AS or DicomVR.CS or DicomVR.DA or DicomVR.DS or DicomVR.DT or DicomVR.IS or DicomVR.LO
            or DicomVR.LT or DicomVR.PN or DicomVR.SH or DicomVR.ST or DicomVR.TM or DicomVR.UC or DicomVR.UR or DicomVR.UT;

    /// <summary>The byte that pads an odd-length value: a space for text, NUL for UIDs and binary values.</summary>
    public static byte PaddingByte(this DicomVR vr) => vr.IsText() ? (byte)' ' : (byte)0;

    /// <summary>The size of the numbers whose bytes a big-endian encoding swaps; 1 when nothing is swapped.</summary>
    public static int SwapUnit(this DicomVR vr) => vr switch
    {
        DicomVR.US or DicomVR.SS or DicomVR.OW or DicomVR.AT => 2,
        DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.OF or DicomVR.OL => 4,
        DicomVR.FD or DicomVR.OD or DicomVR.SV or DicomVR.UV or DicomVR.OV => 8,
        _ => 1,
    };

    /// <summary>Reads a VR from its two ASCII characters.</summary>
    public static bool TryParse(byte first, byte second, out DicomVR vr)
    {
        Span<char> code = [(char)first, (char)second];
        return Enum.TryParse(code, ignoreCase: false, out vr) && first is >= (byte)'A' and <= (byte)'Z' && second is >= (byte)'A' and <= (byte)'Z';
    }
}
