using Dtp.Dicom;

namespace Dtp.Tests.Dicom;

public sealed class SyntheticStudiesTests
{
    [Fact]
    public void Generate_SameOptions_GivesByteIdenticalFiles()
    {
        var options = new SyntheticStudyOptions { Seed = 7, InstancesPerSeries = 2 };

        var first = SyntheticStudies.Generate(options).Select(f => f.ToArray()).ToList();
        var second = SyntheticStudies.Generate(options).Select(f => f.ToArray()).ToList();

        Assert.Equal(first, second);
        Assert.NotEqual(first, SyntheticStudies.Generate(new SyntheticStudyOptions { Seed = 8, InstancesPerSeries = 2 }).Select(f => f.ToArray()).ToList());
    }

    [Fact]
    public void Generate_Shape_GivesEveryLevelWithUniqueUids()
    {
        var options = new SyntheticStudyOptions
        {
            Patients = 2, StudiesPerPatient = 2, SeriesPerStudy = 3, InstancesPerSeries = 4, Modalities = ["MR", "CT", "SC"],
            Rows = 16, Columns = 8, BitsAllocated = 8, StudyInstanceUids = ["1.2.826.0.1.1"],
        };

        var files = SyntheticStudies.Generate(options).Select(f => f.Dataset).ToList();

        Assert.Equal(48, files.Count);
        Assert.Equal(48, files.Select(f => f.GetString(DicomTag.SOPInstanceUID)).Distinct().Count());
        Assert.Equal(12, files.Select(f => f.GetString(DicomTag.SeriesInstanceUID)).Distinct().Count());
        Assert.Equal(4, files.Select(f => f.GetString(DicomTag.StudyInstanceUID)).Distinct().Count());
        Assert.Equal(2, files.Select(f => f.GetString(DicomTag.PatientID)).Distinct().Count());
        Assert.Equal("1.2.826.0.1.1", files[0].GetString(DicomTag.StudyInstanceUID));
        Assert.Equal(["CT", "MR", "SC"], files.Select(f => f.GetString(DicomTag.Modality)).Distinct().Order());
        Assert.Equal(DicomUid.CTImageStorage, files.First(f => f.GetString(DicomTag.Modality) == "CT").GetString(DicomTag.SOPClassUID));
        Assert.All(files, f => Assert.Equal(16 * 8, f.GetBytes(DicomTag.PixelData)!.Value.Length));
        Assert.Equal([1, 2, 3, 4], files.Take(4).Select(f => f.GetInt32(DicomTag.InstanceNumber) ?? 0));
    }

    [Fact]
    public void Generate_UnknownModality_Throws()
    {
        Assert.Throws<ArgumentException>(() => SyntheticStudies.Generate(new SyntheticStudyOptions { Modalities = ["US"] }));
    }
}
