using System.Buffers.Binary;
using Dtp.Dicom;

namespace Dtp.Tests.Dicom;

public sealed class DicomCodecTests
{
    public static TheoryData<string, DicomSequenceLength> Syntaxes()
    {
        var data = new TheoryData<string, DicomSequenceLength>();
        foreach (var uid in new[] { DicomUid.ImplicitVRLittleEndian, DicomUid.ExplicitVRLittleEndian, DicomUid.ExplicitVRBigEndian })
        {
            data.Add(uid, DicomSequenceLength.Undefined);
            data.Add(uid, DicomSequenceLength.Defined);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void Decode_WhatEncodeWrote_GivesTheSameElements(string syntaxUid, DicomSequenceLength sequenceLength)
    {
        var syntax = DicomTransferSyntax.FromUid(syntaxUid);
        var dataset = Sample();

        var encoded = DicomCodec.Encode(dataset, syntax, sequenceLength);
        var decoded = DicomCodec.Decode(encoded, syntax);

        Assert.Equal(encoded.Length, DicomCodec.EncodedLength(dataset, syntax, sequenceLength));
        Assert.Equal("Doe^Jane", decoded.GetString(DicomTag.PatientName));
        Assert.Equal("1.2.3", decoded.GetString(DicomTag.StudyInstanceUID));
        Assert.Equal(["1", "0", "0"], decoded.GetStrings(DicomTag.ImageOrientationPatient));
        Assert.Equal((ushort)512, decoded.GetUInt16(DicomTag.Rows));
        Assert.Equal(0xDEADBEEFu, decoded.GetUInt32(new DicomTag(0x0009, 0x1001)));
        Assert.Equal(dataset.GetBytes(DicomTag.PixelData)!.Value.ToArray(), decoded.GetBytes(DicomTag.PixelData)!.Value.ToArray());
        var items = decoded.GetSequence(DicomTag.ReferencedSOPSequence);
        Assert.Equal(2, items.Count);
        Assert.Equal("1.2.3.4", items[0].GetString(DicomTag.ReferencedSOPInstanceUID));
        Assert.Equal("nested", Assert.Single(items[1].GetSequence(DicomTag.ReferencedSOPSequence)).GetString(DicomTag.StudyDescription));
        Assert.Equal(DicomCodec.Encode(dataset, syntax, sequenceLength), DicomCodec.Encode(decoded, syntax, sequenceLength));
    }

    [Fact]
    public void Encode_OddLengthValues_PadsWithTheVRsPaddingByte()
    {
        var dataset = new DicomDataset()
            .SetString(DicomTag.Modality, DicomVR.CS, "MRI")
            .SetString(DicomTag.SOPInstanceUID, DicomVR.UI, "1.2.3")
            .SetBytes(DicomTag.PixelData, DicomVR.OB, new byte[] { 7, 7, 7 });

        var encoded = DicomCodec.Encode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian);

        Assert.Equal(6, BinaryPrimitives.ReadUInt16LittleEndian(encoded.AsSpan(6)));
        Assert.Equal("1.2.3\0"u8.ToArray(), encoded[8..14]);
        Assert.Equal("MRI "u8.ToArray(), encoded[22..26]);
        Assert.Equal(new byte[] { 7, 7, 7, 0 }, encoded[38..42]);
        Assert.Equal(4u, BinaryPrimitives.ReadUInt32LittleEndian(encoded.AsSpan(34)));
    }

    [Fact]
    public void Encode_ExplicitVR_WritesShortAndLongHeadersAsPS35Says()
    {
        var dataset = new DicomDataset().SetUInt16(DicomTag.Rows, 0x0102).SetBytes(DicomTag.PixelData, DicomVR.OW, new byte[] { 1, 2 });

        var little = DicomCodec.Encode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian);
        var big = DicomCodec.Encode(dataset, DicomTransferSyntax.ExplicitVRBigEndian);

        Assert.Equal(new byte[] { 0x28, 0x00, 0x10, 0x00, (byte)'U', (byte)'S', 2, 0, 0x02, 0x01 }, little[..10]);
        Assert.Equal(new byte[] { 0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W', 0, 0, 2, 0, 0, 0, 1, 2 }, little[10..]);
        Assert.Equal(new byte[] { 0x00, 0x28, 0x00, 0x10, (byte)'U', (byte)'S', 0, 2, 0x01, 0x02 }, big[..10]);
        Assert.Equal(new byte[] { 0x7F, 0xE0, 0x00, 0x10, (byte)'O', (byte)'W', 0, 0, 0, 0, 0, 2, 2, 1 }, big[10..]);
    }

    [Fact]
    public void Decode_ImplicitVR_TakesTheVRFromTheDictionary()
    {
        var dataset = new DicomDataset().SetUInt16(DicomTag.Columns, 256).SetString(new DicomTag(0x0011, 0x1010), DicomVR.LO, "private");

        var decoded = DicomCodec.Decode(DicomCodec.Encode(dataset, DicomTransferSyntax.ImplicitVRLittleEndian), DicomTransferSyntax.ImplicitVRLittleEndian);

        Assert.Equal(DicomVR.US, decoded.Get(DicomTag.Columns)!.VR);
        Assert.Equal((ushort)256, decoded.GetUInt16(DicomTag.Columns));
        Assert.Equal(DicomVR.UN, decoded.Get(new DicomTag(0x0011, 0x1010))!.VR);
    }

    [Fact]
    public void Decode_UndefinedLengthUNInExplicitVR_ReadsItAsAnImplicitVRSequence()
    {
        var item = DicomCodec.Encode(new DicomDataset().SetString(DicomTag.PatientID, DicomVR.LO, "P1"), DicomTransferSyntax.ImplicitVRLittleEndian);
        var bytes = new List<byte> { 0x11, 0x00, 0x10, 0x10, (byte)'U', (byte)'N', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF };
        bytes.AddRange(new byte[] { 0xFE, 0xFF, 0x00, 0xE0 });
        bytes.AddRange(BitConverter.GetBytes(item.Length));
        bytes.AddRange(item);
        bytes.AddRange(new byte[] { 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0 });

        var decoded = DicomCodec.Decode(bytes.ToArray(), DicomTransferSyntax.ExplicitVRLittleEndian);

        Assert.Equal("P1", Assert.Single(decoded.GetSequence(new DicomTag(0x0011, 0x1010))).GetString(DicomTag.PatientID));
    }

    [Fact]
    public void Decode_EncapsulatedPixelData_KeepsOffsetTableAndFragments()
    {
        var dataset = new DicomDataset().Set(new DicomFragmentsElement(DicomTag.PixelData, DicomVR.OB, new byte[] { 0, 0, 0, 0 }, [new byte[] { 1, 2, 3, 4 }, new byte[] { 5, 6 }]));

        var decoded = DicomCodec.Decode(DicomCodec.Encode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian), DicomTransferSyntax.ExplicitVRLittleEndian);

        var fragments = Assert.IsType<DicomFragmentsElement>(decoded.Get(DicomTag.PixelData));
        Assert.Equal(4, fragments.OffsetTable.Length);
        Assert.Equal([[1, 2, 3, 4], [5, 6]], fragments.Fragments.Select(f => f.ToArray()).ToArray());
    }

    [Fact]
    public void Decode_TruncatedValue_ThrowsNamingOffsetAndTag()
    {
        var encoded = DicomCodec.Encode(new DicomDataset().SetString(DicomTag.PatientID, DicomVR.LO, "PATIENT-1"), DicomTransferSyntax.ExplicitVRLittleEndian);

        var ex = Assert.Throws<DtpException>(() => DicomCodec.Decode(encoded.AsMemory(0, encoded.Length - 3), DicomTransferSyntax.ExplicitVRLittleEndian));

        Assert.Contains("byte 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(0010,0020)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(DtpErrorKind.Local, ex.Kind);
    }

    [Fact]
    public void Decode_UnterminatedUndefinedLengthSequence_Throws()
    {
        var encoded = DicomCodec.Encode(Sample(), DicomTransferSyntax.ExplicitVRLittleEndian);
        var sequenceStart = encoded.AsSpan().IndexOf(new byte[] { 0x08, 0x00, 0x99, 0x11 });

        var ex = Assert.Throws<DtpException>(() => DicomCodec.Decode(encoded.AsMemory(0, sequenceStart + 40), DicomTransferSyntax.ExplicitVRLittleEndian));

        Assert.Contains("(0008,1199)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_ShortVRValueLongerThan65534Bytes_Throws()
    {
        var dataset = new DicomDataset().SetString(DicomTag.StudyDescription, DicomVR.LO, new string('x', 70000));

        var ex = Assert.Throws<DtpException>(() => DicomCodec.Encode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian));

        Assert.Contains("(0008,1030)", ex.Message, StringComparison.Ordinal);
    }

    internal static DicomDataset Sample() =>
        new DicomDataset()
            .SetString(DicomTag.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100")
            .SetString(DicomTag.SOPClassUID, DicomVR.UI, DicomUid.SecondaryCaptureImageStorage)
            .SetString(DicomTag.SOPInstanceUID, DicomVR.UI, "1.2.3.99")
            .SetString(DicomTag.Modality, DicomVR.CS, "SC")
            .SetSequence(
                DicomTag.ReferencedSOPSequence,
                new DicomDataset().SetString(DicomTag.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3.4"),
                new DicomDataset().SetSequence(DicomTag.ReferencedSOPSequence, new DicomDataset().SetString(DicomTag.StudyDescription, DicomVR.LO, "nested")))
            .SetBytes(new DicomTag(0x0009, 0x1001), DicomVR.UN, BitConverter.GetBytes(0xDEADBEEFu))
            .SetString(DicomTag.PatientName, DicomVR.PN, "Doe^Jane")
            .SetString(DicomTag.PatientID, DicomVR.LO, "P-1")
            .SetString(DicomTag.StudyInstanceUID, DicomVR.UI, "1.2.3")
            .SetString(DicomTag.ImageOrientationPatient, DicomVR.DS, "1", "0", "0")
            .SetUInt16(DicomTag.Rows, 512)
            .SetBytes(DicomTag.PixelData, DicomVR.OW, Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
}
