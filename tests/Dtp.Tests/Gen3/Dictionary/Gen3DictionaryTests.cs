using System.Text.Json.Nodes;
using Dtp.Gen3.Dictionary;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Gen3.Dictionary;

public sealed class Gen3DictionaryTests
{
    [Fact]
    public void Sds_Loaded_HasEveryNodeWithLinks()
    {
        var dictionary = Gen3Dictionary.Sds;

        var caseNode = dictionary.Nodes["case"];

        Assert.Equal(20, dictionary.Nodes.Count);
        Assert.Contains("root", dictionary.Nodes.Keys);
        var link = Assert.Single(caseNode.Links);
        Assert.Equal(new DictionaryLink("experiments", "cases", "member_of", "experiment", "many_to_one", true), link);
        Assert.Equal([["id"], ["project_id", "submitter_id"]], caseNode.UniqueKeys);
        Assert.False(dictionary.Nodes["program"].Submittable);
    }

    [Fact]
    public async Task ToAllDocument_Sds_MatchesSheepdogAllForEveryNodeSchema()
    {
        var recorded = JsonNode.Parse(await File.ReadAllTextAsync(Requirements.Reference("gen3/sheepdog_dictionary_all_sds_v2_0_0.json"), TestContext.Current.CancellationToken))!.AsObject();

        var ours = Gen3Dictionary.Sds.ToAllDocument();

        Assert.Equal(recorded.Select(p => p.Key).Order(StringComparer.Ordinal), ours.Select(p => p.Key).Order(StringComparer.Ordinal));
        foreach (var (name, expected) in recorded.Where(p => Gen3Dictionary.Sds.Nodes.ContainsKey(p.Key)))
        {
            Assert.True(JsonNode.DeepEquals(Sorted(expected), Sorted(ours[name])), $"{name} differs from sheepdog's resolved copy");
        }
    }

