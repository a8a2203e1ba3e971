using System.Globalization;
using System.Text;

namespace Dtp.Sds;

/// <summary>Where a value sits: a file relative to the dataset root and, when known, the sheet, row and column (1-based).</summary>
/// <param name="File">The file, relative to the dataset root (forward slashes) or as given.</param>
/// <param name="Sheet">The worksheet name (xlsx only).</param>
/// <param name="Row">The 1-based row (the record number in csv/tsv; for json the index of the record or element).</param>
/// <param name="Column">The 1-based column (column A is 1).</param>
public sealed record SdsLocation(string File, string? Sheet = null, int? Row = null, int? Column = null)
{
    /// <summary>Gets the spreadsheet cell address (<c>D5</c>), the column letters, the row number or <see langword="null"/>.</summary>
    public string? Cell => (Row, Column) switch
    {
        ({ } r, { } c) => ColumnName(c) + r.ToString(CultureInfo.InvariantCulture),
        (null, { } c) => ColumnName(c),
        ({ } r, null) => r.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>Returns the letters of a 1-based column number (1 is A, 27 is AA).</summary>
    /// <param name="column">The column number.</param>
    /// <returns>The column letters.</returns>
    public static string ColumnName(int column)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(column, 1);
        var name = new StringBuilder();
        for (var c = column; c > 0; c = (c - 1) / 26)
        {
            name.Insert(0, (char)('A' + ((c - 1) % 26)));
        }

        return name.ToString();
    }

    /// <summary>Returns e.g. <c>subjects.xlsx, sheet Sheet1, cell B3</c>.</summary>
    /// <returns>The location as text.</returns>
    public override string ToString()
    {
        var text = new StringBuilder(File);
        if (Sheet is not null)
        {
            text.Append(", sheet ").Append(Sheet);
        }

        switch (Row, Column)
        {
            case ({ }, { }):
                text.Append(", cell ").Append(Cell);
                break;
            case ({ } r, null):
                text.Append(", row ").Append(r.ToString(CultureInfo.InvariantCulture));
                break;
            case (null, { }):
                text.Append(", column ").Append(Cell);
                break;
        }

        return text.ToString();
    }
}

/// <summary>A value read from a metadata file, with the place it was read from.</summary>
/// <param name="Text">The value as text (never empty; numbers in invariant culture, dates as ISO 8601).</param>
/// <param name="Location">Where the value was read.</param>
public sealed record SdsValue(string Text, SdsLocation Location)
{
    /// <inheritdoc />
    public override string ToString() => Text;
}
