using Dtp.IO;

namespace Dtp.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dtp-atomic-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task WriteAsync_WhenTheWriterFails_LeavesTheOldFileAndNoTemporaryFile()
    {
        var path = Path.Combine(folder, "subjects.json");
        await File.WriteAllTextAsync(path, "old", Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(() => AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync("half-writ"u8.ToArray(), ct);
            throw new InvalidOperationException("writer failed");
        }, overwrite: true, cancellationToken: Ct));

        Assert.Equal("old", await File.ReadAllTextAsync(path, Ct));
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Fact]
    public async Task WriteTextAsync_WhenTheFileExistsWithoutOverwrite_RefusesAndKeepsIt()
    {
        var path = Path.Combine(folder, "manifest.json");
        await File.WriteAllTextAsync(path, "keep me", Ct);

        var ex = await Assert.ThrowsAsync<DtpException>(() => AtomicFile.WriteTextAsync(path, "new", overwrite: false, cancellationToken: Ct));

        Assert.Equal(DtpErrorKind.Local, ex.Kind);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("--overwrite", ex.Message, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(path, Ct));
    }

    [Fact]
    public async Task WriteTextAsync_WithOverwrite_ReplacesAndCreatesFolders()
    {
        var path = Path.Combine(folder, "a", "b", "c.txt");

        await AtomicFile.WriteTextAsync(path, "one", cancellationToken: Ct);
        await AtomicFile.WriteTextAsync(path, "two ✓ 𝄞", overwrite: true, cancellationToken: Ct);

        Assert.Equal("two ✓ 𝄞", await File.ReadAllTextAsync(path, Ct));
    }

    [Fact]
    public void ThrowIfExists_WithANonEmptyFolder_RefusesWithoutOverwrite()
    {
        File.WriteAllText(Path.Combine(folder, "x"), "x");

        Assert.Throws<DtpException>(() => AtomicFile.ThrowIfExists(folder, overwrite: false));
        AtomicFile.ThrowIfExists(folder, overwrite: true);
        AtomicFile.ThrowIfExists(Path.Combine(folder, "empty-or-missing"), overwrite: false);
    }
}
