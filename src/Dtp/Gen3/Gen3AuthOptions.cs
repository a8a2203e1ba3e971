using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dtp.Gen3;

/// <summary>
/// Everything <see cref="Auth"/> would otherwise take from the process: environment variables, the home folder, the token
/// cache, the in-cluster workspace token service, the clock and the HTTP handler. The defaults read the real process.
/// </summary>
public sealed class Gen3AuthOptions
{
    /// <summary>Gets or sets how environment variables are read; the default value is <see cref="Environment.GetEnvironmentVariable(string)"/>.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; set; } = Environment.GetEnvironmentVariable;

    /// <summary>Gets or sets the home folder that holds <c>.gen3/</c> and <c>.cache/gen3/</c>; the default value is the user's profile folder.</summary>
    public string HomeDirectory { get; set; } = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>Gets or sets whether access tokens are cached on disk as gen3sdk does; the default value is <see langword="true"/>.</summary>
    public bool UseTokenCache { get; set; } = true;

    /// <summary>Gets or sets the token-cache folder; the default value is <see langword="null"/>, meaning <c>&lt;home&gt;/.cache/gen3</c>.</summary>
    public string? TokenCacheDirectory { get; set; }

    /// <summary>
    /// Gets or sets the in-cluster workspace token service's root URL; the default value is <see langword="null"/>, meaning
    /// <c>http://workspace-token-service.&lt;NAMESPACE or default&gt;.svc.cluster.local</c>.
    /// </summary>
    public Uri? WorkspaceTokenServiceUrl { get; set; }

    /// <summary>
    /// Gets or sets whether an endpoint other than the API key's issuer is reached through the issuer's external workspace
    /// token service (gen3sdk does so silently); the default value is <see langword="false"/>: such a mismatch is an error.
    /// </summary>
    public bool AllowExternalWorkspaceTokenService { get; set; }

    /// <summary>Gets or sets how long before expiry a token is renewed; the default value is 300 seconds, as gen3sdk.</summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Gets or sets the timeout of one token request; the default value is 60 seconds.</summary>
    public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets how many times a token request (API key exchange, client credentials, workspace token service) that broke
    /// off or was answered 408, 429 or 5xx is sent again; a token request has no lasting effect, so repeating it is safe.
    /// The default value is 3.
    /// </summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the first delay before a token request is sent again (doubled at each retry, with jitter; Retry-After wins); the default value is 1 second.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets a PEM file of a private certificate authority that the commons' TLS certificate chains to; the default value is <see langword="null"/>.</summary>
    public string? CertificateAuthorityFile { get; set; }

    /// <summary>Gets or sets the handler every HTTP call goes through; the default value is <see langword="null"/>: <see cref="Auth"/> creates a pooled one.</summary>
    public HttpMessageHandler? Handler { get; set; }

    /// <summary>Gets or sets the clock; the default value is <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets where logs go; the default value discards them. Tokens, keys and secrets are never logged.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;
}
