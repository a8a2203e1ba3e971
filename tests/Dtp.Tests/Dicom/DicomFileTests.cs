using System.Buffers.Binary;
using System.Globalization;
using Dtp.Dicom;
using Dtp.Testing.Orthanc;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Dicom;

public sealed class DicomFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dtp-dicom-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> SyntaxUids() =>
        [DicomUid.ImplicitVRLittleEndian, DicomUid.ExplicitVRLittleEndian, DicomUid.ExplicitVRBigEndian];

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ToArray_AnyDataset_WritesPreambleDicmAndACorrectGroupLength()
    {
        var file = new DicomFile(DicomCodecTests.Sample(), DicomTransferSyntax.ImplicitVRLittleEndian);

        var bytes = file.ToArray();

        Assert.All(bytes[..128], b => Assert.Equal(0, b));
        Assert.Equal("DICM"u8.ToArray(), bytes[128..132]);
        Assert.Equal(new byte[] { 2, 0, 0, 0, (byte)'U', (byte)'L', 4, 0 }, bytes[132..140]);
        var groupLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(140));
        var datasetStart = 144 + groupLength;
        Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(datasetStart)));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(datasetStart - 8 - DicomUid.ImplementationVersionName.Length - 1)));
    }

    [Theory]
    [MemberData(nameof(SyntaxUids))]
    public void Read_WhatToArrayWrote_GivesTheSameFileBackByteForByte(string syntaxUid)
    {
        var file = new DicomFile(DicomCodecTests.Sample(), DicomTransferSyntax.FromUid(syntaxUid));
        var bytes = file.ToArray();

        var read = DicomFile.Read(bytes);

        Assert.Equal(syntaxUid, read.TransferSyntax.Uid);
        Assert.Equal("1.2.3.99", read.Meta.GetString(DicomTag.MediaStorageSOPInstanceUID));
        Assert.Equal(DicomUid.SecondaryCaptureImageStorage, read.Meta.GetString(DicomTag.MediaStorageSOPClassUID));
        Assert.Equal(DicomUid.ImplementationClassUid, read.Meta.GetString(DicomTag.ImplementationClassUID));
        Assert.Equal(bytes, read.ToArray());
    }

    [Fact]
    public void Read_BytesWithoutDicm_ThrowsNamingTheSource()
    {
        var ex = Assert.Throws<DtpException>(() => DicomFile.Read(new byte[200], "scan.dcm"));

        Assert.Contains("scan.dcm", ex.Message, StringComparison.Ordinal);
        Assert.Contains("DICM", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SyntaxUids))]
    public async Task Dcmdump_EveryGeneratedFile_ReadsWithoutError(string syntaxUid)
    {
        var options = new SyntheticStudyOptions { SeriesPerStudy = 3, InstancesPerSeries = 2, Modalities = ["MR", "CT", "SC"], TransferSyntax = DicomTransferSyntax.FromUid(syntaxUid) };
        var files = SyntheticStudies.Generate(options).Append(new DicomFile(DicomCodecTests.Sample(), options.TransferSyntax)).ToList();

        foreach (var (file, index) in files.Select((f, i) => (f, i)))
        {
            var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{index}.dcm"));
            await file.SaveAsync(path, cancellationToken: Ct);
            var (exitCode, output, error) = await Requirements.RunAsync(() => Dcmtk.RunAsync("dcmdump", ["+L", "-Un", path], Ct));

            Assert.True(exitCode == 0, $"dcmdump {path} exited {exitCode}: {error}");
            Assert.DoesNotContain("E:", error, StringComparison.Ordinal);
            Assert.DoesNotContain("W:", error, StringComparison.Ordinal);
            Assert.Contains($"(0008,0018) UI [{file.Dataset.GetString(DicomTag.SOPInstanceUID)}]", output, StringComparison.Ordinal);
            Assert.Contains($"(0002,0010) UI [{syntaxUid}]", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("+te", "+e", DicomUid.ExplicitVRLittleEndian)]
    [InlineData("+ti", "-e", DicomUid.ImplicitVRLittleEndian)]
    [InlineData("+tb", "+e", DicomUid.ExplicitVRBigEndian)]
    [InlineData("+tb", "-e", DicomUid.ExplicitVRBigEndian)]
    public async Task Read_FileWrittenByDump2dcm_GivesItsValues(string syntaxOption, string lengthOption, string syntaxUid)
    {
        var dump = Path.Combine(folder, "in.txt");
        var path = Path.Combine(folder, "out.dcm");
        await File.WriteAllTextAsync(dump, """
            (0002,0001) OB 00\01
            (0002,0002) UI [1.2.840.10008.5.1.4.1.1.7]
            (0002,0003) UI [1.2.3.4.5]
            (0002,0010) UI [1.2.840.10008.1.2.1]
            (0008,0016) UI [1.2.840.10008.5.1.4.1.1.7]
            (0008,0018) UI [1.2.3.4.5]
            (0008,0060) CS [OT]
            (0008,1115) SQ (Sequence with undefined length)
              (fffe,e000) na (Item with undefined length)
                (0008,1155) UI [1.2.3.9]
                (0020,0013) IS [7]
              (fffe,e00d) na (ItemDelimitationItem)
              (fffe,e000) na (Item with undefined length)
                (0008,1155) UI [1.2.3.10]
              (fffe,e00d) na (ItemDelimitationItem)
            (fffe,e0dd) na (SequenceDelimitationItem)
            (0010,0010) PN [Doe^Jane]
            (0010,0020) LO [PID-7]
            (0020,000d) UI [1.2.3.1]
            (0028,0010) US 2
            (0028,0011) US 3
            (0028,0100) US 16
            (7fe0,0010) OW 0102\0304\0506\0708\090a\0b0c
            """, Ct);
        var (exitCode, _, error) = await Requirements.RunAsync(() => Dcmtk.RunAsync("dump2dcm", [syntaxOption, lengthOption, dump, path], Ct));
        Assert.True(exitCode == 0, error);

        var file = await DicomFile.OpenAsync(path, Ct);

        Assert.Equal(syntaxUid, file.TransferSyntax.Uid);
        Assert.Equal("OFFIS_DCMTK_367", file.Meta.GetString(DicomTag.ImplementationVersionName));
        Assert.Equal("Doe^Jane", file.Dataset.GetString(DicomTag.PatientName));
        Assert.Equal("PID-7", file.Dataset.GetString(DicomTag.PatientID));
        Assert.Equal((ushort)3, file.Dataset.GetUInt16(DicomTag.Columns));
        var items = file.Dataset.GetSequence(new DicomTag(0x0008, 0x1115));
        Assert.Equal(["1.2.3.9", "1.2.3.10"], items.Select(i => i.GetString(DicomTag.ReferencedSOPInstanceUID)));
        Assert.Equal(7, items[0].GetInt32(DicomTag.InstanceNumber));
        Assert.Equal(new byte[] { 2, 1, 4, 3, 6, 5, 8, 7, 0x0a, 9, 0x0c, 0x0b }, file.Dataset.GetBytes(DicomTag.PixelData)!.Value.ToArray());
    }
}
