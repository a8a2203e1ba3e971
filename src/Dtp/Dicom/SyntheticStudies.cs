using System.Buffers.Binary;
using System.Globalization;

namespace Dtp.Dicom;

/// <summary>The shape of a synthetic collection of studies: how many of each level, what images, which seed.</summary>
public sealed class SyntheticStudyOptions
{
    /// <summary>Gets or sets the seed: the same options and seed give byte-identical files. The default value is 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Gets or sets the number of patients. The default value is 1.</summary>
    public int Patients { get; set; } = 1;

    /// <summary>Gets or sets the number of studies of each patient. The default value is 1.</summary>
    public int StudiesPerPatient { get; set; } = 1;

    /// <summary>Gets or sets the number of series of each study. The default value is 2.</summary>
    public int SeriesPerStudy { get; set; } = 2;

    /// <summary>Gets or sets the number of instances (images) of each series. The default value is 5.</summary>
    public int InstancesPerSeries { get; set; } = 5;

    /// <summary>Gets or sets the modalities (<c>MR</c>, <c>CT</c>, <c>SC</c>) given to the series in turn. The default value is MR, CT.</summary>
    public IReadOnlyList<string> Modalities { get; set; } = ["MR", "CT"];

    /// <summary>Gets or sets the image rows. The default value is 64.</summary>
    public int Rows { get; set; } = 64;

    /// <summary>Gets or sets the image columns. The default value is 64.</summary>
    public int Columns { get; set; } = 64;

    /// <summary>Gets or sets the bits allocated per pixel, 8 or 16; an instance's pixel data is Rows × Columns × BitsAllocated / 8 bytes. The default value is 16.</summary>
    public int BitsAllocated { get; set; } = 16;

    /// <summary>Gets or sets the transfer syntax of the files. The default value is explicit VR little endian.</summary>
    public DicomTransferSyntax TransferSyntax { get; set; } = DicomTransferSyntax.ExplicitVRLittleEndian;

    /// <summary>
    /// Gets or sets chosen Study Instance UIDs, used in order for the studies generated (patient by patient); studies beyond
    /// the list get UIDs derived from the seed. The default value is an empty list.
    /// </summary>
    public IReadOnlyList<string> StudyInstanceUids { get; set; } = [];
}

