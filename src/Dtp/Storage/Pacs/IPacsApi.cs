namespace Dtp.Storage.Pacs;

/// <summary>What the PACS store needs from a PACS's HTTP API; DICOMweb and Orthanc's REST API implement it.</summary>
internal interface IPacsApi
{
    /// <summary>Gets the API and its root URL, for messages.</summary>
    string Description { get; }

    IAsyncEnumerable<PacsStudy> SearchStudiesAsync(string? patientId, string? studyInstanceUid, CancellationToken cancellationToken);

    Task<IReadOnlyList<PacsSeries>> SearchSeriesAsync(string studyInstanceUid, CancellationToken cancellationToken);

    Task<IReadOnlyList<PacsInstance>> SearchInstancesAsync(PacsSeries series, CancellationToken cancellationToken);

    /// <summary>Streams every instance of a series to <paramref name="onInstance"/>, one at a time, in the PACS's order.</summary>
    Task RetrieveSeriesAsync(PacsSeries series, Func<Stream, CancellationToken, Task> onInstance, CancellationToken cancellationToken);

    Task<Stream> OpenInstanceAsync(PacsInstance instance, CancellationToken cancellationToken);

    /// <summary>Stores files (Part 10) on the PACS; returns the bytes sent.</summary>
    Task<long> StoreAsync(IReadOnlyList<string> files, CancellationToken cancellationToken);

    Task<int> DeleteStudyAsync(string studyInstanceUid, CancellationToken cancellationToken);
}
