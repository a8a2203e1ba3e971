using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Storage.Irods;
using Dtp.Testing;
using Dtp.Testing.Irods;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Irods;

/// <summary>Starts the iRODS test server and runs the reference client (Debian's python3-irodsclient) against it.</summary>
internal static class IrodsTestKit
{
    public const string Python = "/usr/bin/python3";
    public const string PythonPackage = "python3-irodsclient";

    public static IrodsTestServer StartServer(IrodsTestServerOptions? options = null) =>
        Requirements.Run(() => IrodsTestServer.Start(options));

    public static IrodsClientOptions ClientOptions(IrodsTestServer server, string user = "rods", string password = "rods") => new()
    {
        Host = "127.0.0.1",
        Port = server.Port,
        UserName = user,
        Zone = server.Options.Zone,
        Password = password,
        ClientServerPolicy = IrodsClientServerPolicy.Refuse,
        ConnectTimeout = TimeSpan.FromSeconds(20),
    };

    private static void RequirePython()
    {
        Requirements.Executable(Python, PythonPackage);
        Requirements.Run(() =>
        {
            if (!Directory.Exists("/usr/lib/python3/dist-packages/irods"))
            {
                throw new TestServerUnavailableException($"python-irodsclient is missing: install the Debian package '{PythonPackage}'.");
            }
        });
    }

    /// <summary>Fills a collection with a small nested tree, names with spaces, an apostrophe and unicode, content with XML specials.</summary>
    public static Dictionary<string, byte[]> WriteTree(IrodsTestServer server, string collection)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["dataset_description.json"] = "{\"name\": \"a & <b>\"}"u8.ToArray(),
            ["primary/sub-1/sam-1/1-01.dcm"] = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7)).ToArray(),
            ["primary/sub-1/sam-1/1-02.dcm"] = [],
            ["primary/sub-2/sam-1/notes it's.txt"] = "it's & <x>"u8.ToArray(),
            ["primary/sub-2/sam 2/données é.txt"] = "ünïcödé"u8.ToArray(),
        };
        foreach (var (relative, bytes) in files)
        {
            var local = server.LocalPathOf(IrodsPath.Combine(collection, relative));
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            File.WriteAllBytes(local, bytes);
        }

        return files;
    }

    public static JsonObject Connection(IrodsTestServer server, string user = "rods", string password = "rods") => new()
    {
        ["host"] = "127.0.0.1",
        ["port"] = server.Port,
        ["user"] = user,
        ["password"] = password,
        ["zone"] = server.Options.Zone,
    };

    /// <summary>Runs a snippet of Python with the reference client's package importable.</summary>
    public static async Task<(int ExitCode, string Output)> RunPythonCodeAsync(string code)
    {
        RequirePython();
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(code);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }

    public static void ShouldSucceed(this (int ExitCode, string Output) result) => Assert.True(result.ExitCode == 0, result.Output);

    /// <summary>Runs the reference client script; returns its exit code and its JSON output.</summary>
    public static async Task<(int ExitCode, JsonNode? Output, string Error)> RunPythonAsync(string command, JsonObject connection, params string[] args)
    {
        RequirePython();
        var script = Path.Combine(AppContext.BaseDirectory, "Irods", "irods_client.py");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(connection.ToJsonString());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        var text = await output;
        JsonNode? json = null;
        try
        {
            json = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
        }

        return (process.ExitCode, json, text + await error);
    }

    /// <summary>Writes an <c>irods.json</c> for the test server (user rods, no TLS), owner-only; in a new temporary folder unless <paramref name="path"/> is given.</summary>
    public static string WriteConfig(IrodsTestServer server, string password, string? path = null)
    {
        path ??= Path.Combine(Directory.CreateTempSubdirectory("dtp-irods-cfg-").FullName, "irods.json");
        File.WriteAllText(path, new JsonObject
        {
            ["irods_host"] = "127.0.0.1",
            ["irods_port"] = server.Port,
            ["irods_user"] = "rods",
            ["irods_password"] = password,
            ["irods_zone"] = server.Options.Zone,
            ["irods_project_root"] = "/tempZone/home/rods",
            ["irods_client_server_policy"] = "CS_NEG_REFUSE",
        }.ToJsonString());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }
}
