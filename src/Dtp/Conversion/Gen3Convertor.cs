using System.Text;
using System.Text.Json.Nodes;
using Dtp.Gen3.Dictionary;

namespace Dtp.Conversion;

/// <summary>
/// Converts the metadata of one SDS dataset into Gen3 submission JSON for the SDS Gen3 dictionary (the original's
/// <c>Gen3Convertor</c>). Default mode fixes the original's defects and validates every record; with
/// <see cref="Compatibility"/> set it reproduces the original's output byte for byte, defects included.
/// </summary>
public sealed class Gen3Convertor
{
    private string? schemaDir;

    /// <summary>Creates a converter.</summary>
    /// <param name="project">The Gen3 project code the experiment links to, e.g. <c>12L</c>.</param>
    /// <param name="experiment">The experiment's submitter id, e.g. <c>dataset-12L_1-version-1</c>.</param>
    /// <param name="version">The SDS version of the source: <c>1.2.3</c>, <c>2.0.0</c>, <c>2.1.0</c> or <c>3.0.x</c> (compatibility mode: 1.2.3 and 2.0.0 only).</param>
    /// <exception cref="DtpException">A blank project or experiment, or an unknown version (kind Local).</exception>
    public Gen3Convertor(string project, string experiment, string version = "2.0.0")
    {
        if (string.IsNullOrWhiteSpace(project) || string.IsNullOrWhiteSpace(experiment))
        {
            throw new DtpException("The project code and the experiment submitter id must not be blank.", DtpErrorKind.Local);
        }

        if (!Sds.SdsVersion.TryParse(version, out var parsed) || !Sds.SdsVersion.Known.Contains(parsed))
        {
            throw new DtpException($"SDS version '{version}' is not supported; use one of: {string.Join(", ", Sds.SdsVersion.Known)}.", DtpErrorKind.Local);
        }

        Project = project;
        Experiment = experiment;
        Version = parsed;
    }

    /// <summary>Gets the Gen3 project code.</summary>
    public string Project { get; }

    /// <summary>Gets the experiment's submitter id.</summary>
    public string Experiment { get; }

    /// <summary>Gets the SDS version of the source.</summary>
    public Sds.SdsVersion Version { get; }

    /// <summary>
    /// Gets or sets the original version to reproduce, defects included (see <see cref="CompatVariant"/>); null (the default)
    /// converts correctly: normalised names, typed values, one submitter-id rule, samples, validation, findings.
    /// </summary>
    public CompatVariant? Compatibility { get; set; }

    /// <summary>Gets or sets the placeholder policy for required properties without a value (default mode only).</summary>
    public PlaceholderPolicy Placeholders { get; set; } = PlaceholderPolicy.NotAvailable;

    /// <summary>Uses the Gen3 dictionary in <paramref name="path"/> instead of the shipped SDS dictionary.</summary>
    /// <param name="path">A folder of dictionary YAML files, or a <c>_dictionary/_all</c> JSON file.</param>
    public void SetSchemaDir(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        schemaDir = path;
    }

    /// <inheritdoc cref="SetSchemaDir(string)"/>
    public void SetSchemaDir(FileSystemInfo path)
    {
        ArgumentNullException.ThrowIfNull(path);
        SetSchemaDir(path.FullName);
    }

    /// <summary>
    /// Reads one worksheet: the first non-empty row is the header, later non-empty rows are data; cells keep their type
    /// (text, integer, number, boolean, date-time) and their coordinates.
    /// </summary>
    /// <param name="path">An .xlsx workbook.</param>
    /// <param name="sheetName">The worksheet's name; null reads the first worksheet.</param>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>The table.</returns>
    /// <exception cref="DtpException">The file is missing or not a workbook, or has no such sheet (kind Local).</exception>
    public static async Task<ExcelTable> ReadExcelAsync(string path, string? sheetName = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DtpException($"Cannot read {path}: {ex.Message}", DtpErrorKind.Local, isTransient: false, ex);
        }

