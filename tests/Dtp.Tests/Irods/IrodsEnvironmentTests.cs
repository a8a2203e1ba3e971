using Dtp.Config;
using Dtp.Storage.Irods;

namespace Dtp.Tests.Irods;

public sealed class IrodsEnvironmentTests
{
    [Fact]
    public async Task ReadPasswordFile_WrittenByTheReferenceObfuscation_ReturnsThePassword()
    {
        const string password = "p@ss w0rd/é!";
        var file = Path.Combine(Directory.CreateTempSubdirectory("dtp-irodsA-").FullName, ".irodsA");
        var encode = $"from irods.password_obfuscation import encode; open('{file}', 'w').write(encode('{password}', uid=1234))";
        (await IrodsTestKit.RunPythonCodeAsync(encode)).ShouldSucceed();

        var decoded = IrodsEnvironment.ReadPasswordFile(file, uid: 1234);

        Assert.Equal(password, decoded);
    }

    [Fact]
    public void Load_EnvironmentFileWithPasswordGiven_ReadsEveryKeyAndIgnoresIrodsA()
    {
        var folder = Directory.CreateTempSubdirectory("dtp-irodsenv-").FullName;
        var env = Path.Combine(folder, "irods_environment.json");
        File.WriteAllText(env, """
            {"irods_host": "data.example.org", "irods_port": 1250, "irods_user_name": "alice", "irods_zone_name": "z",
             "irods_authentication_scheme": "pam_password", "irods_client_server_policy": "CS_NEG_REQUIRE",
             "irods_ssl_ca_certificate_file": "ca.pem"}
            """);
        File.WriteAllText(Path.Combine(folder, ".irodsA"), ".E_abcxAfter-the-prefix");

        var (options, home) = IrodsEnvironment.Load(env, password: "given");

        Assert.Equal(("data.example.org", 1250, "alice", "z", "given"), (options.Host, options.Port, options.UserName, options.Zone, options.Password));
        Assert.Equal(IrodsAuthenticationScheme.Pam, options.AuthenticationScheme);
        Assert.Equal(IrodsClientServerPolicy.Require, options.ClientServerPolicy);
        Assert.Equal(Path.Combine(folder, "ca.pem"), options.CaCertificateFile);
        Assert.Equal("/z/home/alice", home);
    }

    [Fact]
    public void FromConfig_WithoutPasswordOrIrodsA_SaysHowToProvideOne()
    {
        var folder = Directory.CreateTempSubdirectory("dtp-irodsjson-").FullName;
        var path = Path.Combine(folder, "irods.json");
        File.WriteAllText(path, """
            {"irods_host": "h", "irods_user": "u", "irods_zone": "z", "irods_project_root": "/z/home/u",
             "irods_client_server_policy": "CS_NEG_DONT_CARE"}
            """);
        var config = IrodsConfig.Load(path);

        var ex = Assert.Throws<ConfigException>(() => IrodsEnvironment.FromConfig(config, Path.Combine(folder, ".irodsA")));

        Assert.Contains("iinit", ex.Message, StringComparison.Ordinal);
        Assert.Equal("CS_NEG_DONT_CARE", config.ClientServerPolicy);
    }

    [Fact]
    public void IrodsConfigLoad_WithABadPolicy_NamesTheKey()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("dtp-irodsjson-").FullName, "irods.json");
        File.WriteAllText(path, """
            {"irods_host": "h", "irods_user": "u", "irods_zone": "z", "irods_project_root": "/z/home/u", "irods_client_server_policy": "TLS please"}
            """);

        var ex = Assert.Throws<ConfigException>(() => IrodsConfig.Load(path));

        Assert.Contains("irods_client_server_policy", ex.Message, StringComparison.Ordinal);
    }
}
