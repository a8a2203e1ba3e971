namespace Dtp.Config;

/// <summary>The original tool's <c>irods.json</c>: an iRODS zone and the collection that holds one sub-collection per dataset.</summary>
/// <param name="Path">The configuration file's full path.</param>
/// <param name="Host"><c>irods_host</c>: the iRODS server's host name.</param>
/// <param name="Port"><c>irods_port</c>: the server's port; the default value is 1247.</param>
/// <param name="User"><c>irods_user</c>: the iRODS user name.</param>
/// <param name="Password"><c>irods_password</c>: the password, or <see langword="null"/> to use iRODS's own <c>.irodsA</c> file.</param>
/// <param name="Zone"><c>irods_zone</c>: the zone name.</param>
/// <param name="ProjectRoot"><c>irods_project_root</c>: the collection under which each dataset is a sub-collection.</param>
/// <param name="Warnings">Unknown keys that were ignored, and whether other users can read the secrets the file holds.</param>
public sealed record IrodsConfig(string Path, string Host, int Port, string User, string? Password, string Zone, string ProjectRoot, IReadOnlyList<string> Warnings)
{
    /// <summary>iRODS's well-known port.</summary>
    public const int DefaultPort = 1247;

    /// <summary>Reads an <c>irods.json</c> file.</summary>
    /// <param name="path">The file's path.</param>
    /// <exception cref="ConfigException">The file is missing, not JSON, or a key is missing or of the wrong type.</exception>
    public static IrodsConfig Load(string path)
    {
        var doc = ConfigDocument.Load(path, "an iRODS configuration with irods_host, irods_port, irods_user, irods_password, irods_zone and irods_project_root");
        doc.GetChoice("storage", required: false, "pacs", "irods");
        var host = doc.GetString("irods_host", required: true)!;
        var port = doc.GetInt("irods_port", required: false, 1, 65535) ?? DefaultPort;
        var user = doc.GetString("irods_user", required: true)!;
        var password = doc.GetString("irods_password", required: false);
        var zone = doc.GetString("irods_zone", required: true)!;
        var root = doc.GetString("irods_project_root", required: true)!;
        if (!root.StartsWith('/'))
        {
            throw new ConfigException(doc.Path, "irods_project_root", $"is \"{root}\"; expected an absolute collection path such as /{zone}/home/{user}.");
        }

        var scheme = doc.GetChoice("irods_authentication_scheme", required: false, "native", "pam_password", "pam");
        var policy = doc.GetChoice("irods_client_server_policy", required: false, "CS_NEG_REFUSE", "CS_NEG_DONT_CARE", "CS_NEG_REQUIRE");
        var caFile = doc.GetPath("irods_ssl_ca_certificate_file", required: false);
        return new IrodsConfig(doc.Path, host, port, user, password, zone, root.TrimEnd('/'), doc.Warnings("irods_password"))
        {
            AuthenticationScheme = scheme,
            ClientServerPolicy = policy,
            SslCaCertificateFile = caFile,
        };
    }

    /// <summary>Gets <c>irods_authentication_scheme</c>: <c>native</c>, <c>pam_password</c> or <c>pam</c>; <see langword="null"/> means native.</summary>
    public string? AuthenticationScheme { get; init; }

    /// <summary>Gets <c>irods_client_server_policy</c>: <c>CS_NEG_REFUSE</c>, <c>CS_NEG_DONT_CARE</c> or <c>CS_NEG_REQUIRE</c>; <see langword="null"/> means don't care.</summary>
    public string? ClientServerPolicy { get; init; }

    /// <summary>Gets <c>irods_ssl_ca_certificate_file</c>: a PEM file of CA certificates to trust, resolved against the file's folder.</summary>
    public string? SslCaCertificateFile { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"IrodsConfig {{ Path = {Path}, Host = {Host}, Port = {Port}, User = {User}, Password = {(Password is null ? "null" : "***")}, Zone = {Zone}, ProjectRoot = {ProjectRoot} }}";
}
