using System.CommandLine;
using Dtp.Cli;
using Dtp.Testing;

namespace Dtp.Tests.BadInput;

/// <summary>
/// Runs the CLI on every case of <c>Corpus/cases.json</c> (malformed workbooks, wrong encodings and types, broken
/// credentials and configs): each must end in its expected exit code (3 or 4, never a crash) with a message that says
/// what is wrong, and write nothing outside its destination folder.
/// </summary>
public sealed class BadInputCorpusTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "BadInput", "Corpus");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Cases() => [.. BadInputCorpus.Load(Corpus).Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Cli_BadInput_EndsInAClearErrorAndWritesNothingOutsideTheDestination(string name)
    {
        var @case = BadInputCorpus.Load(Corpus).Single(c => c.Name == name);
        var work = Directory.CreateTempSubdirectory("dtp-bad-input-").FullName;
        var home = Directory.CreateDirectory(Path.Combine(work, "home")).FullName;
        var destination = Path.Combine(work, "dest");
        await using var server = @case.StartServer();
        var args = @case.Prepare(work, destination, server?.BaseAddress);
        var before = BadInputCorpus.Snapshot(work);

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DtpCli.RunAsync(new GlobalOptions { HomeDirectory = home }, args, new InvocationConfiguration { Output = output, Error = error }, Ct);

        var shown = output + error.ToString();
        var changed = BadInputCorpus.Snapshot(work).Except(before).Select(e => e.Path).Where(p => !p.StartsWith(destination + Path.DirectorySeparatorChar, StringComparison.Ordinal) && p != destination);
        Assert.True(exit == @case.Exit, $"exit {exit}; shown: {shown}");
        Assert.Contains(@case.Message, shown, StringComparison.Ordinal);
        Assert.Empty(changed);
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public void Corpus_EveryInputFileIsUsedByACase()
    {
        var used = BadInputCorpus.Load(Corpus).Where(c => c.Input is not null).Select(c => c.Input!).ToHashSet(StringComparer.Ordinal);

        var files = Directory.EnumerateFileSystemEntries(Corpus).Select(p => Path.GetFileName(p)).Where(n => n != "cases.json");

        Assert.All(files, f => Assert.Contains(f, used));
    }
}
