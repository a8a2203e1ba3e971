using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dtp.Net;

/// <summary>Trusts servers whose certificates chain to a private certificate authority given as a PEM file.</summary>
public static class CertificateAuthority
{
    /// <summary>Creates a handler that trusts the system's roots and, when <paramref name="caFile"/> is given, that authority too.</summary>
    /// <param name="caFile">A PEM file with one or more CA certificates, or <see langword="null"/>.</param>
    /// <returns>A pooled HTTP handler.</returns>
    /// <exception cref="DtpException">The file cannot be read or holds no certificate.</exception>
    public static SocketsHttpHandler CreateHandler(string? caFile)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = System.Net.DecompressionMethods.All };
        if (caFile is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = CreateValidator(caFile);
        }

        return handler;
    }

    /// <summary>Creates a validation callback that accepts chains ending in the authority of <paramref name="caFile"/> (and the system's roots).</summary>
    /// <param name="caFile">A PEM file with one or more CA certificates.</param>
    /// <returns>The callback, for <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>.</returns>
    /// <exception cref="DtpException">The file cannot be read or holds no certificate.</exception>
    public static RemoteCertificateValidationCallback CreateValidator(string caFile)
    {
        var roots = Load(caFile);
        return (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
    }

    /// <summary>
    /// Describes why a request failed; when the server's certificate was not trusted, says so and names the option that
    /// adds a private certificate authority (<paramref name="trustWith"/>).
    /// </summary>
    internal static string Describe(HttpRequestException exception, string trustWith) =>
        IsUntrusted(exception)
            ? $"the server's TLS certificate is not trusted ({exception.InnerException?.Message ?? exception.Message}); if a private certificate authority issued it, give that authority's PEM file with {trustWith}"
            : exception.Message;

    /// <summary>Tells whether a request failed because the TLS handshake failed (then trying again will not help).</summary>
    internal static bool IsUntrusted(HttpRequestException exception) => exception.HttpRequestError == HttpRequestError.SecureConnectionError;

    private static X509Certificate2Collection Load(string caFile)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new DtpException($"Cannot read the certificate authority file {caFile}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }

        return roots.Count > 0
            ? roots
            : throw new DtpException($"The certificate authority file {caFile} holds no PEM certificate.", DtpErrorKind.Local);
    }
}
