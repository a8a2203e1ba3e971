using Dtp.Config;

namespace Dtp.Tests.Config;

public sealed class ConfigFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dtp-config-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Gen3ConfigLoad_WithRelativeCredentialsFile_ResolvesAgainstTheConfigFolder()
    {
        var path = Write("gen3.json", """{"gen3_endpoint": "https://gen3.example.org/", "gen3_cred_file": "keys/credentials.json"}""");

        var config = Gen3Config.Load(path);

        Assert.Equal(new Uri("https://gen3.example.org/"), config.Endpoint);
        Assert.Equal(Path.Combine(folder, "keys", "credentials.json"), config.CredentialsFile);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Gen3ConfigLoad_WithNullEndpointAndUnknownKey_ToleratesNullAndWarnsAboutTheKey()
    {
        var path = Write("gen3.json", """{"gen3_endpoint": null, "gen3_cred_file": "/etc/gen3/credentials.json", "colour": "blue"}""");

        var config = Gen3Config.Load(path);

        Assert.Null(config.Endpoint);
        var warning = Assert.Single(config.Warnings);
        Assert.Contains(path, warning, StringComparison.Ordinal);
        Assert.Contains("\"colour\"", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void PacsConfigLoad_WithTheOriginalKeys_ReadsEveryValue()
    {
        var path = Write("pacs.json", """{"pacs_ip": "127.0.0.1", "pacs_port": 4242, "pacs_aec": "ORTHANC", "pacs_aet": "DTP", "storage": "pacs"}""");

        var config = PacsConfig.Load(path);

        Assert.Equal(("127.0.0.1", 4242, "ORTHANC", "DTP"), (config.Host, config.Port, config.CalledAeTitle, config.CallingAeTitle));
        Assert.Equal(("get", null, "127.0.0.1"), (config.Retrieve, config.ListenPort, config.ListenAddress.ToString()));
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void PacsConfigLoad_WithCMoveKeys_ReadsRetrieveAndListenAddress()
    {
        var path = Write("pacs.json", """{"pacs_ip": "pacs.example", "pacs_port": 104, "pacs_aec": "PACS", "pacs_aet": "DTP", "pacs_retrieve": "MOVE", "pacs_listen_port": 11113, "pacs_listen_address": "0.0.0.0"}""");

        var config = PacsConfig.Load(path);

        Assert.Equal(("move", 11113, "0.0.0.0"), (config.Retrieve, config.ListenPort, config.ListenAddress.ToString()));
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void IrodsConfigLoad_WithoutPortOrPassword_UsesTheDefaultPortAndNoPassword()
    {
        var path = Write("irods.json", """
            {"irods_host": "localhost", "irods_port": null, "irods_user": "rods", "irods_password": null,
             "irods_zone": "tempZone", "irods_project_root": "/tempZone/home/rods/"}
            """);

        var config = IrodsConfig.Load(path);

        Assert.Equal(IrodsConfig.DefaultPort, config.Port);
        Assert.Null(config.Password);
        Assert.Equal("/tempZone/home/rods", config.ProjectRoot);
    }

    [Fact]
    public void IrodsConfigToString_WithPassword_HidesThePassword()
    {
        var path = Write("irods.json", """
            {"irods_host": "h", "irods_user": "u", "irods_password": "s3cret-pw", "irods_zone": "z", "irods_project_root": "/z/home/u"}
            """);

        var text = IrodsConfig.Load(path).ToString();

        Assert.DoesNotContain("s3cret-pw", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenTheFileIsMissing_NamesTheFile()
    {
        var path = Path.Combine(folder, "nowhere", "gen3.json");

        var ex = Assert.Throws<ConfigException>(() => Gen3Config.Load(path));

        Assert.Equal(path, ex.File);
        Assert.Null(ex.Key);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("not found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithInvalidJson_NamesTheFileAndTheLine()
    {
        var path = Write("pacs.json", "{\n  \"pacs_ip\": \"127.0.0.1\",\n  \"pacs_port\": 4242 oops\n}");

        var ex = Assert.Throws<ConfigException>(() => PacsConfig.Load(path));

        Assert.Equal(path, ex.File);
        Assert.Contains("invalid JSON at line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenTheRootIsNotAnObject_SaysWhatWasExpected()
    {
        var path = Write("irods.json", """["irods_host"]""");

        var ex = Assert.Throws<ConfigException>(() => IrodsConfig.Load(path));

        Assert.Contains("expected a JSON object", ex.Message, StringComparison.Ordinal);
        Assert.Contains("found an array", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"pacs_port": 4242, "pacs_aec": "A", "pacs_aet": "B"}""", "pacs_ip", "is missing; expected a string")]
    [InlineData("""{"pacs_ip": null, "pacs_port": 4242, "pacs_aec": "A", "pacs_aet": "B"}""", "pacs_ip", "is null; expected a string")]
    [InlineData("""{"pacs_ip": "h", "pacs_port": "four", "pacs_aec": "A", "pacs_aet": "B"}""", "pacs_port", "has the string \"four\"; expected a whole number from 1 to 65535")]
    [InlineData("""{"pacs_ip": "h", "pacs_port": 70000, "pacs_aec": "A", "pacs_aet": "B"}""", "pacs_port", "is 70000; expected a whole number from 1 to 65535")]
    [InlineData("""{"pacs_ip": 10, "pacs_port": 4242, "pacs_aec": "A", "pacs_aet": "B"}""", "pacs_ip", "has the number 10; expected a string")]
    [InlineData("""{"pacs_ip": "h", "pacs_port": 4242, "pacs_aec": "A_TITLE_FAR_TOO_LONG", "pacs_aet": "B"}""", "pacs_aec", "expected an AE title")]
    [InlineData("""{"pacs_ip": "h", "pacs_port": 4242, "pacs_aec": "A", "pacs_aet": ""}""", "pacs_aet", "is empty")]
    [InlineData("""{"pacs_ip": "h", "pacs_port": 4242, "pacs_aec": "A", "pacs_aet": "B", "storage": "s3"}""", "storage", "expected one of: pacs, irods")]
    [InlineData("""{"pacs_ip": "h", "pacs_port": 4242, "pacs_aec": "A", "pacs_aet": "B", "pacs_retrieve": "fetch"}""", "pacs_retrieve", "expected one of: get, move")]
    [InlineData("""{"pacs_ip": "h", "pacs_port": 4242, "pacs_aec": "A", "pacs_aet": "B", "pacs_retrieve": "move"}""", "pacs_listen_port", "is missing; expected a whole number from 1 to 65535")]
    [InlineData("""{"pacs_ip": "h", "pacs_port": 4242, "pacs_aec": "A", "pacs_aet": "B", "pacs_retrieve": "move", "pacs_listen_port": 0}""", "pacs_listen_port", "is 0; expected a whole number from 1 to 65535")]
    [InlineData("""{"pacs_ip": "h", "pacs_port": 4242, "pacs_aec": "A", "pacs_aet": "B", "pacs_listen_address": "localhost"}""", "pacs_listen_address", "expected an IP address")]
    public void PacsConfigLoad_WithABadValue_NamesTheFileTheKeyAndWhatWasExpected(string json, string key, string problem)
    {
        var path = Write("pacs.json", json);

        var ex = Assert.Throws<ConfigException>(() => PacsConfig.Load(path));

        Assert.Equal((path, key), (ex.File, ex.Key));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{key}\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"gen3_endpoint": "https://x"}""", "gen3_cred_file", "is missing; expected a string")]
    [InlineData("""{"gen3_cred_file": ["a"]}""", "gen3_cred_file", "has an array; expected a string")]
    [InlineData("""{"gen3_endpoint": "ftp://x", "gen3_cred_file": "c.json"}""", "gen3_endpoint", "expected an absolute http:// or https:// URL")]
    [InlineData("""{"gen3_endpoint": true, "gen3_cred_file": "c.json"}""", "gen3_endpoint", "has the boolean true; expected a string")]
    public void Gen3ConfigLoad_WithABadValue_NamesTheFileTheKeyAndWhatWasExpected(string json, string key, string problem)
    {
        var path = Write("gen3.json", json);

        var ex = Assert.Throws<ConfigException>(() => Gen3Config.Load(path));

        Assert.Equal((path, key), (ex.File, ex.Key));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"irods_user": "u", "irods_zone": "z", "irods_project_root": "/z"}""", "irods_host", "is missing")]
    [InlineData("""{"irods_host": "h", "irods_user": "u", "irods_zone": "z", "irods_project_root": "relative/root"}""", "irods_project_root", "expected an absolute collection path")]
    [InlineData("""{"irods_host": "h", "irods_port": 0, "irods_user": "u", "irods_zone": "z", "irods_project_root": "/z"}""", "irods_port", "is 0")]
    [InlineData("""{"irods_host": "h", "irods_user": "u", "irods_password": 1234, "irods_zone": "z", "irods_project_root": "/z"}""", "irods_password", "has the number 1234")]
    public void IrodsConfigLoad_WithABadValue_NamesTheFileTheKeyAndWhatWasExpected(string json, string key, string problem)
    {
        var path = Write("irods.json", json);

        var ex = Assert.Throws<ConfigException>(() => IrodsConfig.Load(path));

        Assert.Equal((path, key), (ex.File, ex.Key));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigException_IsALocalError()
    {
        var path = Write("gen3.json", "{}");

        var ex = Assert.Throws<ConfigException>(() => Gen3Config.Load(path));

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}
