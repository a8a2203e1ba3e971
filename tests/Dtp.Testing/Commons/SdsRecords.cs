using System.Text.Json.Nodes;

namespace Dtp.Testing.Commons;

/// <summary>Valid records of the SDS dictionary for tests and benchmarks.</summary>
public static class SdsRecords
{
    /// <summary>An experiment (dataset) of a project.</summary>
    public static JsonObject Experiment(string submitterId, string projectCode) =>
        new() { ["type"] = "experiment", ["submitter_id"] = submitterId, ["projects"] = new JsonObject { ["code"] = projectCode } };

    /// <summary>A case (subject) of an experiment with every required property.</summary>
    public static JsonObject Case(string submitterId, string experimentSubmitterId) => new()
    {
        ["type"] = "case",
        ["submitter_id"] = submitterId,
        ["experiments"] = new JsonObject { ["submitter_id"] = experimentSubmitterId },
        ["subject_id"] = submitterId,
        ["pool_id"] = "",
        ["subject_experimental_group"] = "g1",
        ["age"] = "30 years",
        ["sex"] = "Female",
        ["species"] = "Homo sapiens",
        ["strain"] = "",
        ["rrid_for_strain"] = "",
        ["age_category"] = "adult",
        ["also_in_dataset"] = "",
        ["member_of"] = "",
    };

    /// <summary>A manifest row of an experiment for a dataset-relative file, with the file's facts in its supplemental metadata (as the uploader writes them).</summary>
    public static JsonObject Manifest(string experimentSubmitterId, string filename, Dtp.Storage.ManifestFileFacts facts, string description = "a data file") => new()
    {
        ["type"] = "manifest",
        ["submitter_id"] = $"{experimentSubmitterId}-{filename}",
        ["experiments"] = new JsonObject { ["submitter_id"] = experimentSubmitterId },
        ["filename"] = filename,
        ["timestamp"] = "2026-11-26",
        ["description"] = description,
        ["file_type"] = Path.GetExtension(filename),
        ["supplemental_json_metadata"] = facts.WriteInto(null),
    };
}
