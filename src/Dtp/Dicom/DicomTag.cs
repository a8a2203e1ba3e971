using System.Globalization;

namespace Dtp.Dicom;

/// <summary>A DICOM attribute tag: a group and an element number.</summary>
/// <param name="Group">The group number.</param>
/// <param name="Element">The element number within the group.</param>
public readonly record struct DicomTag(ushort Group, ushort Element) : IComparable<DicomTag>
{
    /// <summary>(0002,0000) File Meta Information Group Length.</summary>
    public static readonly DicomTag FileMetaInformationGroupLength = new(0x0002, 0x0000);

    /// <summary>(0002,0001) File Meta Information Version.</summary>
    public static readonly DicomTag FileMetaInformationVersion = new(0x0002, 0x0001);

    /// <summary>(0002,0002) Media Storage SOP Class UID.</summary>
    public static readonly DicomTag MediaStorageSOPClassUID = new(0x0002, 0x0002);

    /// <summary>(0002,0003) Media Storage SOP Instance UID.</summary>
    public static readonly DicomTag MediaStorageSOPInstanceUID = new(0x0002, 0x0003);

    /// <summary>(0002,0010) Transfer Syntax UID.</summary>
    public static readonly DicomTag TransferSyntaxUID = new(0x0002, 0x0010);

    /// <summary>(0002,0012) Implementation Class UID.</summary>
    public static readonly DicomTag ImplementationClassUID = new(0x0002, 0x0012);

    /// <summary>(0002,0013) Implementation Version Name.</summary>
    public static readonly DicomTag ImplementationVersionName = new(0x0002, 0x0013);

    /// <summary>(0008,0005) Specific Character Set.</summary>
    public static readonly DicomTag SpecificCharacterSet = new(0x0008, 0x0005);

    /// <summary>(0008,0008) Image Type.</summary>
    public static readonly DicomTag ImageType = new(0x0008, 0x0008);

    /// <summary>(0008,0016) SOP Class UID.</summary>
    public static readonly DicomTag SOPClassUID = new(0x0008, 0x0016);

    /// <summary>(0008,0018) SOP Instance UID.</summary>
    public static readonly DicomTag SOPInstanceUID = new(0x0008, 0x0018);

    /// <summary>(0008,0020) Study Date.</summary>
    public static readonly DicomTag StudyDate = new(0x0008, 0x0020);

    /// <summary>(0008,0030) Study Time.</summary>
    public static readonly DicomTag StudyTime = new(0x0008, 0x0030);

    /// <summary>(0008,0050) Accession Number.</summary>
    public static readonly DicomTag AccessionNumber = new(0x0008, 0x0050);

    /// <summary>(0008,0060) Modality.</summary>
    public static readonly DicomTag Modality = new(0x0008, 0x0060);

    /// <summary>(0008,0064) Conversion Type.</summary>
    public static readonly DicomTag ConversionType = new(0x0008, 0x0064);

    /// <summary>(0008,0090) Referring Physician's Name.</summary>
    public static readonly DicomTag ReferringPhysicianName = new(0x0008, 0x0090);

    /// <summary>(0008,1030) Study Description.</summary>
    public static readonly DicomTag StudyDescription = new(0x0008, 0x1030);

    /// <summary>(0008,103E) Series Description.</summary>
    public static readonly DicomTag SeriesDescription = new(0x0008, 0x103E);

    /// <summary>(0008,1199) Referenced SOP Sequence.</summary>
    public static readonly DicomTag ReferencedSOPSequence = new(0x0008, 0x1199);

    /// <summary>(0008,1150) Referenced SOP Class UID.</summary>
    public static readonly DicomTag ReferencedSOPClassUID = new(0x0008, 0x1150);

    /// <summary>(0008,1155) Referenced SOP Instance UID.</summary>
    public static readonly DicomTag ReferencedSOPInstanceUID = new(0x0008, 0x1155);

    /// <summary>(0010,0010) Patient's Name.</summary>
    public static readonly DicomTag PatientName = new(0x0010, 0x0010);

    /// <summary>(0010,0020) Patient ID.</summary>
    public static readonly DicomTag PatientID = new(0x0010, 0x0020);

    /// <summary>(0010,0030) Patient's Birth Date.</summary>
    public static readonly DicomTag PatientBirthDate = new(0x0010, 0x0030);

    /// <summary>(0010,0040) Patient's Sex.</summary>
    public static readonly DicomTag PatientSex = new(0x0010, 0x0040);

    /// <summary>(0018,0050) Slice Thickness.</summary>
    public static readonly DicomTag SliceThickness = new(0x0018, 0x0050);

    /// <summary>(0020,000D) Study Instance UID.</summary>
    public static readonly DicomTag StudyInstanceUID = new(0x0020, 0x000D);

    /// <summary>(0020,000E) Series Instance UID.</summary>
    public static readonly DicomTag SeriesInstanceUID = new(0x0020, 0x000E);

    /// <summary>(0020,0010) Study ID.</summary>
    public static readonly DicomTag StudyID = new(0x0020, 0x0010);

    /// <summary>(0020,0011) Series Number.</summary>
    public static readonly DicomTag SeriesNumber = new(0x0020, 0x0011);

    /// <summary>(0020,0012) Acquisition Number.</summary>
    public static readonly DicomTag AcquisitionNumber = new(0x0020, 0x0012);

    /// <summary>(0020,0013) Instance Number.</summary>
    public static readonly DicomTag InstanceNumber = new(0x0020, 0x0013);

    /// <summary>(0020,0032) Image Position (Patient).</summary>
    public static readonly DicomTag ImagePositionPatient = new(0x0020, 0x0032);

    /// <summary>(0020,0037) Image Orientation (Patient).</summary>
    public static readonly DicomTag ImageOrientationPatient = new(0x0020, 0x0037);

    /// <summary>(0020,0052) Frame of Reference UID.</summary>
    public static readonly DicomTag FrameOfReferenceUID = new(0x0020, 0x0052);

    /// <summary>(0028,0002) Samples per Pixel.</summary>
    public static readonly DicomTag SamplesPerPixel = new(0x0028, 0x0002);

    /// <summary>(0028,0004) Photometric Interpretation.</summary>
    public static readonly DicomTag PhotometricInterpretation = new(0x0028, 0x0004);

    /// <summary>(0028,0010) Rows.</summary>
    public static readonly DicomTag Rows = new(0x0028, 0x0010);

    /// <summary>(0028,0011) Columns.</summary>
    public static readonly DicomTag Columns = new(0x0028, 0x0011);

    /// <summary>(0028,0030) Pixel Spacing.</summary>
    public static readonly DicomTag PixelSpacing = new(0x0028, 0x0030);

    /// <summary>(0028,0100) Bits Allocated.</summary>
    public static readonly DicomTag BitsAllocated = new(0x0028, 0x0100);

    /// <summary>(0028,0101) Bits Stored.</summary>
    public static readonly DicomTag BitsStored = new(0x0028, 0x0101);

    /// <summary>(0028,0102) High Bit.</summary>
    public static readonly DicomTag HighBit = new(0x0028, 0x0102);

    /// <summary>(0028,0103) Pixel Representation.</summary>
    public static readonly DicomTag PixelRepresentation = new(0x0028, 0x0103);

    /// <summary>(7FE0,0010) Pixel Data.</summary>
    public static readonly DicomTag PixelData = new(0x7FE0, 0x0010);

    /// <summary>(FFFE,E000) Item.</summary>
    public static readonly DicomTag Item = new(0xFFFE, 0xE000);

    /// <summary>(FFFE,E00D) Item Delimitation Item.</summary>
    public static readonly DicomTag ItemDelimitationItem = new(0xFFFE, 0xE00D);

    /// <summary>(FFFE,E0DD) Sequence Delimitation Item.</summary>
    public static readonly DicomTag SequenceDelimitationItem = new(0xFFFE, 0xE0DD);

    /// <summary>Gets the tag as one 32-bit number, group in the high half.</summary>
    public uint Value => ((uint)Group << 16) | Element;

    /// <summary>Gets whether the tag belongs to a private (odd-numbered) group.</summary>
    public bool IsPrivate => (Group & 1) == 1;

    /// <summary>Parses <c>GGGGEEEE</c> or <c>(GGGG,EEEE)</c> hexadecimal notation.</summary>
    /// <param name="text">The tag's text.</param>
    /// <returns>The tag.</returns>
    /// <exception cref="FormatException">The text is not a tag.</exception>
    public static DicomTag Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hex = text.Replace("(", string.Empty, StringComparison.Ordinal).Replace(")", string.Empty, StringComparison.Ordinal)
            .Replace(",", string.Empty, StringComparison.Ordinal);
        return hex.Length == 8 && uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? new DicomTag((ushort)(value >> 16), (ushort)value)
            : throw new FormatException($"\"{text}\" is not a DICOM tag; expected GGGGEEEE or (GGGG,EEEE) in hexadecimal.");
    }

    /// <inheritdoc/>
    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    /// <summary>Compares two tags by group, then element.</summary>
    public static bool operator <(DicomTag left, DicomTag right) => left.CompareTo(right) < 0;

    /// <summary>Compares two tags by group, then element.</summary>
    public static bool operator >(DicomTag left, DicomTag right) => left.CompareTo(right) > 0;

    /// <summary>Compares two tags by group, then element.</summary>
    public static bool operator <=(DicomTag left, DicomTag right) => left.CompareTo(right) <= 0;

    /// <summary>Compares two tags by group, then element.</summary>
    public static bool operator >=(DicomTag left, DicomTag right) => left.CompareTo(right) >= 0;

    /// <summary>Returns the tag as <c>(GGGG,EEEE)</c> in upper-case hexadecimal.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({Group:X4},{Element:X4})");
}
