using System.Text.Json.Nodes;
using Dtp.Storage;

namespace Dtp.Tests.Storage;

public sealed class ManifestFileFactsTests
{
    private static readonly string Sha = new('a', 64);

    [Fact]
    public void WriteInto_ThenTryRead_RoundTripsSizeHashAndUids()
    {
        var facts = new ManifestFileFacts(1234, Sha, new DicomInstanceUids("1.2.3", "1.2.3.4", "1.2.3.4.5"));

        var text = facts.WriteInto(null);
        var found = ManifestFileFacts.TryRead(text, out var read);

        Assert.True(found);
        Assert.Equal(facts, read);
    }

    [Fact]
    public void WriteInto_ExistingObject_KeepsTheCuratorsMembers()
    {
        var text = new ManifestFileFacts(5, Sha).WriteInto("""{"scanner": "3T", "dtp": {"size": 1}}""");

        var root = JsonNode.Parse(text)!.AsObject();

        Assert.Equal("3T", (string?)root["scanner"]);
        Assert.Equal(5L, (long?)root["dtp"]!["size"]);
    }

    [Fact]
    public void WriteInto_PlainText_KeepsItUnderText()
    {
        var text = new ManifestFileFacts(5, Sha).WriteInto("free text note");

        Assert.Equal("free text note", (string?)JsonNode.Parse(text)!["text"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("""{"dtp": {"size": -1, "sha256": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}""")]
    [InlineData("""{"dtp": {"size": 3, "sha256": "ABC"}}""")]
    [InlineData("""{"dtp": {"size": 3, "sha256": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "dicom": {"study_instance_uid": "1.2"}}}""")]
    public void TryRead_TextWithoutWellFormedFacts_FindsNone(string? text)
    {
        var found = ManifestFileFacts.TryRead(text, out var facts);

        Assert.False(found);
        Assert.Null(facts);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("free text note", "free text note")]
    [InlineData("""{"scanner":"3T","site":{"id":2}}""", """{"scanner":"3T","site":{"id":2}}""")]
    public void RemoveFrom_WrittenFacts_GivesBackTheCuratorsValue(string? curators, string? expected)
    {
        var text = new ManifestFileFacts(5, Sha).WriteInto(curators);

        var removed = ManifestFileFacts.RemoveFrom(text);

        Assert.Equal(expected, removed);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"scanner": "3T"}""")]
    public void RemoveFrom_TextWithoutFacts_ReturnsItUnchanged(string text)
    {
        var removed = ManifestFileFacts.RemoveFrom(text);

        Assert.Equal(text, removed);
    }
}
