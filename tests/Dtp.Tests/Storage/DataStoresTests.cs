using Dtp.Config;
using Dtp.Storage;

namespace Dtp.Tests.Storage;

public sealed class DataStoresTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dtp-stores-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Open_LocalConfigWithRelativeRoot_ResolvesItAgainstTheConfigFolder()
    {
        var config = Path.Combine(folder, "local.json");
        await File.WriteAllTextAsync(config, """{"local_root": "datasets"}""", TestContext.Current.CancellationToken);

        await using var connection = DataStores.Open("local", config);

        Assert.Equal("local", connection.Kind);
        Assert.Equal($"local folder {Path.Combine(folder, "datasets")}", connection.Store.Name);
    }

    [Fact]
    public async Task Open_LocalConfigWithoutRoot_NamesTheFileAndKey()
    {
        var config = Path.Combine(folder, "local.json");
        await File.WriteAllTextAsync(config, """{"root": "x"}""", TestContext.Current.CancellationToken);

        var error = Assert.Throws<ConfigException>(() => DataStores.Open("local", config));

        Assert.Contains(config, error.Message, StringComparison.Ordinal);
        Assert.Contains("local_root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnknownKind_ListsTheKnownOnes()
    {
        var error = Assert.Throws<DtpException>(() => DataStores.Open("s3", Path.Combine(folder, "x.json")));

        Assert.Equal(DtpErrorKind.Local, error.Kind);
        Assert.Contains("pacs, irods, local", error.Message, StringComparison.Ordinal);
    }
}
