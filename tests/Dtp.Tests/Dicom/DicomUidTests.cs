using Dtp.Dicom;

namespace Dtp.Tests.Dicom;

public sealed class DicomUidTests
{
    [Fact]
    public void FromGuid_PS35Example_GivesTheStandardsUid()
    {
        var uid = DicomUid.FromGuid(Guid.Parse("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));

        Assert.Equal("2.25.329800735698586629295641978511506172918", uid);
    }

    [Fact]
    public void Generate_TwoCalls_GiveDifferentValidUids()
    {
        var first = DicomUid.Generate();
        var second = DicomUid.Generate();

        Assert.NotEqual(first, second);
        Assert.StartsWith("2.25.", first, StringComparison.Ordinal);
        Assert.True(DicomUid.IsValid(first), first);
        Assert.True(DicomUid.IsValid(DicomUid.ImplementationClassUid));
    }

    [Fact]
    public void FromName_SameName_GivesTheSameUid()
    {
        Assert.Equal(DicomUid.FromName("a"), DicomUid.FromName("a"));
        Assert.NotEqual(DicomUid.FromName("a"), DicomUid.FromName("b"));
        Assert.True(DicomUid.IsValid(DicomUid.FromName("a")));
    }

    [Theory]
    [InlineData("1.2.03")]
    [InlineData("1..2")]
    [InlineData("1.2.a")]
    [InlineData("")]
    public void IsValid_MalformedUid_IsFalse(string uid) => Assert.False(DicomUid.IsValid(uid));
}
