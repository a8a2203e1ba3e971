using System.Text.Json.Nodes;
using Dtp.Conversion;
using Dtp.Gen3.Dictionary;
using Dtp.Sds;
using Dtp.Storage;
using Dtp.Tests.Infrastructure;
using Dtp.Tests.Sds;

namespace Dtp.Tests.Conversion;

/// <summary><see cref="SdsFromGen3"/>: Gen3 records back to SDS metadata files, and the round trip through the converter.</summary>
public sealed class SdsFromGen3Tests : IDisposable
{
    private const string Experiment = "dataset-12L_1-version-1";
    private readonly string root = Directory.CreateTempSubdirectory("dtp-sds-from-gen3-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static JsonArray Link(string submitterId) => new(new JsonObject { ["submitter_id"] = submitterId });

    /// <summary>Records shaped as peregrine returns them: every scalar property, nulls included, links as arrays.</summary>
    private static Gen3DatasetRecords PeregrineRecords(string metadataVersion = "2.0.0") => new(
        new JsonObject
        {
            ["type"] = "experiment",
            ["submitter_id"] = Experiment,
            ["id"] = "c0ffee00-0000-4000-8000-000000000001",
            ["project_id"] = "demo1-12L",
            ["state"] = "validated",
            ["experimental_description"] = "Only Gen3 knows this",
            ["number_experimental_group"] = null,
        },
        new JsonObject
        {
            ["type"] = "dataset_description",
            ["submitter_id"] = Experiment + "-dataset_description",
            ["experiments"] = Link(Experiment),
            ["metadata_version"] = new JsonArray(metadataVersion),
            ["dataset_type"] = new JsonArray("experimental"),
            ["title"] = new JsonArray("A \"quoted\" title\nwith a newline"),
            ["keywords"] = new JsonArray("brain", "MRI"),
            ["study_purpose"] = new JsonArray("NA"),
            ["funding"] = new JsonArray("NA"),
            ["number_of_subjects"] = new JsonArray(2),
            ["number_of_samples"] = new JsonArray(0),
            ["created_datetime"] = "2026-11-26T00:00:00+00:00",
        },
        [
            new JsonObject
            {
                ["type"] = "case", ["submitter_id"] = Experiment + "-subjects-sub-1", ["experiments"] = Link(Experiment),
                ["subject_id"] = "sub-1", ["age"] = "30", ["sex"] = "Female", ["pool_id"] = "NA", ["laboratory_internal_id"] = "NA",
                ["also_in_dataset"] = null,
            },
            new JsonObject { ["type"] = "case", ["submitter_id"] = Experiment + "-subjects-sub-2", ["experiments"] = Link(Experiment), ["subject_id"] = "sub-2" },
        ],
        [
            new JsonObject { ["type"] = "sample", ["submitter_id"] = Experiment + "-samples-sub-2-sam-1", ["cases"] = Link(Experiment + "-subjects-sub-2"), ["sample_id"] = "sam-1" },
        ],
        [
            new JsonObject
            {
                ["type"] = "manifest", ["submitter_id"] = Experiment + "-manifest-primary-a.dcm", ["experiments"] = Link(Experiment),
                ["filename"] = "primary/sub-1/a.dcm", ["timestamp"] = "2023-09-01T10:00:00", ["file_type"] = ".dcm",
                ["is_derived_from"] = new JsonArray("x.dcm", "y.dcm"), ["supplemental_json_metadata"] = "{\"k\": 1}",
            },
        ]);

    [Fact]
    public void DetectVersion_MetadataVersionOrNone_ReturnsItOr200()
    {
        var reverse = new SdsFromGen3();
        var records = PeregrineRecords("1.2.3");

        Assert.Equal(SdsVersion.V123, reverse.DetectVersion(records));
        Assert.Equal(SdsVersion.V302, reverse.DetectVersion(records with { DatasetDescription = new JsonObject { ["metadata_version"] = "3.0.2" } }));
        Assert.Equal(SdsVersion.V200, reverse.DetectVersion(records with { DatasetDescription = null }));
    }

    [Fact]
    public async Task WriteAsync_PeregrineRecords_WritesTemplateFilesWithValuesPlaceholdersBlankAndFindings()
    {
        var folder = Path.Combine(root, Experiment);

        var result = await new SdsFromGen3().WriteAsync(PeregrineRecords(), folder, cancellationToken: Ct);
        var dataset = await SdsDatasetReader.ReadAsync(folder, cancellationToken: Ct);

        Assert.Equal(["dataset_description.xlsx", "subjects.xlsx", "samples.xlsx", "manifest.xlsx"], result.FilesWritten);
        Assert.Equal(["dataset_description.xlsx", "manifest.xlsx", "samples.xlsx", "subjects.xlsx"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetDirectories(folder));
        Assert.Equal(SdsVersion.V200, dataset.Version);
        var description = dataset.DatasetDescription!;
        Assert.Equal("experimental", description.Element("type")!.First!.Text);
        Assert.Equal("A \"quoted\" title\nwith a newline", description.Element("title")!.First!.Text);
        Assert.Equal(["brain", "MRI"], description.Element("keywords")!.Values.Select(v => v.Text));
        Assert.Equal("2", description.Element("number_of_subjects")!.First!.Text);
        Assert.Equal("0", description.Element("number_of_samples")!.First!.Text);
        Assert.Empty(description.Element("study_purpose")!.Values);
        Assert.Equal("NA", description.Element("funding")!.First!.Text);
        Assert.Null(description.Element("created_datetime"));
        var subject = dataset.Subjects!.Records[0];
        Assert.Equal(["subject_id", "age", "sex", "laboratory_internal_id"], subject.Values.Keys);
        Assert.Equal("NA", subject["laboratory_internal_id"]!.Text);
        Assert.Equal("sub-2", dataset.Samples!.Records[0]["subject_id"]!.Text);
        Assert.Equal("sam-1", dataset.Samples!.Records[0]["sample_id"]!.Text);
        var file = dataset.Manifests.Single();
        Assert.Equal("manifest.xlsx", file.Path);
        Assert.Equal("primary/sub-1/a.dcm", file.Records[0]["filename"]!.Text);
        Assert.Equal("x.dcm, y.dcm", file.Records[0]["is_derived_from"]!.Text);
        Assert.Equal("{\"k\": 1}", file.Records[0]["supplemental_json_metadata"]!.Text);
        Assert.Equal(
        [
            ("experiment", "experimental_description"),
            ("manifest", "is_derived_from"),
            ("manifest", "supplemental_json_metadata"),
        ], result.Findings.Select(f => (f.Node!, f.Property!)).Order());
        Assert.All(result.Findings, f => Assert.Equal(ConversionSeverity.Warning, f.Severity));
        Assert.Contains("extra column 'is_derived_from'", result.Findings.Single(f => f.Property == "is_derived_from").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_ManifestWithDtpFacts_WritesOnlyTheCuratorsSupplementalMetadata()
    {
        var folder = Path.Combine(root, Experiment);
        var records = PeregrineRecords();
        var facts = new ManifestFileFacts(3, new string('a', 64));
        var onlyFacts = records.Manifests[0].DeepClone().AsObject();
        onlyFacts["supplemental_json_metadata"] = facts.WriteInto(null);
        var withCurators = records.Manifests[0].DeepClone().AsObject();
        withCurators["filename"] = "primary/sub-1/b.dcm";
        withCurators["supplemental_json_metadata"] = facts.WriteInto("""{"k": 1}""");

        var onlyFactsResult = await new SdsFromGen3().WriteAsync(records with { Manifests = [onlyFacts] }, folder, cancellationToken: Ct);
        var onlyFactsTable = (await SdsDatasetReader.ReadAsync(folder, cancellationToken: Ct)).Manifests.Single();
        var withCuratorsResult = await new SdsFromGen3().WriteAsync(records with { Manifests = [withCurators] }, folder, cancellationToken: Ct);
        var withCuratorsRow = (await SdsDatasetReader.ReadAsync(folder, cancellationToken: Ct)).Manifests.Single().Records[0];

        Assert.Null(onlyFactsTable.Header("supplemental_json_metadata"));
        Assert.Equal("primary/sub-1/a.dcm", onlyFactsTable.Records[0]["filename"]!.Text);
        Assert.DoesNotContain(onlyFactsResult.Findings, f => f.Property == "supplemental_json_metadata");
        Assert.Equal("""{"k":1}""", withCuratorsRow["supplemental_json_metadata"]!.Text);
        Assert.Contains(withCuratorsResult.Findings, f => f.Property == "supplemental_json_metadata");
        Assert.True(ManifestFileFacts.TryRead((string?)onlyFacts["supplemental_json_metadata"], out _));
    }

    [Fact]
    public async Task WriteAsync_Version123_UsesOldElementNamesAndReportsWhatTheTemplateLacks()
    {
        var records = PeregrineRecords("1.2.3");
        records.Cases[0]["member_of"] = "cohort-a";

        var result = await new SdsFromGen3().WriteAsync(records, root, cancellationToken: Ct);
        var dataset = await SdsDatasetReader.ReadAsync(root, cancellationToken: Ct);
        var python = await SdsWriterTests.ReadWithOpenpyxlAsync(Path.Combine(root, "dataset_description.xlsx"));

        Assert.Equal(SdsVersion.V123, dataset.Version);
        Assert.Equal("A \"quoted\" title\nwith a newline", dataset.DatasetDescription!.Element("title")!.First!.Text);
        Assert.Equal("cohort-a", dataset.Subjects!.Records[0]["member_of"]!.Text);
        Assert.Contains(result.Findings, f => f is { Node: "case", Property: "member_of" } && f.Message.Contains("SDS 1.2.3 template", StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f is { Node: "dataset_description", Property: "dataset_type" } && f.Message.Contains("extra row", StringComparison.Ordinal));
        Assert.Contains(python.Rows, r => r is ["Name", _, _, "A \"quoted\" title\nwith a newline", ..]);
        Assert.Contains(python.Rows, r => r is ["Metadata Version DO NOT CHANGE", _, _, "1.2.3", ..]);
    }

    [Fact]
    public async Task WriteAsync_ExistingFiles_ReplacedWithNoStagingLeft()
    {
        await File.WriteAllTextAsync(Path.Combine(root, "subjects.xlsx"), "old", Ct);

        await new SdsFromGen3().WriteAsync(PeregrineRecords(), root, cancellationToken: Ct);

        Assert.NotEqual("old", await File.ReadAllTextAsync(Path.Combine(root, "subjects.xlsx"), Ct));
        Assert.Empty(Directory.GetDirectories(root));
    }

    [Fact]
    public async Task WriteAsync_Cancelled_ReplacesNothing()
    {
        await File.WriteAllTextAsync(Path.Combine(root, "subjects.xlsx"), "old", Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SdsFromGen3().WriteAsync(PeregrineRecords(), root, cancellationToken: cancelled.Token));

        Assert.Equal(["subjects.xlsx"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
        Assert.Equal("old", await File.ReadAllTextAsync(Path.Combine(root, "subjects.xlsx"), Ct));
    }

    [Fact]
    public async Task WriteAsync_NoDatasetDescriptionNoSamplesNoManifest_WritesDescriptionWithVersionOnly()
    {
        var records = PeregrineRecords() with { DatasetDescription = null, Samples = [], Manifests = [] };

        var result = await new SdsFromGen3().WriteAsync(records, root, SdsVersion.V302, Ct);
        var dataset = await SdsDatasetReader.ReadAsync(root, cancellationToken: Ct);

        Assert.Equal(["dataset_description.xlsx", "subjects.xlsx"], result.FilesWritten);
        Assert.Equal(SdsVersion.V302, dataset.Version);
        Assert.DoesNotContain(dataset.DatasetDescription!.Elements, e => e.Key != "metadata_version" && e.Values.Count > 0);
        Assert.Contains(result.Findings, f => f.Node == "dataset_description" && f.Property is null);
    }

    public static TheoryData<string, string> Examples => new()
    {
        { "dtp/inputs/example_sds_dataset_2.0.0", "2.0.0" },
        { "dtp/inputs/synthetic_sds_1.2.3", "1.2.3" },
        { "sds/examples/digitaltwins-example-sds-2.0.0", "2.0.0" },
        { "sds/examples/soda-test-dataset-2.1.0", "2.1.0" },
        { "sds/examples/sparc-me-test-data-1.2.3", "1.2.3" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public Task WriteAsync_ConvertedExample_ReadsBackWithTheSourceValuesTheDictionaryHolds(string input, string version) =>
        AssertRoundTripAsync(Requirements.Reference(input), version);

    [Theory]
    [MemberData(nameof(SdsFixture.Versions), MemberType = typeof(SdsFixture))]
    public async Task WriteAsync_ConvertedFixtureOfVersion_ReadsBackInThatVersionWithTheSourceValues(string version)
    {
        var source = Path.Combine(root, "sds");
        await SdsFixture.WriteAsync(source, SdsVersion.Parse(version), Ct);

        await AssertRoundTripAsync(source, version);
    }

    /// <summary>SDS → default-mode conversion → <see cref="SdsFromGen3"/> → both read back: equal values wherever the dictionary holds one.</summary>
    private async Task AssertRoundTripAsync(string source, string version)
    {
        var converted = Path.Combine(root, "gen3");
        var back = Path.Combine(root, "back");
        var conversion = await new Gen3Convertor("12L", Experiment, version).ExecuteAsync(source, converted, Ct);
        var records = await LoadAsync(converted);

        var reverse = new SdsFromGen3();
        var detected = reverse.DetectVersion(records);
        var result = await reverse.WriteAsync(records, back, cancellationToken: Ct);
        var expected = await SdsDatasetReader.ReadAsync(source, SdsVersion.Parse(version), cancellationToken: Ct);
        var actual = await SdsDatasetReader.ReadAsync(back, cancellationToken: Ct);

        Assert.Equal(SdsVersion.Parse(version), detected);
        Assert.Equal(detected, actual.Version);
        Assert.DoesNotContain(result.Findings, f => f.Message.Contains("left out", StringComparison.Ordinal));
        Assert.NotEmpty(Description(expected.DatasetDescription!));
        Assert.Equal(Description(expected.DatasetDescription!), Description(actual.DatasetDescription!));
        Assert.Equal(expected.Subjects?.Records.Count ?? 0, actual.Subjects?.Records.Count ?? 0);
        Assert.Equal(Rows("case", "subjects", expected.Subjects, "subject_id"), Rows("case", "subjects", actual.Subjects, "subject_id"));
        Assert.Equal(Rows("sample", "samples", expected.Samples, "sample_id"), Rows("sample", "samples", actual.Samples, "sample_id"));
        Assert.Equal(expected.Manifests.SelectMany(m => Rows("manifest", "manifest", m, "filename")).ToDictionary(),
            Rows("manifest", "manifest", actual.Manifests.SingleOrDefault(), "filename"));
        Assert.Equal(conversion.RecordsPerNode.GetValueOrDefault("manifest"), actual.Manifests.Sum(m => m.Records.Count));
    }

    private static async Task<Gen3DatasetRecords> LoadAsync(string folder)
    {
        async Task<JsonNode?> Read(string file) =>
            File.Exists(Path.Combine(folder, file)) ? JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, file), Ct)) : null;
        async Task<List<JsonObject>> List(string file) => (await Read(file) as JsonArray)?.Select(n => n!.AsObject()).ToList() ?? [];
        return new Gen3DatasetRecords((JsonObject)(await Read("experiment.json"))!, await Read("dataset_description.json") as JsonObject,
            await List("subjects.json"), await List("samples.json"), await List("manifest.json"));
    }

    private static DictionaryNode Node(string name) => Gen3Dictionary.Sds.Nodes[name];

    /// <summary>Whether default mode wrote the placeholder instead of this value (it cannot be told apart from a source "NA").</summary>
    private static bool Placeholder(DictionaryNode node, string property, IReadOnlyList<string> texts) =>
        texts is [DefaultConversion.Placeholder] && node.Required.Contains(property);

    /// <summary>The values of dataset_description that the dictionary holds, by dictionary property.</summary>
    private static SortedDictionary<string, string> Description(SdsElementFile file)
    {
        var node = Node("dataset_description");
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var element in file.Elements.Where(e => e.Values.Count > 0 && e.Key != "metadata_version"))
        {
            var texts = element.Values.Select(v => v.Text).ToList();
            if (DefaultConversion.Property(node, "dataset_description", element.Key) is { } property && !Placeholder(node, property, texts))
            {
                values.TryAdd(property, string.Join(" | ", texts));
            }
        }

        return values;
    }

    /// <summary>The values of a table that the dictionary holds, per record id (manifest ids resolved to dataset-relative paths).</summary>
    private static Dictionary<string, SortedDictionary<string, string>> Rows(string nodeName, string category, SdsTableFile? file, string idKey)
    {
        var node = Node(nodeName);
        var rows = new Dictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        var folder = Path.GetDirectoryName(file?.Path)?.Replace('\\', '/') ?? string.Empty;
        foreach (var record in file?.Records ?? [])
        {
            if (record[idKey] is not { } id)
            {
                continue;
            }

            var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in record.Values)
            {
                if (DefaultConversion.Property(node, category, key) is { } property && !Placeholder(node, property, [value.Text]))
                {
                    values.TryAdd(property, value.Text);
                }
            }

            var name = id.Text.StartsWith("./", StringComparison.Ordinal) ? id.Text[2..] : id.Text;
            var recordKey = idKey == "filename" ? (folder.Length > 0 ? $"{folder}/{name}" : name) : $"{record["subject_id"]?.Text}/{id.Text}";
            if (idKey == "filename")
            {
                values["filename"] = recordKey;
            }

            rows.TryAdd(recordKey, values);
        }

        return rows;
    }
}
