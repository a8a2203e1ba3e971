namespace Dtp.Gen3;

/// <summary>
/// How <see cref="Querier"/>, <see cref="Exporter"/> and <see cref="Gen3Submitter"/> talk HTTP. GETs and GraphQL queries
/// (read-only, though POSTed) are retried with exponential back-off and jitter on broken connections, answers cut off,
/// timeouts, 408, 429 and 5xx, honouring Retry-After; other PUTs and POSTs are never retried here (the submitter's own
/// adaptive loop decides about its batches, which sheepdog keys by <c>submitter_id</c>).
/// </summary>
public sealed class Gen3ClientOptions
{
    /// <summary>Gets or sets how long one attempt may wait for the response headers; the default value is 300 seconds, the request limit of Gen3's services. A streamed export body has no time limit.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Gets or sets how many times a failed GET is tried again; the default value is 3.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the first back-off delay (doubled at each retry, with jitter); the default value is 1 second.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the longest wait a Retry-After header is granted before a retry; a server asking for more is asked again
    /// after this long (retries stay within a bounded budget). The default value is 30 seconds.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the largest response body read into memory (JSON, GraphQL answers, exports returned as records); a longer or
    /// endless answer ends in a <see cref="DtpException"/> naming the URL and this limit. Exports written to a file stream and
    /// are not bounded by it. The default value is 256 MiB.
    /// </summary>
    public long MaxResponseBodyBytes { get; set; } = 256L * 1024 * 1024;
}
