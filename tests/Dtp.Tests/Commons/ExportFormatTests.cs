using System.Text;
using System.Text.Json.Nodes;
using Dtp.Testing.Commons;

namespace Dtp.Tests.Commons;

/// <summary>
/// Byte-exact exports of records holding text that needs JSON escaping or TSV quoting, non-ASCII text, lists, numbers and
/// links to a project (code) and to a record (submitter_id): node exports and exports by id, as JSON and as TSV.
/// Record ids are random, so each is replaced by <c>&lt;type:submitter_id&gt;</c> before comparing.
/// </summary>
public sealed class ExportFormatTests
{
    private const string Tricky = "tab\there \"quoted\" back\\slash <b>&amp; é ✓ 😀";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExportNode_Json_WritesStoredPropertiesLinksAndEscapedText()
    {
        await using var fixture = await Fixture.StartAsync();

        var texts = new List<string>();
        foreach (var type in new[] { "experiment", "case", "manifest", "aliquot" })
        {
            texts.Add(await fixture.GetAsync($"api/v0/submission/demo/p1/export?node_label={type}&format=json"));
        }

        Assert.Equal(
            [
                """{"data":[{"project_id":"demo-p1","submitter_id":"e1","projects":[{"node_id":"<project:p1>","code":"p1"}],"id":"<experiment:e1>","type":"experiment"}]}""",
                """{"data":[{"project_id":"demo-p1","submitter_id":"c1","age":"30 years","age_category":"adult","also_in_dataset":"","member_of":"","pool_id":"","rrid_for_strain":"","sex":"Female","species":"Homo sapiens","strain":"","subject_experimental_group":"tab\there \u0022quoted\u0022 back\\slash \u003Cb\u003E\u0026amp; \u00E9 \u2713 \uD83D\uDE00","subject_id":"c1","experiments":[{"node_id":"<experiment:e1>","submitter_id":"e1"}],"id":"<case:c1>","type":"case"}]}""",
                """{"data":[{"project_id":"demo-p1","submitter_id":"m1","description":"line one\nline two","file_type":".txt","filename":"a b.txt","is_described_by":["x","y,z"],"timestamp":"2026-11-26","experiments":[{"node_id":"<experiment:e1>","submitter_id":"e1"}],"id":"<manifest:m1>","type":"manifest"}]}""",
                """{"data":[{"project_id":"demo-p1","submitter_id":"a1","aliquot_quantity":1.5,"aliquot_volume":2,"amount":1E-07,"samples":[{"node_id":"<sample:s1>","submitter_id":"s1"}],"id":"<aliquot:a1>","type":"aliquot"}]}""",
            ],
            texts);
    }

    [Fact]
    public async Task ExportNode_Tsv_WritesOneUnquotedLinePerRecordWithEmptyNulls()
    {
        await using var fixture = await Fixture.StartAsync();

        var caseTsv = await fixture.GetAsync("api/v0/submission/demo/p1/export?node_label=case&format=tsv");
        var manifestTsv = await fixture.GetAsync("api/v0/submission/demo/p1/export?node_label=manifest&format=tsv");
        var aliquotTsv = await fixture.GetAsync("api/v0/submission/demo/p1/export?node_label=aliquot&format=tsv");

        Assert.Equal(
            "type\tid\tproject_id\tsubmitter_id\tage\tage_category\talso_in_dataset\tmember_of\tpool_id\trrid_for_strain\tsex\tspecies\tstrain\tsubject_experimental_group\tsubject_id\tage_range_max\tage_range_min\tbody_mass\tdate_of_birth\tdisease_model\tdisease_or_disorder\texperiment_date\texperimental_log_file_path\tgenotype\thandedness\tintervention\tlaboratory_internal_id\tphenotype\tprotocol_title\tprotocol_url_or_doi\treference_atlas\texperiments.id\texperiments.submitter_id\n"
            + "case\t<case:c1>\tdemo-p1\tc1\t30 years\tadult\t\t\t\t\tFemale\tHomo sapiens\t\ttab\there \"quoted\" back\\slash <b>&amp; \u00E9 \u2713 \uD83D\uDE00\tc1\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t<experiment:e1>\te1\n",
            caseTsv);
        Assert.Equal(
            "type\tid\tproject_id\tsubmitter_id\tdescription\tfile_type\tfilename\ttimestamp\tadditional_metadata\tadditional_types\tis_derived_from\tis_described_by\tis_source_of\tsupplemental_json_metadata\texperiments.id\texperiments.submitter_id\n"
            + "manifest\t<manifest:m1>\tdemo-p1\tm1\tline one\nline two\t.txt\ta b.txt\t2026-11-26\t\t\t\tx,y,z\t\t\t<experiment:e1>\te1\n",
            manifestTsv);
        Assert.Equal(
            "type\tid\tproject_id\tsubmitter_id\taliquot_quantity\taliquot_volume\tamount\tanalyte_type\tanalyte_type_id\tconcentration\tsource_center\tsamples.id\tsamples.submitter_id\n"
            + "aliquot\t<aliquot:a1>\tdemo-p1\ta1\t1.5\t2\t1e-07\t\t\t\t\t<sample:s1>\ts1\n",
            aliquotTsv);
    }

