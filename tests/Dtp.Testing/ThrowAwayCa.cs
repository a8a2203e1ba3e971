using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dtp.Testing;

/// <summary>
/// A certificate authority made for one test: its PEM file for clients, and a server certificate it signed for localhost
/// and 127.0.0.1, also as PEM files for servers configured by file (<c>dtp serve --tls-cert/--tls-key</c>, Orthanc).
/// </summary>
public sealed class ThrowAwayCa : IDisposable
{
    private ThrowAwayCa(X509Certificate2 authority, X509Certificate2 server, string pemFile)
    {
        Authority = authority;
        ServerCertificate = server;
        PemFile = pemFile;
    }

    /// <summary>Gets a PEM file holding the server certificate.</summary>
    public string ServerCertificatePemFile => Path.Combine(Path.GetDirectoryName(PemFile)!, "server.crt");

    /// <summary>Gets a PEM file holding the server certificate's private key.</summary>
    public string ServerKeyPemFile => Path.Combine(Path.GetDirectoryName(PemFile)!, "server.key");

    /// <summary>Gets a PEM file holding the server certificate and then its private key (Orthanc's <c>SslCertificate</c>).</summary>
    public string ServerCombinedPemFile => Path.Combine(Path.GetDirectoryName(PemFile)!, "server.pem");

    /// <summary>Gets the CA's certificate.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>Gets the server certificate (with its private key) for <c>localhost</c> and 127.0.0.1.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>Gets a PEM file holding the CA certificate, for clients to trust.</summary>
    public string PemFile { get; }

    /// <summary>Makes a CA and a server certificate signed by it.</summary>
    public static ThrowAwayCa Create()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=dtp throw-away test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        var authority = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = serverRequest.Create(authority, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        var server = signed.CopyWithPrivateKey(serverKey);

        var pem = Path.Combine(Directory.CreateTempSubdirectory("dtp-ca-").FullName, "ca.pem");
        File.WriteAllText(pem, authority.ExportCertificatePem());
        var folder = Path.GetDirectoryName(pem)!;
        var certificatePem = server.ExportCertificatePem() + "\n";
        var keyPem = serverKey.ExportPkcs8PrivateKeyPem() + "\n";
        File.WriteAllText(Path.Combine(folder, "server.crt"), certificatePem);
        File.WriteAllText(Path.Combine(folder, "server.key"), keyPem);
        File.WriteAllText(Path.Combine(folder, "server.pem"), certificatePem + keyPem);
        return new ThrowAwayCa(authority, server, pem);
    }

    /// <summary>Deletes the PEM file and releases the certificates.</summary>
    public void Dispose()
    {
        Authority.Dispose();
        ServerCertificate.Dispose();
        Directory.Delete(Path.GetDirectoryName(PemFile)!, recursive: true);
    }
}
