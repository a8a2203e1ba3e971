using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Dtp.Dicom;

/// <summary>DICOM unique identifiers: well-known UIDs and generation in the <c>2.25.&lt;UUID as a decimal integer&gt;</c> form (PS3.5 B.2).</summary>
public static class DicomUid
{
    /// <summary>Implicit VR Little Endian transfer syntax.</summary>
    public const string ImplicitVRLittleEndian = "1.2.840.10008.1.2";

    /// <summary>Explicit VR Little Endian transfer syntax.</summary>
    public const string ExplicitVRLittleEndian = "1.2.840.10008.1.2.1";

    /// <summary>Explicit VR Big Endian transfer syntax (retired, still met in old archives).</summary>
    public const string ExplicitVRBigEndian = "1.2.840.10008.1.2.2";

    /// <summary>Deflated Explicit VR Little Endian transfer syntax.</summary>
    public const string DeflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99";

    /// <summary>CT Image Storage SOP class.</summary>
    public const string CTImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    /// <summary>MR Image Storage SOP class.</summary>
    public const string MRImageStorage = "1.2.840.10008.5.1.4.1.1.4";

    /// <summary>Secondary Capture Image Storage SOP class.</summary>
    public const string SecondaryCaptureImageStorage = "1.2.840.10008.5.1.4.1.1.7";

    /// <summary>dtp's implementation class UID, written in the file meta information of every file dtp writes.</summary>
    public const string ImplementationClassUid = "2.25.87891195197488498774169853263931593504";

    /// <summary>dtp's implementation version name (at most 16 characters).</summary>
    public const string ImplementationVersionName = "DTP_0.1";

    /// <summary>Returns a new random UID.</summary>
    public static string Generate() => FromGuid(Guid.NewGuid());

    /// <summary>Returns the UID <c>2.25.&lt;n&gt;</c> where n is the UUID read as an unsigned 128-bit integer.</summary>
    public static string FromGuid(Guid uuid) =>
        "2.25." + new BigInteger(uuid.ToByteArray(bigEndian: true), isUnsigned: true, isBigEndian: true).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Returns a UID derived from a name: the same name gives the same UID (a UUID of version 8 made from the name's SHA-256 hash).</summary>
    /// <param name="name">Any text that identifies the object, e.g. <c>"seed 7/patient 1/study 2"</c>.</param>
    public static string FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes("dtp:" + name), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return FromGuid(new Guid(bytes, bigEndian: true));
    }

    /// <summary>Gets whether the text is a valid UID: at most 64 characters, dot-separated numbers without leading zeros.</summary>
    public static bool IsValid(string? uid) =>
        uid is { Length: > 0 and <= 64 }
        && uid.Split('.').All(c => c.Length > 0 && c.All(char.IsAsciiDigit) && (c.Length == 1 || c[0] != '0'));
}