    [Fact]
    public async Task ExportRecords_JsonAndTsv_WriteEveryTemplatePropertyAndQuoteFields()
    {
        await using var fixture = await Fixture.StartAsync();
        var caseId = fixture.IdOf("case", "c1");
        var manifestId = fixture.IdOf("manifest", "m1");

        var json = await fixture.GetAsync($"api/v0/submission/demo/p1/export?ids={caseId},{manifestId}&format=json");
        var tsv = await fixture.GetAsync($"api/v0/submission/demo/p1/export?ids={caseId}&format=tsv");

        Assert.Equal(
            """
            [
              {
                "id": "<case:c1>",
                "experiments": [
                  {
                    "node_id": "<experiment:e1>",
                    "submitter_id": "e1"
                  }
                ],
                "type": "case",
                "project_id": "demo-p1",
                "submitter_id": "c1",
                "age": "30 years",
                "age_category": "adult",
                "also_in_dataset": "",
                "member_of": "",
                "pool_id": "",
                "rrid_for_strain": "",
                "sex": "Female",
                "species": "Homo sapiens",
                "strain": "",
                "subject_experimental_group": "tab\there \"quoted\" back\\slash <b>&amp; é ✓ \uD83D\uDE00",
                "subject_id": "c1",
                "age_range_max": null,
                "age_range_min": null,
                "body_mass": null,
                "date_of_birth": null,
                "disease_model": null,
                "disease_or_disorder": null,
                "experiment_date": null,
                "experimental_log_file_path": null,
                "genotype": null,
                "handedness": null,
                "intervention": null,
                "laboratory_internal_id": null,
                "phenotype": null,
                "protocol_title": null,
                "protocol_url_or_doi": null,
                "reference_atlas": null
              },
              {
                "id": "<manifest:m1>",
                "experiments": [
                  {
                    "node_id": "<experiment:e1>",
                    "submitter_id": "e1"
                  }
                ],
                "type": "manifest",
                "project_id": "demo-p1",
                "submitter_id": "m1",
                "description": "line one\nline two",
                "file_type": ".txt",
                "filename": "a b.txt",
                "timestamp": "2026-11-26",
                "additional_metadata": null,
                "additional_types": null,
                "is_derived_from": null,
                "is_described_by": [
                  "x",
                  "y,z"
                ],
                "is_source_of": null,
                "supplemental_json_metadata": null
              }
            ]
            """,
            json);
        Assert.Equal(
            "type\tid\tproject_id\tsubmitter_id\tage\tage_category\talso_in_dataset\tmember_of\tpool_id\trrid_for_strain\tsex\tspecies\tstrain\tsubject_experimental_group\tsubject_id\tage_range_max\tage_range_min\tbody_mass\tdate_of_birth\tdisease_model\tdisease_or_disorder\texperiment_date\texperimental_log_file_path\tgenotype\thandedness\tintervention\tlaboratory_internal_id\tphenotype\tprotocol_title\tprotocol_url_or_doi\treference_atlas\texperiments.id\texperiments.submitter_id\r\n"
            + "case\t<case:c1>\tdemo-p1\tc1\t30 years\tadult\t\t\t\t\tFemale\tHomo sapiens\t\t\"tab\there \"\"quoted\"\" back\\slash <b>&amp; \u00E9 \u2713 \uD83D\uDE00\"\tc1\tNone\tNone\tNone\tNone\tNone\tNone\tNone\tNone\tNone\tNone\tNone\tNone\tNone\tNone\tNone\tNone\t<experiment:e1>\te1\r\n",
            tsv);
    }

    private sealed class Fixture : IAsyncDisposable
    {
        private readonly TestCommons commons;
        private readonly HttpClient http;
        private readonly Dictionary<string, string> ids = new(StringComparer.Ordinal);

        private Fixture(TestCommons commons)
        {
            this.commons = commons;
            http = commons.CreateClient();
        }

        public static async Task<Fixture> StartAsync()
        {
            var fixture = new Fixture(await TestCommons.StartAsync(Ct));
            await fixture.commons.CreateProjectAsync("demo", "p1", Ct);
            var tricky = SdsRecords.Case("c1", "e1");
            tricky["subject_experimental_group"] = Tricky;
            var manifest = CommonsServerTests.Complete("manifest", "m1", "experiments", "e1");
            manifest["filename"] = "a b.txt";
            manifest["description"] = "line one\nline two";
            manifest["file_type"] = ".txt";
            manifest["timestamp"] = "2026-11-26";
            manifest["is_described_by"] = new JsonArray("x", "y,z");
            var aliquot = CommonsServerTests.Complete("aliquot", "a1", "samples", "s1");
            aliquot["aliquot_quantity"] = 1.5;
            aliquot["aliquot_volume"] = 2;
            aliquot["amount"] = 1e-7;
            await fixture.SubmitAsync(SdsRecords.Experiment("e1", "p1"));
            await fixture.SubmitAsync(new JsonArray(tricky, manifest, CommonsServerTests.Complete("sample", "s1", "cases", "c1")));
            await fixture.SubmitAsync(aliquot);
            fixture.ids[Dtp.Commons.Storage.Uuid5.Create(Dtp.Commons.Storage.Uuid5.ProjectNamespace, "p1")] = "<project:p1>";
            return fixture;
        }

        public string IdOf(string type, string submitterId) => ids.First(p => p.Value == $"<{type}:{submitterId}>").Key;

        public async Task<string> GetAsync(string url)
        {
            var text = await http.GetStringAsync(new Uri(url, UriKind.Relative), Ct);
            foreach (var (id, name) in ids)
            {
                text = text.Replace(id, name, StringComparison.Ordinal);
            }

            return text;
        }

        public async ValueTask DisposeAsync()
        {
            http.Dispose();
            await commons.DisposeAsync();
        }

        private async Task SubmitAsync(JsonNode body)
        {
            using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await http.PutAsync(new Uri("api/v0/submission/demo/p1", UriKind.Relative), content, Ct);
            var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
            Assert.True((bool)document["success"]!, document.ToJsonString());
            foreach (var entity in document["entities"]!.AsArray())
            {
                ids[(string)entity!["id"]!] = $"<{(string)entity["type"]!}:{(string)entity["unique_keys"]![0]!["submitter_id"]!}>";
            }
        }
    }
}
