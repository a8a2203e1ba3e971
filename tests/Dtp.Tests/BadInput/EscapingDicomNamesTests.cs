using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Dtp.Config;
using Dtp.Dicom;
using Dtp.Storage.Pacs;
using Dtp.Tests.Pacs;

namespace Dtp.Tests.BadInput;

/// <summary>
/// An instance stored in Orthanc whose tags hold path tricks (<c>../</c>, <c>/</c>, absolute paths): names dtp derives from
/// DICOM are UIDs checked to be digits and dots, so the download either files the instance under its UIDs inside the
/// destination or refuses it clearly; nothing is written outside the destination.
/// </summary>
/// <remarks>The only zip archives dtp extracts are Orthanc's series archives; their entry names are checked by <c>OrthancClient.ThrowIfEscaping</c> (see <c>PacsLayoutTests</c>).</remarks>
[Collection(OrthancTests.Name)]
public sealed partial class EscapingDicomNamesTests(OrthancFixture orthanc)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Cases() => new()
    {
        { "PatientID", "../../escaped-patient" },
        { "PatientID", "/tmp/escaped-patient" },
        { "SeriesDescription", "../../../escaped-series" },
        { "SeriesDescription", "a/b/../../../escaped" },
        { "SOPInstanceUID", "../../escaped-sop" },
        { "SOPInstanceUID", "/tmp/escaped-sop" },
        { "SeriesInstanceUID", "../escaped-series-uid" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task DownloadStudyAsync_InstanceWithPathTricksInItsTags_WritesOnlyInsideTheDestinationOrRefuses(string tag, string value)
    {
        var work = Directory.CreateTempSubdirectory("dtp-escape-dicom-").FullName;
        var destination = Path.Combine(work, "a", "b", "dest");
        var instance = SyntheticStudies.Generate(new SyntheticStudyOptions { Seed = Random.Shared.Next(), SeriesPerStudy = 1, InstancesPerSeries = 1, Rows = 8, Columns = 8 }).Single();
        var study = instance.Dataset.GetString(DicomTag.StudyInstanceUID)!;
        var (dicomTag, vr) = tag switch
        {
            "PatientID" => (DicomTag.PatientID, DicomVR.LO),
            "SeriesDescription" => (DicomTag.SeriesDescription, DicomVR.LO),
            "SOPInstanceUID" => (DicomTag.SOPInstanceUID, DicomVR.UI),
            _ => (DicomTag.SeriesInstanceUID, DicomVR.UI),
        };
        instance.Dataset.SetString(dicomTag, vr, value);
        var file = Path.Combine(work, "hostile.dcm");
        await instance.SaveAsync(file, cancellationToken: Ct);
        await StoreInOrthancAsync(file);
        var config = PacsTestData.WriteConfig(work, orthanc.Server);
        using var store = PacsDataStore.Create(PacsConfig.Load(config));

        DtpException? refused = null;
        try
        {
            await store.DownloadStudyAsync(study, destination, cancellationToken: Ct);
        }
        catch (DtpException ex)
        {
            refused = ex;
        }

        var outside = Directory.EnumerateFiles(work, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(destination + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        var inside = Directory.Exists(destination) ? Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(destination, f)).ToList() : [];
        Assert.Equal(new[] { config, file }.Order(StringComparer.Ordinal), outside.Order(StringComparer.Ordinal));
        Assert.All(inside, f => Assert.Matches(LayoutPath(), f));
        if (refused is not null)
        {
            Assert.Contains("UID", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(inside, f => !f.EndsWith(".part", StringComparison.Ordinal));
        }
        else
        {
            Assert.True(tag is "PatientID" or "SeriesDescription", $"a {tag} of \"{value}\" was accepted");
            Assert.Single(inside);
        }

        Directory.Delete(work, recursive: true);
    }

    private async Task StoreInOrthancAsync(string file)
    {
        using var http = new HttpClient { BaseAddress = orthanc.Server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{orthanc.Server.UserName}:{orthanc.Server.Password}")));
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file, Ct));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
        using var response = await http.PostAsync(new Uri("instances", UriKind.Relative), content, Ct);
        Assert.True(response.IsSuccessStatusCode, $"Orthanc refused the instance: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
    }

    [GeneratedRegex(@"^(sub-[0-9-]+/)?sam-[0-9-]+/(\d{6}-[0-9.]+\.dcm|\.[0-9a-f]{32}\.part)$")]
    private static partial Regex LayoutPath();
}