        using var stream = new MemoryStream(bytes, writable: false);
        return XlsxTableReader.Read(stream, path, sheetName);
    }

    /// <summary>Converts the SDS dataset in <paramref name="sourceDir"/> and writes the Gen3 JSON files to <paramref name="destDir"/>.</summary>
    /// <param name="sourceDir">The SDS dataset folder.</param>
    /// <param name="destDir">The output folder; created when missing; files of the same names are replaced.</param>
    /// <param name="cancellationToken">Cancels the conversion; nothing is written then.</param>
    /// <returns>Records per node, files written and findings.</returns>
    /// <exception cref="DtpException">The source cannot be read or, in compatibility mode, the original would have failed (kind Local).</exception>
    public async Task<ConversionResult> ExecuteAsync(string sourceDir, string destDir, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceDir);
        ArgumentException.ThrowIfNullOrEmpty(destDir);
        if (!Directory.Exists(sourceDir))
        {
            throw new DtpException($"SDS dataset folder {sourceDir} does not exist.", DtpErrorKind.Local);
        }

        var dictionary = schemaDir is null ? Gen3Dictionary.Sds : await Gen3Dictionary.LoadAsync(schemaDir, cancellationToken).ConfigureAwait(false);
        List<(string File, JsonNode Content)> files;
        IReadOnlyList<ConversionFinding> findings;
        if (Compatibility is { } variant)
        {
            if (Version != Sds.SdsVersion.V123 && Version != Sds.SdsVersion.V200)
            {
                throw new DtpException($"Dataset version not supported: compatibility mode converts SDS 1.2.3 and 2.0.0 only, not {Version}.", DtpErrorKind.Local);
            }

            files = await new CompatConversion(dictionary, variant, Project, Experiment, Version.ToString()).RunAsync(sourceDir, cancellationToken).ConfigureAwait(false);
            findings = [];
        }
        else
        {
            var conversion = new DefaultConversion(dictionary, Project, Experiment, Version, Placeholders);
            files = await conversion.RunAsync(sourceDir, cancellationToken).ConfigureAwait(false);
            findings = conversion.Findings;
        }

        var records = files.ToDictionary(f => NodeOf(f.File), f => f.Content is JsonArray a ? a.Count : 1, StringComparer.Ordinal);
        var result = new ConversionResult(destDir, records, [.. files.Select(f => f.File)], findings);
        if (Compatibility is null)
        {
            files.Add(("conversion_summary.json", result.ToJson()));
        }

        await WriteAllAsync(destDir, files, asciiOnly: Compatibility is not null, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc cref="ExecuteAsync(string, string, CancellationToken)"/>
    public Task<ConversionResult> ExecuteAsync(DirectoryInfo sourceDir, DirectoryInfo destDir, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourceDir);
        ArgumentNullException.ThrowIfNull(destDir);
        return ExecuteAsync(sourceDir.FullName, destDir.FullName, cancellationToken);
    }

    private static string NodeOf(string file) => Path.GetFileNameWithoutExtension(file) switch
    {
        "subjects" => "case",
        "samples" => "sample",
        "performances" => "performance",
        "resources" => "resource",
        var name => name,
    };

    /// <summary>Writes every file into a temporary folder inside <paramref name="destDir"/>, then moves them into place.</summary>
    private static async Task WriteAllAsync(string destDir, List<(string File, JsonNode Content)> files, bool asciiOnly, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(destDir);
        var staging = Path.Combine(destDir, $".dtp-convert-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var (file, content) in files)
            {
                await File.WriteAllTextAsync(Path.Combine(staging, file), PythonJson.Serialize(content, asciiOnly), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            }

            foreach (var (file, _) in files)
            {
                File.Move(Path.Combine(staging, file), Path.Combine(destDir, file), overwrite: true);
            }
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }
}
