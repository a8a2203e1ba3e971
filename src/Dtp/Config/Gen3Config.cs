namespace Dtp.Config;

/// <summary>The original tool's <c>gen3.json</c>: where the Gen3 commons is and which API-key file to use.</summary>
/// <param name="Path">The configuration file's full path.</param>
/// <param name="Endpoint">
/// <c>gen3_endpoint</c>: the commons' root URL; when absent, the endpoint is taken from the API key's issuer.
/// </param>
/// <param name="CredentialsFile">
/// <c>gen3_cred_file</c>: the Gen3 API-key file (<c>credentials.json</c>), resolved against the configuration file's folder.
/// </param>
/// <param name="CertificateAuthorityFile">
/// <c>gen3_ca_file</c> (optional, added by dtp): a PEM file of the private certificate authority of a commons' TLS certificate.
/// </param>
/// <param name="Warnings">Unknown keys that were ignored.</param>
public sealed record Gen3Config(string Path, Uri? Endpoint, string CredentialsFile, string? CertificateAuthorityFile, IReadOnlyList<string> Warnings)
{
    /// <summary>Reads a <c>gen3.json</c> file.</summary>
    /// <param name="path">The file's path.</param>
    /// <exception cref="ConfigException">The file is missing, not JSON, or a key is missing or of the wrong type.</exception>
    public static Gen3Config Load(string path)
    {
        var doc = ConfigDocument.Load(path, "a Gen3 configuration with gen3_endpoint and gen3_cred_file");
        var endpoint = doc.GetHttpUrl("gen3_endpoint", required: false);
        var credentials = doc.GetPath("gen3_cred_file", required: true)!;
        var caFile = doc.GetPath("gen3_ca_file", required: false);
        return new Gen3Config(doc.Path, endpoint, credentials, caFile, doc.Warnings());
    }
}
