using System.Text.Json.Nodes;
using Dtp.Dicom;
using Dtp.Storage.Pacs;
using Dtp.Testing.Orthanc;

namespace Dtp.Tests.Pacs;

/// <summary>Generated studies on disk in the PACS layout, and pacs.json files for the shared Orthanc.</summary>
internal static class PacsTestData
{
    /// <summary>Writes a generated study as <c>&lt;folder&gt;/sub-&lt;study&gt;/sam-&lt;series&gt;/&lt;file&gt;</c> and returns the study's UID and folder.</summary>
    public static async Task<(string StudyUid, string StudyFolder)> WriteStudyAsync(string folder, SyntheticStudyOptions options, CancellationToken cancellationToken)
    {
        string? study = null;
        foreach (var file in SyntheticStudies.Generate(options))
        {
            study = file.Dataset.GetString(DicomTag.StudyInstanceUID)!;
            var path = Path.Combine(folder, PacsLayout.SubjectFolder(study), PacsLayout.RelativePath(
                file.Dataset.GetString(DicomTag.SeriesInstanceUID)!, file.Dataset.GetInt32(DicomTag.InstanceNumber), file.Dataset.GetString(DicomTag.SOPInstanceUID)!));
            await file.SaveAsync(path, cancellationToken: cancellationToken);
        }

        return (study!, Path.Combine(folder, PacsLayout.SubjectFolder(study!)));
    }

    /// <summary>Writes a pacs.json for the server (DICOMweb root, or Orthanc's root with <paramref name="api"/> "orthanc").</summary>
    public static string WriteConfig(string folder, OrthancServer server, string api = "dicomweb", string? password = null, Uri? url = null)
    {
        var path = Path.Combine(folder, $"pacs-{Guid.NewGuid():N}.json");
        var config = new JsonObject
        {
            ["pacs_url"] = (url ?? (api == "orthanc" ? server.BaseAddress : server.DicomWebRoot)).ToString(),
            ["pacs_api"] = api,
            ["pacs_username"] = server.UserName,
            ["pacs_password"] = password ?? server.Password,
        };
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    /// <summary>Asserts that two folders hold the same relative file paths with the same bytes, and nothing else.</summary>
    public static void AssertSameTree(string expected, string actual)
    {
        static Dictionary<string, string> Files(string root) =>
            Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(root, f), f => f);

        var want = Files(expected);
        var got = Files(actual);
        Assert.Equal(want.Keys.Order(StringComparer.Ordinal), got.Keys.Order(StringComparer.Ordinal));
        foreach (var (relative, path) in want)
        {
            Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(File.ReadAllBytes(got[relative])), $"{relative} differs");
        }
    }
}