/// <summary>Generates synthetic DICOM studies (patients, studies, series, instances with deterministic UIDs and pixel data): test and demo data without third-party images.</summary>
public static class SyntheticStudies
{
    /// <summary>Generates the files one at a time (nothing is kept in memory between them), study by study, series by series.</summary>
    /// <param name="options">The collection's shape.</param>
    /// <returns>The files, each with its file meta information.</returns>
    /// <exception cref="ArgumentException">An option is out of range or a modality is not MR, CT or SC.</exception>
    public static IEnumerable<DicomFile> Generate(SyntheticStudyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Patients);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.StudiesPerPatient);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SeriesPerStudy);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.InstancesPerSeries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Columns);
        if (options.BitsAllocated is not (8 or 16))
        {
            throw new ArgumentException($"BitsAllocated is {options.BitsAllocated}; expected 8 or 16.", nameof(options));
        }

        if (options.Modalities.Count == 0 || options.Modalities.Any(m => m is not ("MR" or "CT" or "SC")))
        {
            throw new ArgumentException($"Modalities are [{string.Join(", ", options.Modalities)}]; expected MR, CT or SC.", nameof(options));
        }

        return GenerateIterator(options);
    }

    /// <summary>Returns the SOP class UID dtp's generator uses for a modality.</summary>
    public static string SopClassOf(string modality) => modality switch
    {
        "MR" => DicomUid.MRImageStorage,
        "CT" => DicomUid.CTImageStorage,
        _ => DicomUid.SecondaryCaptureImageStorage,
    };

    private static IEnumerable<DicomFile> GenerateIterator(SyntheticStudyOptions options)
    {
        var studyIndex = 0;
        for (var p = 1; p <= options.Patients; p++)
        {
            var patientId = string.Create(CultureInfo.InvariantCulture, $"DTP-{options.Seed}-P{p:D3}");
            for (var s = 1; s <= options.StudiesPerPatient; s++, studyIndex++)
            {
                var studyName = $"seed {options.Seed}/patient {p}/study {s}";
                var studyUid = studyIndex < options.StudyInstanceUids.Count ? options.StudyInstanceUids[studyIndex] : DicomUid.FromName(studyName);
                for (var r = 1; r <= options.SeriesPerStudy; r++)
                {
                    var modality = options.Modalities[(r - 1) % options.Modalities.Count];
                    var seriesName = $"{studyName}/series {r}";
                    var seriesUid = DicomUid.FromName(seriesName);
                    var frameOfReference = DicomUid.FromName(seriesName + "/frame of reference");
                    for (var i = 1; i <= options.InstancesPerSeries; i++)
                    {
                        var sopUid = DicomUid.FromName($"{seriesName}/instance {i}");
                        var dataset = Instance(options, patientId, p, s, studyUid, r, seriesUid, frameOfReference, modality, i, sopUid);
                        yield return new DicomFile(dataset, options.TransferSyntax);
                    }
                }
            }
        }
    }

    private static DicomDataset Instance(SyntheticStudyOptions o, string patientId, int patient, int study, string studyUid, int series,
        string seriesUid, string frameOfReference, string modality, int instance, string sopUid)
    {
        var invariant = CultureInfo.InvariantCulture;
        var bitsStored = o.BitsAllocated == 16 ? 12 : 8;
        var dataset = new DicomDataset()
            .SetString(DicomTag.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100")
            .SetString(DicomTag.ImageType, DicomVR.CS, modality == "SC" ? "DERIVED" : "ORIGINAL", "PRIMARY", "AXIAL")
            .SetString(DicomTag.SOPClassUID, DicomVR.UI, SopClassOf(modality))
            .SetString(DicomTag.SOPInstanceUID, DicomVR.UI, sopUid)
            .SetString(DicomTag.StudyDate, DicomVR.DA, "20260101")
            .SetString(DicomTag.StudyTime, DicomVR.TM, string.Create(invariant, $"{10 + (study % 10):D2}0000"))
            .SetString(DicomTag.AccessionNumber, DicomVR.SH, string.Create(invariant, $"A{o.Seed}P{patient}S{study}"))
            .SetString(DicomTag.Modality, DicomVR.CS, modality)
            .SetString(DicomTag.ReferringPhysicianName, DicomVR.PN, string.Empty)
            .SetString(DicomTag.StudyDescription, DicomVR.LO, string.Create(invariant, $"Synthetic study {study}"))
            .SetString(DicomTag.SeriesDescription, DicomVR.LO, string.Create(invariant, $"Synthetic {modality} series {series}"))
            .SetString(DicomTag.PatientName, DicomVR.PN, string.Create(invariant, $"Synthetic^Patient{patient}"))
            .SetString(DicomTag.PatientID, DicomVR.LO, patientId)
            .SetString(DicomTag.PatientBirthDate, DicomVR.DA, "19700101")
            .SetString(DicomTag.PatientSex, DicomVR.CS, "O")
            .SetString(DicomTag.SliceThickness, DicomVR.DS, "1")
            .SetString(DicomTag.StudyInstanceUID, DicomVR.UI, studyUid)
            .SetString(DicomTag.SeriesInstanceUID, DicomVR.UI, seriesUid)
            .SetString(DicomTag.StudyID, DicomVR.SH, study.ToString(invariant))
            .SetString(DicomTag.SeriesNumber, DicomVR.IS, series.ToString(invariant))
            .SetString(DicomTag.AcquisitionNumber, DicomVR.IS, "1")
            .SetString(DicomTag.InstanceNumber, DicomVR.IS, instance.ToString(invariant))
            .SetString(DicomTag.ImagePositionPatient, DicomVR.DS, "0", "0", instance.ToString(invariant))
            .SetString(DicomTag.ImageOrientationPatient, DicomVR.DS, "1", "0", "0", "0", "1", "0")
            .SetString(DicomTag.FrameOfReferenceUID, DicomVR.UI, frameOfReference)
            .SetUInt16(DicomTag.SamplesPerPixel, 1)
            .SetString(DicomTag.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2")
            .SetUInt16(DicomTag.Rows, checked((ushort)o.Rows))
            .SetUInt16(DicomTag.Columns, checked((ushort)o.Columns))
            .SetString(DicomTag.PixelSpacing, DicomVR.DS, "1", "1")
            .SetUInt16(DicomTag.BitsAllocated, (ushort)o.BitsAllocated)
            .SetUInt16(DicomTag.BitsStored, (ushort)bitsStored)
            .SetUInt16(DicomTag.HighBit, (ushort)(bitsStored - 1))
            .SetUInt16(DicomTag.PixelRepresentation, 0)
            .SetBytes(DicomTag.PixelData, o.BitsAllocated == 16 ? DicomVR.OW : DicomVR.OB, Pixels(o, sopUid));
        if (modality == "SC")
        {
            dataset.SetString(DicomTag.ConversionType, DicomVR.CS, "WSD");
        }

        if (modality == "CT")
        {
            dataset.SetString(new DicomTag(0x0028, 0x1052), DicomVR.DS, "-1024").SetString(new DicomTag(0x0028, 0x1053), DicomVR.DS, "1");
        }

        return dataset;
    }

    /// <summary>Deterministic noise from the SOP instance UID (xorshift64), masked to the stored bits.</summary>
    private static byte[] Pixels(SyntheticStudyOptions o, string sopUid)
    {
        var pixels = new byte[checked(o.Rows * o.Columns * (o.BitsAllocated / 8))];
        var state = (ulong)o.Seed * 0x9E3779B97F4A7C15UL;
        foreach (var c in sopUid)
        {
            state = (state ^ c) * 0x100000001B3UL;
        }

        state |= 1;
        var mask = o.BitsAllocated == 16 ? 0x0FFF0FFF0FFF0FFFUL : ulong.MaxValue;
        Span<byte> word = stackalloc byte[8];
        for (var i = 0; i < pixels.Length; i += 8)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            BinaryPrimitives.WriteUInt64LittleEndian(word, state & mask);
            word[..Math.Min(8, pixels.Length - i)].CopyTo(pixels.AsSpan(i));
        }

        return pixels;
    }
}
