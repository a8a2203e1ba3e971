using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.IO;

namespace Dtp.Download;

/// <summary>
/// The size and SHA-256 of every file dtp wrote into a dataset's folder, kept beside the folder as
/// <c>&lt;dest&gt;/.&lt;id&gt;.dtp-state.json</c> (outside the SDS content) so that a later run finds corrupted or missing files.
/// </summary>
internal sealed class DownloadState
{
    private readonly ConcurrentDictionary<string, (long Size, string Sha256)> files;

    private DownloadState(string path, ConcurrentDictionary<string, (long, string)> files)
    {
        Path = path;
        this.files = files;
    }

    public string Path { get; }

    public static string PathFor(string destination, string datasetId) => System.IO.Path.Combine(destination, $".{datasetId}.dtp-state.json");

    /// <summary>Reads the state file; an absent or damaged one, or <paramref name="fresh"/>, gives an empty state.</summary>
    public static async Task<DownloadState> LoadAsync(string path, bool fresh, CancellationToken cancellationToken)
    {
        var files = new ConcurrentDictionary<string, (long, string)>(StringComparer.Ordinal);
        if (!fresh && File.Exists(path))
        {
            try
            {
                var root = JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)) as JsonObject;
                foreach (var (name, entry) in root?["files"] as JsonObject ?? [])
                {
                    if (entry?["size"] is JsonValue size && size.TryGetValue(out long length) && entry["sha256"] is JsonValue sha && sha.TryGetValue(out string? hash))
                    {
                        files[name] = (length, hash);
                    }
                }
            }
            catch (JsonException)
            {
                // A damaged state file only costs a full verification: every file is fetched again.
            }
        }

        return new DownloadState(path, files);
    }

    public bool TryGet(string relativePath, out (long Size, string Sha256) entry) => files.TryGetValue(relativePath, out entry);

    public void Set(string relativePath, long size, string sha256) => files[relativePath] = (size, sha256);

    public void Remove(string relativePath) => files.TryRemove(relativePath, out _);

    public Task SaveAsync(string datasetId, string projectId, bool complete, CancellationToken cancellationToken)
    {
        var list = new JsonObject();
        foreach (var (name, (size, sha)) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            list[name] = new JsonObject { ["size"] = size, ["sha256"] = sha };
        }

        var root = new JsonObject { ["dataset_id"] = datasetId, ["project_id"] = projectId, ["complete"] = complete, ["files"] = list };
        return AtomicFile.WriteTextAsync(Path, root.ToJsonString(), overwrite: true, cancellationToken: cancellationToken);
    }
}
