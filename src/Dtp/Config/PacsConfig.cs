using System.Net;

namespace Dtp.Config;

/// <summary>
/// The original tool's <c>pacs.json</c>: a PACS reached over DICOM networking (<c>pacs_ip</c>, <c>pacs_port</c>, <c>pacs_aec</c>,
/// <c>pacs_aet</c>), extended with optional keys for HTTP access (<c>pacs_url</c>, <c>pacs_api</c>, <c>pacs_username</c>,
/// <c>pacs_password</c>, <c>pacs_token</c>, <c>pacs_ca_file</c>). With <c>pacs_url</c> the four original keys become optional.
/// Over DICOM networking, <c>pacs_retrieve</c> (<c>get</c> or <c>move</c>), <c>pacs_listen_port</c> and <c>pacs_listen_address</c>
/// say how instances are retrieved.
/// </summary>
/// <param name="Path">The configuration file's full path.</param>
/// <param name="Host"><c>pacs_ip</c>: the PACS's host name or IP address.</param>
/// <param name="Port"><c>pacs_port</c>: the PACS's DICOM port.</param>
/// <param name="CalledAeTitle"><c>pacs_aec</c>: the PACS's application entity title.</param>
/// <param name="CallingAeTitle"><c>pacs_aet</c>: our own application entity title.</param>
/// <param name="Warnings">Unknown keys that were ignored, and whether other users can read the secrets the file holds.</param>
public sealed record PacsConfig(string Path, string? Host, int? Port, string? CalledAeTitle, string? CallingAeTitle, IReadOnlyList<string> Warnings)
{
    /// <summary>Gets <c>pacs_url</c>: the DICOMweb root (e.g. <c>http://host:8042/dicom-web/</c>), or Orthanc's root when <see cref="Api"/> is <c>orthanc</c>.</summary>
    public Uri? Url { get; init; }

    /// <summary>Gets <c>pacs_api</c>: <c>dicomweb</c> (the default) or <c>orthanc</c> (Orthanc's own REST API).</summary>
    public string Api { get; init; } = "dicomweb";

    /// <summary>Gets <c>pacs_username</c>: the HTTP basic user name, if any.</summary>
    public string? UserName { get; init; }

    /// <summary>Gets <c>pacs_password</c>: the HTTP basic password, if any (never printed).</summary>
    public string? Password { get; init; }

    /// <summary>Gets <c>pacs_token</c>: a bearer token, if any (never printed).</summary>
    public string? Token { get; init; }

    /// <summary>Gets <c>pacs_ca_file</c>: a PEM file of a private certificate authority the server's certificate must chain to, if any.</summary>
    public string? CaFile { get; init; }

    /// <summary>Gets <c>pacs_retrieve</c>: <c>get</c> (C-GET, the default) or <c>move</c> (C-MOVE to dtp's own storage SCP, AE title <c>pacs_aet</c>).</summary>
    public string Retrieve { get; init; } = "get";

    /// <summary>Gets <c>pacs_listen_port</c>: the port of dtp's storage SCP for C-MOVE (required when <see cref="Retrieve"/> is <c>move</c>).</summary>
    public int? ListenPort { get; init; }

    /// <summary>Gets <c>pacs_listen_address</c>: the address dtp's storage SCP for C-MOVE listens on. The default value is 127.0.0.1; a PACS on another host needs a routable one.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Reads a <c>pacs.json</c> file.</summary>
    /// <param name="path">The file's path.</param>
    /// <exception cref="ConfigException">The file is missing, not JSON, or a key is missing or of the wrong type.</exception>
    public static PacsConfig Load(string path)
    {
        var doc = ConfigDocument.Load(path, "a PACS configuration with pacs_ip, pacs_port, pacs_aec and pacs_aet, or pacs_url");
        doc.GetChoice("storage", required: false, "pacs", "irods");
        var url = doc.GetHttpUrl("pacs_url", required: false);
        var dimse = url is null;
        var host = doc.GetString("pacs_ip", required: dimse);
        var port = doc.GetInt("pacs_port", required: dimse, 1, 65535);
        var aec = AeTitle(doc, "pacs_aec", dimse);
        var aet = AeTitle(doc, "pacs_aet", dimse);
        var userName = doc.GetString("pacs_username", required: false);
        var password = doc.GetString("pacs_password", required: false);
        var token = doc.GetString("pacs_token", required: false);
        if (token is not null && userName is not null)
        {
            throw new ConfigException(doc.Path, "pacs_token", "is set together with pacs_username; expected one way to sign in.");
        }

        var api = doc.GetChoice("pacs_api", required: false, "dicomweb", "orthanc") ?? "dicomweb";
        var caFile = doc.GetPath("pacs_ca_file", required: false);
        var retrieve = doc.GetChoice("pacs_retrieve", required: false, "get", "move") ?? "get";
        var listenPort = doc.GetInt("pacs_listen_port", required: retrieve == "move", 1, 65535);
        var listenAddress = doc.GetString("pacs_listen_address", required: false) is not { } text ? IPAddress.Loopback
            : IPAddress.TryParse(text, out var address) ? address
            : throw new ConfigException(doc.Path, "pacs_listen_address", $"is \"{text}\"; expected an IP address (e.g. 127.0.0.1, or a routable one a PACS on another host can reach).");
        return new PacsConfig(doc.Path, host, port, aec, aet, doc.Warnings("pacs_password", "pacs_token"))
        {
            Url = url, Api = api, UserName = userName, Password = password, Token = token, CaFile = caFile,
            Retrieve = retrieve, ListenPort = listenPort, ListenAddress = listenAddress,
        };
    }

    /// <summary>Describes the configuration without its password or token.</summary>
    public override string ToString() =>
        $"PacsConfig {{ Path = {Path}, Url = {Url}, Api = {Api}, Host = {Host}, Port = {Port}, CalledAeTitle = {CalledAeTitle}, CallingAeTitle = {CallingAeTitle}, UserName = {UserName}, Password = {(Password is null ? "none" : "***")}, Token = {(Token is null ? "none" : "***")}, CaFile = {CaFile}, Retrieve = {Retrieve}, ListenAddress = {ListenAddress}, ListenPort = {ListenPort} }}";

    private static string? AeTitle(ConfigDocument doc, string key, bool required)
    {
        var title = doc.GetString(key, required);
        return title is null || (title.Length <= 16 && title.All(c => c is >= ' ' and <= '~' and not '\\'))
            ? title
            : throw new ConfigException(doc.Path, key, $"is \"{title}\"; expected an AE title of 1 to 16 printable ASCII characters without a backslash.");
    }
}