    [Fact]
    public async Task LoadAsync_SheepdogAllJson_ValidatesLikeTheYamlFolder()
    {
        var path = Requirements.Reference("gen3/sheepdog_dictionary_all_sds_v2_0_0.json");
        var record = new JsonObject { ["type"] = "case", ["submitter_id"] = "s", ["age"] = 42 };

        var dictionary = await Gen3Dictionary.LoadAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(Gen3Dictionary.Sds.Validate(record).Select(e => e.Message).Order(StringComparer.Ordinal), dictionary.Validate(record).Select(e => e.Message).Order(StringComparer.Ordinal));
        Assert.Equal(Gen3Dictionary.Sds.Nodes.Keys.Order(StringComparer.Ordinal), dictionary.Nodes.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task LoadAsync_SchemaJsonKeyedByFileName_ResolvesReferences()
    {
        var path = Requirements.Reference("gen3/upstream/sheepdog_tests_datadict/dictionary_schema_json_format.json");

        var dictionary = await Gen3Dictionary.LoadAsync(path, TestContext.Current.CancellationToken);

        var idSchema = dictionary.Nodes["case"].Schema["properties"]!["id"]!;
        Assert.NotNull(idSchema["pattern"]);
        Assert.Null(idSchema["$ref"]);
    }

    [Fact]
    public async Task LoadAsync_GdcDictionary_ValidExamplesAreAccepted()
    {
        var folder = Requirements.Reference("gen3/upstream/gdcdictionary_2_0_4");
        var dictionary = await Gen3Dictionary.LoadAsync(Path.Combine(folder, "schemas"), TestContext.Current.CancellationToken);

        var failures = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(folder, "examples", "valid"), "*.json"))
        {
            var node = JsonNode.Parse(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
            foreach (var record in node is JsonArray list ? list.OfType<JsonObject>() : [node!.AsObject()])
            {
                failures.AddRange(dictionary.Validate(record).Select(e => $"{Path.GetFileName(file)}: {e.Message}"));
            }
        }

        Assert.Equal(28, dictionary.Nodes.Count - 2);
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("aliquot_invalid_1.json", "ERROR", "Additional properties are not allowed ('alias', 'derived_from' were unexpected)")]
    [InlineData("aliquot_invalid_2.json", "ERROR", "Additional properties are not allowed ('alias', 'derived_from' were unexpected)")]
    [InlineData("aliquot_invalid_3.json", "MISSING_PROPERTY", "'submitter_id' is a required property")]
    [InlineData("case_invalid_1.json", "MISSING_PROPERTY", "'submitter_id' is a required property")]
    [InlineData("case_invalid_2.json", "ERROR", "Additional properties are not allowed ('alias', 'member_of', 'gender', 'race' were unexpected)")]
    public async Task Validate_GdcInvalidExample_RejectedWithSheepdogError(string file, string type, string message)
    {
        var folder = Requirements.Reference("gen3/upstream/gdcdictionary_2_0_4");
        var dictionary = await Gen3Dictionary.LoadAsync(Path.Combine(folder, "schemas"), TestContext.Current.CancellationToken);
        var record = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "examples", "invalid", file), TestContext.Current.CancellationToken))!.AsObject();

        var errors = dictionary.Validate(record);

        Assert.Contains(errors, e => e.Type == type && e.Message == message);
    }

    [Fact]
    public void Validate_SdsCaseWithWrongTypeAndExtraProperty_GivesSheepdogErrorsInOrder()
    {
        var record = JsonNode.Parse("""
            {"type": "case", "experiments": {"submitter_id": "dataset-1"}, "pool_id": "", "subject_experimental_group": "g1",
             "age": 42, "sex": "Female", "species": "Homo sapiens", "strain": "", "rrid_for_strain": "", "age_category": "adult",
             "also_in_dataset": "", "member_of": "", "submitter_id": "dataset-1-sub-bad", "subject_id": "sub-1", "unknown_prop": "x"}
            """)!.AsObject();

        var errors = Gen3Dictionary.Sds.Validate(record);

        Assert.Equal(
            [
                new RecordError([], "Additional properties are not allowed ('unknown_prop' was unexpected)", "ERROR"),
                new RecordError(["age"], "42 is not of type 'string'", "INVALID_VALUE"),
            ],
            errors,
            RecordErrorComparer.Instance);
    }

    [Fact]
    public void Validate_SdsCaseMissingProperties_ListsEachInDictionaryOrder()
    {
        var record = new JsonObject { ["type"] = "case", ["submitter_id"] = "dataset-1-sub-nolink", ["subject_id"] = "x" };

        var errors = Gen3Dictionary.Sds.Validate(record);

        Assert.All(errors, e => Assert.Equal("MISSING_PROPERTY", e.Type));
        Assert.Equal(
            ["experiments", "pool_id", "subject_experimental_group", "age", "sex", "species", "strain", "rrid_for_strain", "age_category", "also_in_dataset", "member_of"],
            errors.Select(e => Assert.Single(e.Keys)));
        Assert.Equal("'experiments' is a required property", errors[0].Message);
    }

    [Theory]
    [InlineData("{\"type\":\"case\",\"disease_or_disorder\":\"flu\"}", "disease_or_disorder", "'flu' is not one of ['disease', 'disorder']")]
    [InlineData("{\"type\":\"case\",\"experiments\":{\"id\":\"nope\"}}", "experiments", "{'id': 'nope'} is not valid under any of the given schemas")]
    [InlineData("{\"type\":\"case\",\"age\":[1.5, true, null]}", "age", "[1.5, True, None] is not of type 'string'")]
    [InlineData("{\"type\":\"case\",\"age\":\"it's\"}", "", "")]
    public void Validate_BadValue_UsesPythonRepr(string json, string key, string message)
    {
        var record = JsonNode.Parse(json)!.AsObject();

        var errors = Gen3Dictionary.Sds.Validate(record).Where(e => e.Type == "INVALID_VALUE").ToList();

        if (message.Length == 0)
        {
            Assert.Empty(errors);
            return;
        }

        var error = Assert.Single(errors);
        Assert.Equal([key], error.Keys);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Validate_UnknownType_IsInvalidType()
    {
        var errors = Gen3Dictionary.Sds.Validate(new JsonObject { ["type"] = "nosuchnode" });

        var error = Assert.Single(errors);
        Assert.Equal("INVALID_TYPE", error.Type);
        Assert.Equal("Node type \"nosuchnode\" not found in dictionary", error.Message);
    }

    [Theory]
    [InlineData(0.4, "0.4")]
    [InlineData(5.0, "5.0")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(1e16, "1e+16")]
    [InlineData(123456789012345.0, "123456789012345.0")]
    [InlineData(-0.0001, "-0.0001")]
    [InlineData(2.5e-300, "2.5e-300")]
    public void Float_Value_PrintsAsPython(double value, string expected)
    {
        var text = PythonRepr.Float(value);

        Assert.Equal(expected, text);
    }

    [Fact]
    public async Task LoadAsync_CircularReference_NamesTheReference()
    {
        var folder = Directory.CreateTempSubdirectory("dtp-dict-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "thing.yaml"), "id: thing\nproperties:\n  x:\n    $ref: \"_definitions.yaml#/a\"\n", TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "_definitions.yaml"), "a:\n  $ref: \"#/b\"\nb:\n  $ref: \"#/a\"\n", TestContext.Current.CancellationToken);

            var ex = await Assert.ThrowsAsync<DtpException>(() => Gen3Dictionary.LoadAsync(folder.FullName, TestContext.Current.CancellationToken));

            Assert.Contains("circular $ref", ex.Message, StringComparison.Ordinal);
            Assert.Contains("_definitions.yaml", ex.Message, StringComparison.Ordinal);
            Assert.Equal(DtpErrorKind.Local, ex.Kind);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Sorted)]),
        _ => node?.DeepClone(),
    };

    private sealed class RecordErrorComparer : IEqualityComparer<RecordError>
    {
        public static readonly RecordErrorComparer Instance = new();

        public bool Equals(RecordError? x, RecordError? y) =>
            x is not null && y is not null && x.Message == y.Message && x.Type == y.Type && x.Keys.SequenceEqual(y.Keys);

        public int GetHashCode(RecordError obj) => obj.Message.GetHashCode(StringComparison.Ordinal);
    }
}
