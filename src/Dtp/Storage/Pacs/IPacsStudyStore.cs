namespace Dtp.Storage.Pacs;

/// <summary>
/// A PACS as <c>dtp pacs studies/get/put</c> uses it: a data store with study search, whole-study download and upload of files,
/// over DICOMweb or Orthanc's REST API (<see cref="PacsDataStore"/>) or DICOM networking (<see cref="DimseDataStore"/>).
/// </summary>
public interface IPacsStudyStore : IDataStore
{
    /// <summary>Searches studies by Patient ID and/or Study Instance UID; all studies when both are null.</summary>
    /// <exception cref="DtpException">The PACS failed or refused.</exception>
    IAsyncEnumerable<PacsStudy> SearchStudiesAsync(string? patientId = null, string? studyInstanceUid = null, CancellationToken cancellationToken = default);

    /// <summary>Downloads a study into <c>&lt;destination&gt;/sub-&lt;study&gt;/sam-&lt;series&gt;/&lt;file&gt;</c>, skipping complete files.</summary>
    /// <param name="studyInstanceUid">The study (dotted UID or <c>sub-</c> folder name).</param>
    /// <param name="destination">The folder that receives the study's folder.</param>
    /// <param name="options">Which series and how many at once.</param>
    /// <param name="progress">Receives a report after each file.</param>
    /// <param name="cancellationToken">Cancels the download; complete files stay, partial ones are removed.</param>
    /// <returns>What was fetched and skipped, and the study's folder.</returns>
    /// <exception cref="DtpException">The PACS failed, refused, holds no such study or series, or sent a broken response.</exception>
    Task<PacsTransferResult> DownloadStudyAsync(string studyInstanceUid, string destination, PacsDownloadOptions? options = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Uploads DICOM Part 10 files (folders are searched recursively; files that are not Part 10 are skipped).</summary>
    /// <param name="paths">Files and folders.</param>
    /// <param name="options">Batch size and parallel requests (or associations).</param>
    /// <param name="progress">Receives a report after each batch.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>How many files were sent and skipped.</returns>
    /// <exception cref="DtpException">A path is missing (local), or the PACS failed, refused or rejected instances.</exception>
    Task<PacsTransferResult> UploadFilesAsync(IEnumerable<string> paths, PacsUploadOptions? options = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default);
}
