namespace Dtp.Sds;

/// <summary>The on-disk format of a metadata file.</summary>
public enum SdsFileFormat
{
    /// <summary>Office Open XML workbook (<c>.xlsx</c>), first sheet.</summary>
    Xlsx,

    /// <summary>Comma-separated values (<c>.csv</c>).</summary>
    Csv,

    /// <summary>Tab-separated values (<c>.tsv</c>).</summary>
    Tsv,

    /// <summary>JSON (<c>.json</c>).</summary>
    Json,
}

/// <summary>A metadata file as read: its kind, where it is, and what was odd about it.</summary>
public abstract class SdsMetadataFile
{
    private protected SdsMetadataFile(SdsFileKind kind, string path, SdsFileFormat format, string? sheet, IReadOnlyList<SdsFinding> findings)
    {
        Kind = kind;
        Path = path;
        Format = format;
        Sheet = sheet;
        Findings = findings;
    }

    /// <summary>Gets which metadata file this is.</summary>
    public SdsFileKind Kind { get; }

    /// <summary>Gets the path relative to the dataset root (forward slashes), or the path given to the reader.</summary>
    public string Path { get; }

    /// <summary>Gets the file format.</summary>
    public SdsFileFormat Format { get; }

    /// <summary>Gets the sheet read (xlsx only).</summary>
    public string? Sheet { get; }

    /// <summary>Gets what the reader found odd (encoding, extra sheets, duplicate headers, values without a header...).</summary>
    public IReadOnlyList<SdsFinding> Findings { get; }

    /// <summary>Returns a location in this file.</summary>
    /// <param name="row">The 1-based row.</param>
    /// <param name="column">The 1-based column.</param>
    /// <returns>The location.</returns>
    public SdsLocation At(int? row = null, int? column = null) => new(Path, Sheet, row, column);
}

/// <summary>A column header of a table: its text as written and its normalised key.</summary>
/// <param name="Key">The normalised key (<c>subject_id</c>).</param>
/// <param name="Text">The header text as written (<c>subject id</c>).</param>
/// <param name="Column">The 1-based column.</param>
public sealed record SdsHeader(string Key, string Text, int Column);

/// <summary>One record of a table (a subject, a sample, a manifest entry).</summary>
/// <remarks>The cells are kept as read (one array per row); <see cref="SdsValue"/>s are created when asked for, so large manifests stay small in memory.</remarks>
public sealed class SdsRecord
{
    private readonly TableColumns _columns;
    private readonly string?[] _cells;

    internal SdsRecord(TableColumns columns, int row, string?[] cells)
    {
        _columns = columns;
        Row = row;
        _cells = cells;
    }

    /// <summary>Gets the 1-based row (record number) in the file.</summary>
    public int Row { get; }

    /// <summary>Gets the non-empty values by normalised header key, in column order.</summary>
    public IReadOnlyDictionary<string, SdsValue> Values
    {
        get
        {
            var values = new Dictionary<string, SdsValue>(StringComparer.Ordinal);
            foreach (var (key, column) in _columns.Keys)
            {
                if (this[key] is { } value)
                {
                    values[key] = value;
                }
            }

            return values;
        }
    }

    /// <summary>Returns the value under a normalised key, or <see langword="null"/> when the cell is empty or the column absent.</summary>
    /// <param name="key">The normalised key (<c>subject_id</c>).</param>
    /// <returns>The value or <see langword="null"/>.</returns>
    public SdsValue? this[string key] =>
        _columns.Keys.TryGetValue(key, out var column) && column <= _cells.Length && _cells[column - 1] is { Length: > 0 } text
            ? new SdsValue(text, new SdsLocation(_columns.File, _columns.Sheet, Row, column))
            : null;
}

/// <summary>The columns of a table: normalised key to 1-based column, and where the table is.</summary>
internal sealed class TableColumns(string file, string? sheet, Dictionary<string, int> keys)
{
    public string File { get; } = file;

    public string? Sheet { get; } = sheet;

    public Dictionary<string, int> Keys { get; } = keys;
}

/// <summary>A table file: header row 1, one record per row (subjects, samples, manifest, ...).</summary>
public sealed class SdsTableFile : SdsMetadataFile
{
    internal SdsTableFile(SdsFileKind kind, string path, SdsFileFormat format, string? sheet, IReadOnlyList<SdsFinding> findings,
        int headerRow, IReadOnlyList<SdsHeader> headers, IReadOnlyList<SdsRecord> records)
        : base(kind, path, format, sheet, findings)
    {
        HeaderRow = headerRow;
        Headers = headers;
        Records = records;
    }

    /// <summary>Gets the 1-based row of the header.</summary>
    public int HeaderRow { get; }

    /// <summary>Gets the headers in column order (the first of duplicated headers only).</summary>
    public IReadOnlyList<SdsHeader> Headers { get; }

    /// <summary>Gets the records, without the 1.2.3 description and template example rows.</summary>
    public IReadOnlyList<SdsRecord> Records { get; }

    /// <summary>Returns the header of a normalised key, or <see langword="null"/>.</summary>
    /// <param name="key">The normalised key.</param>
    /// <returns>The header or <see langword="null"/>.</returns>
    public SdsHeader? Header(string key) => Headers.FirstOrDefault(h => h.Key == key);
}

/// <summary>One element (row) of a column-record file, with its values across columns.</summary>
/// <param name="Key">The normalised key (<c>contributor_name</c>).</param>
/// <param name="Name">The element name as written, indentation included.</param>
/// <param name="Row">The 1-based row.</param>
/// <param name="Values">The non-empty values from the first value column on, each with its column.</param>
public sealed record SdsElement(string Key, string Name, int Row, IReadOnlyList<SdsValue> Values)
{
    /// <summary>Gets the first value, or <see langword="null"/>.</summary>
    public SdsValue? First => Values.Count > 0 ? Values[0] : null;
}

/// <summary>A column-record file: one element per row (dataset_description, submission, code_description, curation).</summary>
public sealed class SdsElementFile : SdsMetadataFile
{
    internal SdsElementFile(SdsFileKind kind, string path, SdsFileFormat format, string? sheet, IReadOnlyList<SdsFinding> findings,
        int valueColumn, IReadOnlyList<SdsElement> elements)
        : base(kind, path, format, sheet, findings)
    {
        ValueColumn = valueColumn;
        Elements = elements;
    }

    /// <summary>Gets the 1-based column of the first value.</summary>
    public int ValueColumn { get; }

    /// <summary>Gets the elements in row order (the first of duplicated names only; section rows included, without values).</summary>
    public IReadOnlyList<SdsElement> Elements { get; }

    /// <summary>Returns the element of a normalised key, or <see langword="null"/>.</summary>
    /// <param name="key">The normalised key (<c>number_of_subjects</c>).</param>
    /// <returns>The element or <see langword="null"/>.</returns>
    public SdsElement? Element(string key) => Elements.FirstOrDefault(e => e.Key == key);
}
