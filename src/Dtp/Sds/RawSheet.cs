namespace Dtp.Sds;

/// <summary>A sheet as read from any format: rows that have at least one value, each cell as text or null.</summary>
internal sealed class RawSheet(string file, SdsFileFormat format, string? sheetName)
{
    public string File { get; } = file;

    public SdsFileFormat Format { get; } = format;

    public string? SheetName { get; } = sheetName;

    /// <summary>Gets the rows in order; <see cref="RawRow.Cells"/>[0] is column A; rows with no value are left out.</summary>
    public List<RawRow> Rows { get; } = [];

    public List<SdsFinding> Findings { get; } = [];

    public SdsLocation At(int? row = null, int? column = null) => new(File, SheetName, row, column);

    public void Add(SdsSeverity severity, string code, SdsLocation location, string message) =>
        Findings.Add(new SdsFinding(severity, code, location, message));
}

/// <summary>One row: its 1-based number and its cells (column A first), trailing empty cells trimmed.</summary>
internal readonly record struct RawRow(int Number, string?[] Cells)
{
    public string? this[int column] => column >= 1 && column <= Cells.Length ? Cells[column - 1] : null;

    /// <summary>Returns the cells without trailing nulls, or null when the row has no value.</summary>
    public static string?[]? Trim(List<string?> cells)
    {
        var last = cells.FindLastIndex(c => !string.IsNullOrEmpty(c));
        return last < 0 ? null : System.Runtime.InteropServices.CollectionsMarshal.AsSpan(cells)[..(last + 1)].ToArray();
    }
}
