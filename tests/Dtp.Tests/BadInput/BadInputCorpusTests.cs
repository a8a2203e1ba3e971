using System.CommandLine;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Dtp.Cli;
using Dtp.Testing;
using Dtp.Tests.Infrastructure;

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

    public static TheoryData<string> Cases() => [.. LoadCases().Select(c => (string)c["name"]!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Cli_BadInput_EndsInAClearErrorAndWritesNothingOutsideTheDestination(string name)
    {
        var @case = LoadCases().Single(c => (string)c["name"]! == name);
        var work = Directory.CreateTempSubdirectory("dtp-bad-input-").FullName;
        var home = Directory.CreateDirectory(Path.Combine(work, "home")).FullName;
        var destination = Path.Combine(work, "dest");
        var input = @case["generate"] is { } generator ? Generate((string)generator!, work) : @case["input"] is { } file ? CopyInput((string)file!, work) : "";
        await using var server = @case["server"] is { } answer ? LoopbackHttpServer.Start(BadAnswer((string)answer!)) : null;
        var credentials = server is null ? "" : WriteCredentials(work, server.BaseAddress);
        var args = @case["args"]!.AsArray().Select(a => ((string)a!).Replace("{input}", input, StringComparison.Ordinal).Replace("{dest}", destination, StringComparison.Ordinal)
            .Replace("{credentials}", credentials, StringComparison.Ordinal)).ToArray();
        var before = Snapshot(work);

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DtpCli.RunAsync(new GlobalOptions { HomeDirectory = home }, args, new InvocationConfiguration { Output = output, Error = error }, Ct);

        var shown = output + error.ToString();
        var changed = Snapshot(work).Except(before).Select(e => e.Path).Where(p => !p.StartsWith(destination + Path.DirectorySeparatorChar, StringComparison.Ordinal) && p != destination);
        Assert.True(exit == (int)@case["exit"]!, $"exit {exit}; shown: {shown}");
        Assert.Contains((string)@case["message"]!, shown, StringComparison.Ordinal);
        Assert.Empty(changed);
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public void Corpus_EveryInputFileIsUsedByACase()
    {
        var used = LoadCases().Where(c => c["input"] is not null).Select(c => (string)c["input"]!).ToHashSet(StringComparer.Ordinal);

        var files = Directory.EnumerateFileSystemEntries(Corpus).Select(p => Path.GetFileName(p)).Where(n => n != "cases.json");

        Assert.All(files, f => Assert.Contains(f, used));
    }

    private static List<JsonNode> LoadCases() =>
        [.. JsonNode.Parse(File.ReadAllText(Path.Combine(Corpus, "cases.json")))!.AsArray().Select(c => c!)];

    private static string CopyInput(string relative, string work)
    {
        var source = Path.Combine(Corpus, relative);
        var target = Path.Combine(work, relative);
        if (File.Exists(source))
        {
            File.Copy(source, target);
            return target;
        }

        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    /// <summary>Builds the workbooks too large (once inflated) to keep in the repository: <c>INPUT/subjects.xlsx</c>.</summary>
    private static string Generate(string generator, string work)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, generator)).FullName;
        using var zip = ZipFile.Open(Path.Combine(folder, "subjects.xlsx"), ZipArchiveMode.Create);
        if (generator == "missing-parts")
        {
            AddEntry(zip, "[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>""");
            return folder;
        }

        // A well-formed workbook around the oversized part, so that the part is reached the way a real file's would be.
        AddEntry(zip, "[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>""");
        AddEntry(zip, "_rels/.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""");
        AddEntry(zip, "xl/workbook.xml", """<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>""");
        AddEntry(zip, "xl/_rels/workbook.xml.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>""");
        switch (generator)
        {
            case "zip-bomb":
                AddRepeated(zip, "xl/worksheets/sheet1.xml", """<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>""", """<row r="1"><c r="A1"/></row>""", "</sheetData></worksheet>", 140L << 20);
                AddEntry(zip, "xl/sharedStrings.xml", """<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>""");
                break;
            case "huge-shared-strings":
                AddRepeated(zip, "xl/sharedStrings.xml", """<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">""", "<si><t>a shared string</t></si>", "</sst>", 140L << 20);
                AddEntry(zip, "xl/worksheets/sheet1.xml", """<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>""");
                break;
            default:
                throw new ArgumentException($"unknown generator {generator}", nameof(generator));
        }

        return folder;
    }

    /// <summary>A server whose every answer is too long: an endless chunked body, or a declared Content-Length of 1 GiB.</summary>
    private static Func<HttpListenerContext, Task> BadAnswer(string kind) => async context =>
    {
        var block = new byte[64 * 1024];
        context.Response.ContentType = "application/json";
        if (kind == "endless")
        {
            context.Response.SendChunked = true;
        }
        else
        {
            context.Response.ContentLength64 = 1L << 30;
        }

        // Until the client gives up (the server's loop ends the exchange when the write fails).
        while (true)
        {
            await context.Response.OutputStream.WriteAsync(block);
        }
    };

    /// <summary>Writes a credentials file whose API key (an unsigned JWT) names <paramref name="server"/> as its commons.</summary>
    private static string WriteCredentials(string work, Uri server)
    {
        var key = TestJwt.Create($"{server}user", DateTimeOffset.UtcNow.AddYears(1), "api_key", "k1");
        var path = Path.Combine(work, "credentials.json");
        File.WriteAllText(path, $$"""{"api_key":"{{key}}","key_id":"k1"}""");
        return path;
    }

    private static void AddEntry(ZipArchive zip, string name, string text)
    {
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(Encoding.UTF8.GetBytes(text));
    }

    private static void AddRepeated(ZipArchive zip, string name, string head, string item, string tail, long bytes)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        stream.Write(Encoding.UTF8.GetBytes(head));
        var block = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(item, 4096)));
        for (long written = 0; written < bytes; written += block.Length)
        {
            stream.Write(block);
        }

        stream.Write(Encoding.UTF8.GetBytes(tail));
    }

    private static HashSet<(string Path, long Length, DateTime Written)> Snapshot(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .Select(p => (p, File.Exists(p) ? new FileInfo(p).Length : -1, File.GetLastWriteTimeUtc(p)))];
}
