using System.Globalization;

namespace Dtp.Conversion;

/// <summary>The type of a spreadsheet cell's value.</summary>
public enum ExcelCellKind
{
    /// <summary>Text (<see cref="string"/>).</summary>
    Text,

    /// <summary>A number without fractional part (<see cref="long"/>).</summary>
    WholeNumber,

    /// <summary>A number with a fractional part (<see cref="double"/>).</summary>
    Number,

    /// <summary>A boolean (<see cref="bool"/>).</summary>
    Boolean,

    /// <summary>A date or date-time (a date-formatted number; <see cref="DateTime"/>).</summary>
    DateTime,

    /// <summary>An error value such as <c>#N/A</c> (its text).</summary>
    Error,
}

/// <summary>One non-empty spreadsheet cell: its typed value and where it is.</summary>
/// <param name="Row">The 1-based sheet row.</param>
/// <param name="Column">The 1-based sheet column.</param>
/// <param name="Kind">The value's type.</param>
/// <param name="Value">The value: <see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/> or <see cref="DateTime"/>.</param>
public sealed record ExcelCell(int Row, int Column, ExcelCellKind Kind, object Value)
{
    /// <summary>Gets the cell reference, e.g. <c>B7</c>.</summary>
    public string Reference => Sds.SdsLocation.ColumnName(Column) + Row.ToString(CultureInfo.InvariantCulture);

    /// <summary>Gets the value as invariant text (ISO 8601 for dates, <c>TRUE</c>/<c>FALSE</c> for booleans).</summary>
    public string Text => Value switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        DateTime t => t.TimeOfDay == TimeSpan.Zero
            ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : t.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? string.Empty,
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Reference}={Text}";
}

/// <summary>One data row of an <see cref="ExcelTable"/>: its cells by 0-based column index (null = empty).</summary>
/// <param name="Number">The 1-based sheet row.</param>
/// <param name="Cells">The cells; index 0 is column A.</param>
public sealed record ExcelRow(int Number, IReadOnlyList<ExcelCell?> Cells)
{
    /// <summary>Returns the cell at a 0-based column index, or <see langword="null"/> when empty or beyond the row.</summary>
    /// <param name="index">The 0-based column index.</param>
    public ExcelCell? this[int index] => index >= 0 && index < Cells.Count ? Cells[index] : null;
}

/// <summary>
/// One worksheet read as a table: the first non-empty row is the header, every later non-empty row is a data row
/// (the original's pandas DataFrame, but cells keep their type and their sheet coordinates).
/// </summary>
public sealed class ExcelTable
{
    internal ExcelTable(string file, string sheetName, IReadOnlyList<ExcelCell?> header, IReadOnlyList<ExcelRow> rows)
    {
        File = file;
        SheetName = sheetName;
        HeaderCells = header;
        Rows = rows;
        Columns = [.. header.Select(c => c?.Text ?? string.Empty)];
    }

    /// <summary>Gets the workbook path.</summary>
    public string File { get; }

    /// <summary>Gets the worksheet name.</summary>
    public string SheetName { get; }

    /// <summary>Gets the header cells by 0-based column index (null = empty header cell).</summary>
    public IReadOnlyList<ExcelCell?> HeaderCells { get; }

    /// <summary>Gets the header texts by 0-based column index (empty for an empty header cell).</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Gets the data rows below the header, empty rows skipped.</summary>
    public IReadOnlyList<ExcelRow> Rows { get; }

    /// <summary>Gets the number of the header row (1-based), or 0 when the sheet is empty.</summary>
    public int HeaderRow => HeaderCells.FirstOrDefault(c => c is not null)?.Row ?? 0;

    /// <summary>Returns a location naming a cell of this table.</summary>
    /// <param name="row">The 1-based sheet row.</param>
    /// <param name="column">The 1-based sheet column.</param>
    public Sds.SdsLocation At(int? row = null, int? column = null) => new(File, SheetName, row, column);
}
