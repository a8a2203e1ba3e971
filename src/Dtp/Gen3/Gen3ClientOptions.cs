namespace Dtp.Gen3;

/// <summary>
/// How <see cref="Querier"/>, <see cref="Exporter"/> and <see cref="Gen3Submitter"/> talk HTTP. GETs are idempotent and
/// retried with exponential back-off on broken connections, timeouts, 408, 429 and 5xx; PUT and POST are never retried
/// here (the submitter's own adaptive loop decides about its batches).
/// </summary>
public sealed class Gen3ClientOptions
{
    /// <summary>Gets or sets how long one attempt may wait for the response headers; the default value is 300 seconds, the request limit of Gen3's services. A streamed export body has no time limit.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Gets or sets how many times a failed GET is tried again; the default value is 3.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the first back-off delay (doubled at each retry, with jitter); the default value is 1 second.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
