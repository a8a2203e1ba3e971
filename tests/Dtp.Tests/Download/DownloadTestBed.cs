using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dtp.Conversion;
using Dtp.Gen3;
using Dtp.Storage;
using Dtp.Testing.Commons;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Download;

/// <summary>
/// An embedded commons and a temporary folder; builds the SDS 2.0.0 example dataset with placeholder data files, converts it,
/// records each file's size and SHA-256 in its manifest row (as the uploader does) and submits it.
/// </summary>
internal sealed class DownloadTestBed : IAsyncDisposable
{
    public const string Program = "demo1";
    public const string Project = "12L";

    private DownloadTestBed(TestCommons commons, string root)
    {
        Commons = commons;
        Root = root;
    }

    public TestCommons Commons { get; }

    public string Root { get; }

    public string Destination => Path.Combine(Root, "dest");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<DownloadTestBed> StartAsync()
    {
        var commons = await TestCommons.StartAsync(Ct);
        var bed = new DownloadTestBed(commons, Directory.CreateTempSubdirectory("dtp-download-").FullName);
        await commons.CreateProjectAsync(Program, Project, Ct);
        return bed;
    }

    public Auth CreateAuth() => Commons.CreateAuth(Root);

    /// <summary>Writes a gen3.json for the commons.</summary>
    public string WriteGen3Config()
    {
        var path = Path.Combine(Root, "gen3.json");
        File.WriteAllText(path, new JsonObject { ["gen3_endpoint"] = Commons.BaseUrl, ["gen3_cred_file"] = Commons.Server.CredentialsPath }.ToJsonString());
        return path;
    }

    /// <summary>
    /// Writes the example dataset (metadata files and placeholder data files) to <c>&lt;Root&gt;/source-&lt;id&gt;</c>, submits its
    /// metadata as dataset <paramref name="datasetId"/> and returns the folder. <paramref name="facts"/> may replace the facts of a file.
    /// </summary>
    public async Task<string> SubmitExampleAsync(string datasetId, string program = Program, string project = Project,
        Func<string, ManifestFileFacts, ManifestFileFacts?>? facts = null)
    {
        var source = Path.Combine(Root, $"source-{project}-{datasetId}");
        WriteExample(source);
        var converted = Path.Combine(Root, $"converted-{project}-{datasetId}");
        var result = await new Gen3Convertor(project, datasetId, "2.0.0").ExecuteAsync(source, converted, Ct);
        Assert.False(result.HasErrors, string.Join("\n", result.Findings));

        using var http = Commons.CreateClient();
        foreach (var file in result.Files)
        {
            var content = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(converted, file), Ct))!;
            if (content is JsonArray { Count: 0 })
            {
                continue;
            }

            foreach (var record in content is JsonArray array ? array.OfType<JsonObject>() : [content.AsObject()])
            {
                if ((string?)record["type"] == "manifest")
                {
                    var filename = (string)record["filename"]!;
                    var bytes = await File.ReadAllBytesAsync(Path.Combine(source, filename), Ct);
                    var recorded = new ManifestFileFacts(bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
                    recorded = facts is null ? recorded : facts(filename, recorded);
                    if (recorded is not null)
                    {
                        record["supplemental_json_metadata"] = recorded.WriteInto((string?)record["supplemental_json_metadata"]);
                    }
                }
            }

            using var response = await http.PutAsJsonAsync($"api/v0/submission/{program}/{project}", content, Ct);
            Assert.True(response.IsSuccessStatusCode, $"{file}: {await response.Content.ReadAsStringAsync(Ct)}");
        }

        return source;
    }

    /// <summary>Submits records to the project as the admin.</summary>
    public async Task SubmitAsync(JsonArray records)
    {
        using var http = Commons.CreateClient();
        using var response = await http.PutAsJsonAsync($"api/v0/submission/{Program}/{Project}", records, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>Stores a folder's files as a dataset of the local folder store at <c>&lt;Root&gt;/store</c>; returns that root.</summary>
    public async Task<string> StoreLocallyAsync(string source, string datasetId)
    {
        var root = Path.Combine(Root, "store");
        var store = new LocalDataStore(root);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            await using var content = File.OpenRead(file);
            await store.UploadAsync(datasetId, Path.GetRelativePath(source, file).Replace('\\', '/'), content, Ct);
        }

        return root;
    }

    /// <summary>Copies the example's metadata files and writes a deterministic placeholder for each data file of its FILE_LIST.tsv.</summary>
    public static void WriteExample(string folder)
    {
        var example = Requirements.Reference("dtp/inputs/example_sds_dataset_2.0.0");
        Directory.CreateDirectory(folder);
        foreach (var line in File.ReadAllLines(Path.Combine(example, "FILE_LIST.tsv")))
        {
            var parts = line.Split('\t');
            var target = Path.Combine(folder, parts[0]);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var original = Path.Combine(example, parts[0]);
            if (File.Exists(original))
            {
                File.Copy(original, target);
            }
            else
            {
                var seed = parts[0].Aggregate(17, (h, c) => (h * 31) + c);
                var bytes = new byte[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) / 8];
                new Random(seed).NextBytes(bytes);
                File.WriteAllBytes(target, bytes);
            }
        }
    }

    /// <summary>Returns whether a dataset-relative path is data, not one of the metadata files the downloader writes from Gen3.</summary>
    public static bool IsData(string path) => path is not ("dataset_description.xlsx" or "subjects.xlsx" or "samples.xlsx" or "manifest.xlsx");

    /// <summary>Asserts that every file under <paramref name="expected"/> is in <paramref name="actual"/> with the same bytes.</summary>
    public static void AssertContains(string expected, string actual, Func<string, bool>? include = null)
    {
        foreach (var file in Directory.EnumerateFiles(expected, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(expected, file);
            if (include?.Invoke(relative.Replace('\\', '/')) == false)
            {
                continue;
            }

            var other = Path.Combine(actual, relative);
            Assert.True(File.Exists(other), $"{relative} is missing");
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(other)), $"{relative} differs");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Commons.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
