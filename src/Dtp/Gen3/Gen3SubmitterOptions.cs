using Dtp.Gen3.Dictionary;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dtp.Gen3;

/// <summary>How <see cref="Gen3Submitter"/> batches, which dictionary orders the records, and how it talks HTTP.</summary>
public sealed class Gen3SubmitterOptions
{
    /// <summary>Gets or sets the records in the first request; the default value is 200 (gen3sdk sends 30).</summary>
    public int InitialBatchSize { get; set; } = 200;

    /// <summary>Gets or sets the most records in one request when batches grow after successes; the default value is 1000.</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>Gets or sets how often a single-record batch is tried again after a timeout, 413 or 5xx before giving up; the default value is 3.</summary>
    public int SingleRecordAttempts { get; set; } = 3;

    /// <summary>Gets or sets the dictionary that orders the records; the default value is <see langword="null"/>: the commons' own (<c>_dictionary/_all</c>), else the SDS dictionary shipped with dtp.</summary>
    public Gen3Dictionary? Dictionary { get; set; }

    /// <summary>Gets or sets timeouts and retries of the HTTP calls; the default value suits Gen3.</summary>
    public Gen3ClientOptions Client { get; set; } = new();

    /// <summary>Gets or sets what the authentication reads from the process when the submitter builds its own <see cref="Auth"/>; the default value is <see langword="null"/> (the real process).</summary>
    public Gen3AuthOptions? AuthOptions { get; set; }

    /// <summary>Gets or sets where logs go; the default value discards them.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;
}
