using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Dtp.Tests.Conversion;

/// <summary>Writes small test workbooks whose cells keep their type: text, numbers, booleans and date-formatted numbers.</summary>
internal static class Workbook
{
    public static void Write(string path, params (string Name, object?[][] Rows)[] sheets)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbookPart = document.AddWorkbookPart();
        var styles = workbookPart.AddNewPart<WorkbookStylesPart>();
        styles.Stylesheet = new Stylesheet(
            new Fonts(new Font()) { Count = 1 },
            new Fills(new Fill(new PatternFill { PatternType = PatternValues.None })) { Count = 1 },
            new Borders(new Border()) { Count = 1 },
            new CellFormats(new CellFormat { NumberFormatId = 0 }, new CellFormat { NumberFormatId = 22, ApplyNumberFormat = true }) { Count = 2 });
        var sheetList = new Sheets();
        uint id = 1;
        foreach (var (name, rows) in sheets)
        {
            var part = workbookPart.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            for (var r = 0; r < rows.Length; r++)
            {
                var row = new Row { RowIndex = (uint)(r + 1) };
                for (var c = 0; c < rows[r].Length; c++)
                {
                    if (rows[r][c] is { } value)
                    {
                        row.Append(Cell(value, $"{(char)('A' + c)}{r + 1}"));
                    }
                }

                data.Append(row);
            }

            part.Worksheet = new Worksheet(data);
            sheetList.Append(new Sheet { Name = name, SheetId = id++, Id = workbookPart.GetIdOfPart(part) });
        }

        workbookPart.Workbook = new DocumentFormat.OpenXml.Spreadsheet.Workbook(sheetList);
    }

    private static Cell Cell(object value, string reference) => value switch
    {
        string s => new Cell { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(s) { Space = SpaceProcessingModeValues.Preserve }) },
        bool b => new Cell { CellReference = reference, DataType = CellValues.Boolean, CellValue = new CellValue(b ? "1" : "0") },
        DateTime t => new Cell { CellReference = reference, StyleIndex = 1, CellValue = new CellValue(t.ToOADate().ToString(System.Globalization.CultureInfo.InvariantCulture)) },
        IConvertible n => new Cell { CellReference = reference, CellValue = new CellValue(Convert.ToDouble(n, System.Globalization.CultureInfo.InvariantCulture).ToString("R", System.Globalization.CultureInfo.InvariantCulture)) },
        _ => throw new ArgumentException($"Unsupported cell value {value}", nameof(value)),
    };
}
