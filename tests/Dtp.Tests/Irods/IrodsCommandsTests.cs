using System.CommandLine;
using System.Text.Json.Nodes;
using Dtp.Cli;
using Dtp.Testing.Irods;

namespace Dtp.Tests.Irods;

public sealed class IrodsCommandsTests
{
    private const string Dataset = "/tempZone/home/rods/dataset-12L_1-version-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ls_RelativeCollection_ListsSubCollectionsAndObjectsAsJson()
    {
        await using var server = IrodsTestKit.StartServer();
        IrodsTestKit.WriteTree(server, Dataset);
        var config = IrodsTestKit.WriteConfig(server, "rods");

        var (exitCode, output, error) = await RunAsync("--json", "irods", "ls", "dataset-12L_1-version-1", "--storage-config", config);

        Assert.True(exitCode == ExitCodes.Ok, error);
        var json = JsonNode.Parse(output)!;
        Assert.Equal(Dataset + "/primary", (string?)json["collections"]![0]);
        Assert.Equal(Dataset + "/dataset_description.json", (string?)json["dataObjects"]![0]!["path"]);
    }

    [Fact]
    public async Task Get_Collection_LandsAsDestSlashCollectionName()
    {
        await using var server = IrodsTestKit.StartServer();
        var files = IrodsTestKit.WriteTree(server, Dataset);
        var config = IrodsTestKit.WriteConfig(server, "rods");
        var destination = Directory.CreateTempSubdirectory("dtp-irods-cli-").FullName;

        var (exitCode, _, error) = await RunAsync("irods", "get", Dataset, destination, "--storage-config", config);

        Assert.True(exitCode == ExitCodes.Ok, error);
        foreach (var (relative, bytes) in files)
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(destination, "dataset-12L_1-version-1", relative), Ct));
        }

        Directory.Delete(destination, recursive: true);
    }

    [Fact]
    public async Task Put_Folder_UploadsTheTreeUnderTheCollection()
    {
        await using var server = IrodsTestKit.StartServer();
        var config = IrodsTestKit.WriteConfig(server, "rods");
        var folder = Path.Combine(Directory.CreateTempSubdirectory("dtp-irods-put-").FullName, "my data");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        await File.WriteAllTextAsync(Path.Combine(folder, "sub", "a.txt"), "hello", Ct);

        var (exitCode, _, error) = await RunAsync("irods", "put", folder, "/tempZone/home/rods/in", "--storage-config", config);

        Assert.True(exitCode == ExitCodes.Ok, error);
        Assert.Equal("hello", await File.ReadAllTextAsync(server.LocalPathOf("/tempZone/home/rods/in/my data/sub/a.txt"), Ct));
    }

    [Fact]
    public async Task Ls_WithWrongPassword_SaysAuthenticationFailedAndExits3()
    {
        await using var server = IrodsTestKit.StartServer();
        var config = IrodsTestKit.WriteConfig(server, "not-the-password");

        var (exitCode, _, error) = await RunAsync("irods", "ls", "/tempZone/home/rods", "--storage-config", config);

        Assert.Equal(ExitCodes.Remote, exitCode);
        Assert.Contains("CAT_INVALID_AUTHENTICATION", error, StringComparison.Ordinal);
        Assert.Contains("Authentication failed", error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", error, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await DtpCli.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exitCode, output.ToString(), error.ToString());
    }
}
