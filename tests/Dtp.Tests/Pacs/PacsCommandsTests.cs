using System.CommandLine;
using System.Text.Json.Nodes;
using Dtp.Cli;
using Dtp.Dicom;
using Dtp.Storage.Pacs;

namespace Dtp.Tests.Pacs;

[Collection(OrthancTests.Name)]
public sealed class PacsCommandsTests(OrthancFixture orthanc) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dtp-pacs-cli-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task PutStudiesGet_GeneratedStudy_RoundTripsThroughTheCommandLine()
    {
        var server = orthanc.Server;
        var config = PacsTestData.WriteConfig(folder, server);
        var (study, source) = await PacsTestData.WriteStudyAsync(Path.Combine(folder, "source"), new SyntheticStudyOptions { Seed = 401, InstancesPerSeries = 3 }, Ct);
        await File.WriteAllTextAsync(Path.Combine(source, "notes.txt"), "not DICOM", Ct);
        var dest = Path.Combine(folder, "dest");

        var put = await RunAsync(["pacs", "put", source, "--storage-config", config, "--json"]);
        var studies = await RunAsync(["pacs", "studies", "--patient", "DTP-401-P001", "--storage-config", config, "--json"]);
        var get = await RunAsync(["pacs", "get", PacsLayoutFolder(study), dest, "--storage-config", config]);
        var again = await RunAsync(["pacs", "get", study, dest, "--storage-config", config, "--json"]);

        Assert.Equal(ExitCodes.Ok, put.Exit);
        Assert.Equal((6, 1), ((int)JsonNode.Parse(put.Output)!["files_transferred"]!, (int)JsonNode.Parse(put.Output)!["files_skipped"]!));
        Assert.Equal(ExitCodes.Ok, studies.Exit);
        Assert.Equal(study, (string?)JsonNode.Parse(studies.Output)![0]!["study_instance_uid"]);
        Assert.Equal(ExitCodes.Ok, get.Exit);
        Assert.StartsWith("6 files downloaded", get.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, again.Exit);
        Assert.Equal(6, (int)JsonNode.Parse(again.Output)!["files_skipped"]!);
        File.Delete(Path.Combine(source, "notes.txt"));
        PacsTestData.AssertSameTree(source, Path.Combine(dest, PacsLayout.SubjectFolder(study)));
    }

    [Fact]
    public async Task Get_WrongPassword_ExitsRemoteWithTheUrl()
    {
        var server = orthanc.Server;
        var config = PacsTestData.WriteConfig(folder, server, password: "wrong");

        var (exit, _, error) = await RunAsync(["pacs", "get", "1.2.3", Path.Combine(folder, "dest"), "--storage-config", config]);

        Assert.Equal(ExitCodes.Remote, exit);
        Assert.Contains("401", error, StringComparison.Ordinal);
        Assert.Contains(server.DicomWebRoot.ToString(), error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnknownStudy_ExitsRemote()
    {
        var config = PacsTestData.WriteConfig(folder, orthanc.Server, api: "orthanc");

        var (exit, _, error) = await RunAsync(["pacs", "get", "1.2.3.999", Path.Combine(folder, "dest"), "--storage-config", config]);

        Assert.Equal(ExitCodes.Remote, exit);
        Assert.Contains("no study 1.2.3.999", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_DestinationWithOtherFiles_ExitsLocalUnlessOverwrite()
    {
        var config = PacsTestData.WriteConfig(folder, orthanc.Server);
        var dest = Path.Combine(folder, "dest");
        Directory.CreateDirectory(dest);
        await File.WriteAllTextAsync(Path.Combine(dest, "other.txt"), "x", Ct);

        var (exit, _, error) = await RunAsync(["pacs", "get", "1.2.3.999", dest, "--storage-config", config]);

        Assert.Equal(ExitCodes.LocalInput, exit);
        Assert.Contains("--overwrite", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Studies_ConfigWithNeitherUrlNorDicomKeys_ExitsLocalNamingTheKey()
    {
        var config = Path.Combine(folder, "pacs.json");
        await File.WriteAllTextAsync(config, """{"pacs_port": 4242, "pacs_aec": "A", "pacs_aet": "B"}""", Ct);

        var (exit, _, error) = await RunAsync(["pacs", "studies", "--storage-config", config]);

        Assert.Equal(ExitCodes.LocalInput, exit);
        Assert.Contains("\"pacs_ip\": is missing", error, StringComparison.Ordinal);
    }

    private static string PacsLayoutFolder(string study) => PacsLayout.SubjectFolder(study);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DtpCli.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }
}
