using Dtp.Sds;

namespace Dtp.Tests.Conversion;

/// <summary>Writes a small template-faithful SDS dataset (2.0.0 or later) through <see cref="SdsMetadataWriter"/>.</summary>
internal static class SdsFixture
{
    public const string License = "CC-BY-4.0";

    /// <summary>
    /// Two subjects, one sample, a manifest in <c>primary/</c>, a code_description, one performance and one resource; from 3.0.0
    /// on also values of elements and columns that the SDS dictionary cannot hold (License, metadata only, entity).
    /// </summary>
    public static async Task WriteAsync(string folder, SdsVersion version, CancellationToken cancellationToken)
    {
        var v3 = version.AtLeast(SdsVersion.V300);
        var description = new Dictionary<string, IReadOnlyList<string>>
        {
            ["type"] = ["experimental"],
            ["title"] = ["Round trip"],
            ["keywords"] = ["heart", "MRI"],
            ["contributor_name"] = ["Doe, Jane", "Roe, Richard"],
            ["contributor_role"] = ["PrincipalInvestigator", "Researcher"],
            ["number_of_subjects"] = ["2"],
            ["number_of_samples"] = ["1"],
        };
        if (v3)
        {
            description["license"] = [License];
        }

        await SdsMetadataWriter.WriteElementsAsync(Path.Combine(folder, "dataset_description.xlsx"), SdsFileKind.DatasetDescription, version, description,
            cancellationToken: cancellationToken);
        await SdsMetadataWriter.WriteTableAsync(Path.Combine(folder, "subjects.xlsx"), SdsFileKind.Subjects, version,
        [
            Row(("subject_id", "sub-1"), ("age", "30"), ("sex", "Female"), ("species", "Homo sapiens"), ("metadata_only", v3 ? "no" : null)),
            Row(("subject_id", "sub-2"), ("age", "41"), ("sex", "Male"), ("species", "Homo sapiens")),
        ], cancellationToken: cancellationToken);
        await SdsMetadataWriter.WriteTableAsync(Path.Combine(folder, "samples.xlsx"), SdsFileKind.Samples, version,
            [Row(("sample_id", "sam-1"), ("subject_id", "sub-1"), ("sample_type", "tissue"))], cancellationToken: cancellationToken);
        Directory.CreateDirectory(Path.Combine(folder, "primary"));
        await SdsMetadataWriter.WriteTableAsync(Path.Combine(folder, "primary", "manifest.xlsx"), SdsFileKind.Manifest, version,
            [Row(("filename", "sub-1/a.dcm"), ("timestamp", "2023-09-01T10:00:00"), ("description", "scan"), ("file_type", "dcm"), ("entity", v3 ? "sub-1" : null))],
            cancellationToken: cancellationToken);
        await SdsMetadataWriter.WriteElementsAsync(Path.Combine(folder, "code_description.xlsx"), SdsFileKind.CodeDescription, version,
            new Dictionary<string, IReadOnlyList<string>> { ["RRID Term"] = ["ImageJ"] }, cancellationToken: cancellationToken);
        await SdsMetadataWriter.WriteTableAsync(Path.Combine(folder, "performances.xlsx"), SdsFileKind.Performances, version,
            [Row(("performance_id", "perf-1"), ("date", "2023-09-01"))], cancellationToken: cancellationToken);
        await SdsMetadataWriter.WriteTableAsync(Path.Combine(folder, "resources.xlsx"), SdsFileKind.Resources, version,
            [Row(("rrid", "RRID:SCR_003070"), ("url", "https://imagej.net"), ("vendor", "NIH"), ("version", "1.54"))], cancellationToken: cancellationToken);
    }

    private static Dictionary<string, string?> Row(params (string Key, string? Value)[] cells) =>
        cells.Where(c => c.Value is not null).ToDictionary(c => c.Key, c => c.Value);
}
