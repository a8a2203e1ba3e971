namespace Dtp.Storage.Pacs;

/// <summary>A study as a PACS lists it.</summary>
/// <param name="StudyInstanceUid">The Study Instance UID.</param>
/// <param name="PatientId">The Patient ID.</param>
/// <param name="PatientName">The patient's name.</param>
/// <param name="StudyDate">The study date (YYYYMMDD).</param>
/// <param name="StudyDescription">The study description.</param>
/// <param name="Modalities">The modalities of its series.</param>
/// <param name="SeriesCount">How many series it has, when the PACS says.</param>
/// <param name="InstanceCount">How many instances it has, when the PACS says.</param>
public sealed record PacsStudy(string StudyInstanceUid, string? PatientId, string? PatientName, string? StudyDate, string? StudyDescription,
    IReadOnlyList<string> Modalities, int? SeriesCount, int? InstanceCount);

/// <summary>A series as a PACS lists it.</summary>
/// <param name="StudyInstanceUid">The study's UID.</param>
/// <param name="SeriesInstanceUid">The Series Instance UID.</param>
/// <param name="Modality">The modality.</param>
/// <param name="SeriesNumber">The series number.</param>
/// <param name="SeriesDescription">The series description.</param>
/// <param name="InstanceCount">How many instances it has, when the PACS says.</param>
/// <param name="Locator">The PACS's own address of the series (an Orthanc id, or the UIDs for DICOMweb).</param>
public sealed record PacsSeries(string StudyInstanceUid, string SeriesInstanceUid, string? Modality, int? SeriesNumber, string? SeriesDescription,
    int? InstanceCount, string Locator);

/// <summary>An instance (one DICOM file) as a PACS lists it.</summary>
/// <param name="StudyInstanceUid">The study's UID.</param>
/// <param name="SeriesInstanceUid">The series' UID.</param>
/// <param name="SopInstanceUid">The SOP Instance UID.</param>
/// <param name="InstanceNumber">The instance number, if any.</param>
/// <param name="Size">The file's size in bytes, when the PACS says (Orthanc's REST API does, DICOMweb does not).</param>
/// <param name="Locator">The PACS's own address of the instance.</param>
public sealed record PacsInstance(string StudyInstanceUid, string SeriesInstanceUid, string SopInstanceUid, int? InstanceNumber, long? Size, string Locator);

/// <summary>What a PACS transfer did.</summary>
/// <param name="FilesTransferred">Files moved.</param>
/// <param name="FilesSkipped">Files already complete at the destination (downloads) or not DICOM (uploads).</param>
/// <param name="BytesTransferred">Bytes moved.</param>
/// <param name="Folder">The study's folder (downloads), or <see langword="null"/>.</param>
public sealed record PacsTransferResult(int FilesTransferred, int FilesSkipped, long BytesTransferred, string? Folder);
