using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Dtp.Testing;

/// <summary>
/// The bad-input corpus (<c>tests/Dtp.Tests/BadInput/Corpus/cases.json</c> and its input files): each case names its input
/// (a corpus file or folder, or a workbook generated because it is too large to keep), the CLI arguments, and the expected
/// exit code and message. The bad-input tests and the <c>bad-input</c> benchmark both run it.
/// </summary>
public static class BadInputCorpus
{
    /// <summary>Gets the corpus folder of the source tree.</summary>
    public static string SourceFolder { get; } = Path.Combine(ReferenceData.ProjectRoot, "tests", "Dtp.Tests", "BadInput", "Corpus");

    /// <summary>Reads <c>cases.json</c> of a corpus folder.</summary>
    public static List<BadInputCase> Load(string folder) =>
        [.. JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "cases.json")))!.AsArray().Select(c => new BadInputCase(
            folder,
            (string)c!["name"]!,
            (string?)c["input"],
            (string?)c["generate"],
            [.. c["args"]!.AsArray().Select(a => (string)a!)],
            (int)c["exit"]!,
            (string)c["message"]!)
        {
            Server = (string?)c["server"],
        })];

    /// <summary>Lists every file and folder under <paramref name="folder"/> with its length and last write time, to see what a run changed.</summary>
    public static HashSet<(string Path, long Length, DateTime Written)> Snapshot(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .Select(p => (p, File.Exists(p) ? new FileInfo(p).Length : -1, File.GetLastWriteTimeUtc(p)))];

    /// <summary>Copies a corpus file or folder into the work folder; returns its path there.</summary>
    internal static string CopyInput(string corpus, string relative, string work)
    {
        var source = Path.Combine(corpus, relative);
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
    internal static string Generate(string generator, string work)
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

    /// <summary>Answers every request with a body too long to read: an endless chunked one, or one declaring a Content-Length of 1 GiB.</summary>
    internal static Func<HttpListenerContext, Task> BadAnswer(string kind) => async context =>
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

        // Until the client gives up (the server's loop ends the exchange when a write fails).
        while (true)
        {
            await context.Response.OutputStream.WriteAsync(block);
        }
    };

    /// <summary>Writes a credentials file whose API key (an unsigned JWT) names <paramref name="server"/> as its commons.</summary>
    internal static string WriteCredentials(string work, Uri server)
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var key = $"{Part("""{"alg":"RS256","typ":"JWT"}""")}.{Part($$"""{"iss":"{{server}}user","exp":4102444800,"pur":"api_key","sub":"1","jti":"k1"}""")}.c2lnbmF0dXJl";
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
}

/// <summary>One case of the <see cref="BadInputCorpus"/>: its input, CLI arguments and expected outcome.</summary>
public sealed record BadInputCase(string Corpus, string Name, string? Input, string? Generator, IReadOnlyList<string> Args, int Exit, string Message)
{
    /// <summary>Gets how the case's server answers (<c>endless</c> or <c>oversized</c>), for cases about a service's answers; otherwise <see langword="null"/>.</summary>
    public string? Server { get; init; }

    /// <summary>Starts the case's misbehaving server (dispose it after the run), or returns <see langword="null"/> when the case needs none.</summary>
    public LoopbackHttpServer? StartServer() => Server is null ? null : LoopbackHttpServer.Start(BadInputCorpus.BadAnswer(Server));

    /// <summary>
    /// Puts the case's input into <paramref name="work"/> (copied from the corpus or generated) and returns the CLI arguments with
    /// <c>{input}</c> and <c>{dest}</c> replaced by its path and <paramref name="destination"/>, and <c>{credentials}</c> by a
    /// credentials file for <paramref name="server"/> (from <see cref="StartServer"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The case needs a server and none was given.</exception>
    public string[] Prepare(string work, string destination, Uri? server = null)
    {
        var input = Generator is not null ? BadInputCorpus.Generate(Generator, work) : Input is not null ? BadInputCorpus.CopyInput(Corpus, Input, work) : "";
        var credentials = Server is null ? "" : BadInputCorpus.WriteCredentials(work, server ?? throw new InvalidOperationException($"The bad-input case \"{Name}\" needs its server: pass StartServer()'s address."));
        return [.. Args.Select(a => a.Replace("{input}", input, StringComparison.Ordinal).Replace("{dest}", destination, StringComparison.Ordinal)
            .Replace("{credentials}", credentials, StringComparison.Ordinal))];
    }
}
