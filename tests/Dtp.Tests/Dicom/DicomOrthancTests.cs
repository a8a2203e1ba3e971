using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dtp.Dicom;
using Dtp.Tests.Pacs;

namespace Dtp.Tests.Dicom;

[Collection(OrthancTests.Name)]
public sealed class DicomOrthancTests(OrthancFixture orthanc)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DicomUid.ImplicitVRLittleEndian, 201)]
    [InlineData(DicomUid.ExplicitVRLittleEndian, 202)]
    [InlineData(DicomUid.ExplicitVRBigEndian, 203)]
    public async Task PostInstances_GeneratedFiles_ComeBackByteIdentical(string syntaxUid, int seed)
    {
        var server = orthanc.Server;
        using var http = server.CreateClient();
        var options = new SyntheticStudyOptions
        {
            Seed = seed, SeriesPerStudy = 3, InstancesPerSeries = 3, Modalities = ["MR", "CT", "SC"],
            TransferSyntax = DicomTransferSyntax.FromUid(syntaxUid),
        };

        foreach (var file in SyntheticStudies.Generate(options))
        {
            var bytes = file.ToArray();
            using var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            using var posted = await http.PostAsync(new Uri("instances", UriKind.Relative), content, Ct);
            var body = await posted.Content.ReadAsStringAsync(Ct);
            Assert.True(posted.IsSuccessStatusCode, $"POST /instances: {(int)posted.StatusCode} {body}\n{server.ReadLog()}");
            using var json = JsonDocument.Parse(body);
            var id = json.RootElement.GetProperty("ID").GetString();
            Assert.Equal("Success", json.RootElement.GetProperty("Status").GetString());

            var stored = await http.GetByteArrayAsync(new Uri($"instances/{id}/file", UriKind.Relative), Ct);
            var tags = await http.GetFromJsonAsync<JsonElement>(new Uri($"instances/{id}/simplified-tags", UriKind.Relative), Ct);

            Assert.Equal(bytes, stored);
            Assert.Equal(file.Dataset.GetString(DicomTag.SOPInstanceUID), tags.GetProperty("SOPInstanceUID").GetString());
            Assert.Equal(file.Dataset.GetString(DicomTag.Modality), tags.GetProperty("Modality").GetString());
        }
    }
}
