using Dtp.Config;
using Dtp.Storage.Pacs;

namespace Dtp.Tests.Pacs;

public sealed class PacsLayoutTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dtp-pacs-config-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void RelativePath_Instance_WritesDashedUidsAndASortableName()
    {
        var path = PacsLayout.RelativePath("1.2.3", 7, "1.2.3.4");

        Assert.Equal("sam-1-2-3/000007-1.2.3.4.dcm", path);
        Assert.Equal("sub-1-2-840", PacsLayout.SubjectFolder("1.2.840"));
        Assert.True(string.CompareOrdinal(PacsLayout.FileName(9, "9.9"), PacsLayout.FileName(10, "1.1")) < 0);
    }

    [Theory]
    [InlineData("sub-1-2-840-10008", "1.2.840.10008")]
    [InlineData("sam-1-2-3", "1.2.3")]
    [InlineData("1-2-3", "1.2.3")]
    [InlineData("1.2.3", "1.2.3")]
    public void ToUid_DashedOrDottedOrPrefixed_GivesTheUid(string text, string uid) => Assert.Equal(uid, PacsLayout.ToUid(text));

    [Theory]
    [InlineData("sub-abc")]
    [InlineData("../1.2")]
    [InlineData("1.2/3")]
    public void ToUid_NotAUid_Throws(string text) => Assert.Throws<ArgumentException>(() => PacsLayout.ToUid(text));

    [Theory]
    [InlineData("../evil.dcm")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b.dcm")]
    public void ThrowIfEscaping_EntryLeavingTheFolder_IsRefused(string entry)
    {
        var ex = Assert.Throws<DtpException>(() => OrthancClient.ThrowIfEscaping(entry, new Uri("http://pacs/series/1/archive")));

        Assert.Contains("http://pacs/series/1/archive", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PacsConfigLoad_WithPacsUrl_MakesTheDimseKeysOptionalAndHidesSecrets()
    {
        var path = Path.Combine(folder, "pacs.json");
        File.WriteAllText(path, """{"pacs_url": "http://127.0.0.1:8042/dicom-web/", "pacs_api": "DICOMweb", "pacs_username": "u", "pacs_password": "s3cret", "pacs_ca_file": "ca.pem"}""");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);   // a file with a password readable by others is warned about
        }

        var config = PacsConfig.Load(path);

        Assert.Equal(new Uri("http://127.0.0.1:8042/dicom-web/"), config.Url);
        Assert.Equal("dicomweb", config.Api);
        Assert.Null(config.Host);
        Assert.Equal(Path.Combine(folder, "ca.pem"), config.CaFile);
        Assert.DoesNotContain("s3cret", config.ToString(), StringComparison.Ordinal);
        Assert.Empty(config.Warnings);
    }

    [Theory]
    [InlineData("""{"pacs_url": "ftp://x"}""", "pacs_url")]
    [InlineData("""{"pacs_url": "http://x", "pacs_api": "wado"}""", "pacs_api")]
    [InlineData("""{"pacs_url": "http://x", "pacs_username": "u", "pacs_token": "t"}""", "pacs_token")]
    public void PacsConfigLoad_BadHttpKey_NamesTheFileAndKey(string json, string key)
    {
        var path = Path.Combine(folder, "pacs.json");
        File.WriteAllText(path, json);

        var ex = Assert.Throws<ConfigException>(() => PacsConfig.Load(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }
}
