using Dtp.Gen3;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dtp.Upload;

/// <summary>Options of <see cref="Uploader"/> and <see cref="Deleter"/>.</summary>
public sealed class UploaderOptions
{
    /// <summary>Gets or sets whether a PACS upload leaves out data files that are not DICOM (listed in the summary) instead of refusing the dataset. The default value is false.</summary>
    public bool SkipNonDicom { get; set; }

    /// <summary>Gets or sets how many files are pushed (and hashed) at once. The default value is 4.</summary>
    public int MaxParallelTransfers { get; set; } = 4;

    /// <summary>Gets or sets how many dataset numbers are tried when other uploads keep claiming them first. The default value is 50.</summary>
    public int MaxIdAttempts { get; set; } = 50;

    /// <summary>Gets or sets timeouts and retries of the Gen3 calls. The default value suits Gen3.</summary>
    public Gen3ClientOptions Client { get; set; } = new();

    /// <summary>Gets or sets where logs go. The default value discards them.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;
}
