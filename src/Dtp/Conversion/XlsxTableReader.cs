using System.Globalization;
using System.IO.Packaging;
using System.Xml;
using DocumentFormat.OpenXml.Packaging;
using Dtp.Sds;

namespace Dtp.Conversion;

/// <summary>Streams one worksheet of an xlsx into an <see cref="ExcelTable"/> of typed cells.</summary>
internal static class XlsxTableReader
{
    public static ExcelTable Read(Stream stream, string file, string? sheetName)
    {
        SpreadsheetDocument document;
        try
        {
            XlsxSheetReader.ThrowIfPartTooLarge(stream, file, SdsReadLimits.Default.MaxXlsxPartBytes);
            document = SpreadsheetDocument.Open(stream, false);
        }
        catch (Exception ex) when (ex is OpenXmlPackageException or InvalidDataException or FileFormatException or IOException or XmlException)
        {
            throw new DtpException($"{file} is not a readable .xlsx workbook: {ex.Message}", DtpErrorKind.Local, isTransient: false, ex);
        }

        using (document)
        {
            try
            {
                return ReadSheet(document, file, sheetName);
            }
            catch (XmlException ex)
            {
                throw new DtpException($"{file} contains malformed XML: {ex.Message}", DtpErrorKind.Local, isTransient: false, ex);
            }
        }
    }

    private static ExcelTable ReadSheet(SpreadsheetDocument document, string file, string? sheetName)
    {
        var workbook = document.WorkbookPart ?? throw new DtpException($"{file} is not a workbook.", DtpErrorKind.Local);
        var (sheets, date1904) = XlsxSheetReader.ReadWorkbook(workbook);
        var chosen = sheetName is null ? sheets.FirstOrDefault() : sheets.FirstOrDefault(s => s.Name == sheetName);
        if (chosen.Id is null)
        {
            throw new DtpException(sheetName is null
                ? $"{file} has no worksheet."
                : $"{file} has no worksheet named '{sheetName}' (it has: {string.Join(", ", sheets.Select(s => s.Name))}).", DtpErrorKind.Local);
        }

        if (workbook.GetPartById(chosen.Id) is not WorksheetPart part)
        {
            throw new DtpException($"{file}: sheet '{chosen.Name}' is not a worksheet.", DtpErrorKind.Local);
        }

        var shared = workbook.SharedStringTablePart is { } sst ? XlsxSheetReader.ReadSharedStrings(sst, file, SdsReadLimits.Default) : [];
        var dateStyles = workbook.WorkbookStylesPart is { } styles ? XlsxSheetReader.ReadDateStyles(styles) : [];
        var rows = ReadRows(part, file, shared, dateStyles, date1904);
        var header = rows.Count > 0 ? rows[0].Cells : [];
        return new ExcelTable(file, chosen.Name, header, rows.Count > 1 ? rows[1..] : []);
    }

    private static List<ExcelRow> ReadRows(WorksheetPart part, string file, List<string> shared, HashSet<int> dateStyles, bool date1904)
    {
        var rows = new List<ExcelRow>();
        using var stream = XlsxSheetReader.OpenPart(part, file, SdsReadLimits.Default.MaxXlsxPartBytes);
        var xml = new XlsxXmlScanner(stream);
        var rowNumber = 0;
        var cells = new List<ExcelCell?>();
        while (xml.Read())
        {
            if (!XlsxSheetReader.IsRowWithCells(xml, file, ref rowNumber))
            {
                continue;
            }

            cells.Clear();
            ReadRow(xml, rowNumber, cells, shared, dateStyles, date1904);
            if (cells.Exists(c => c is not null))
            {
                rows.Add(new ExcelRow(rowNumber, [.. cells]));
            }
        }

        return rows;
    }

    private static void ReadRow(XlsxXmlScanner xml, int rowNumber, List<ExcelCell?> cells, List<string> shared, HashSet<int> dateStyles, bool date1904)
    {
        var depth = xml.Depth;
        var value = default(XlsxCell);
        while (XlsxSheetReader.NextCell(xml, depth, ref value))
        {
            if (string.IsNullOrEmpty(value.Raw) || ToCell(value, rowNumber, shared, dateStyles, date1904) is not { } cell)
            {
                continue;
            }

            while (cells.Count < value.Column)
            {
                cells.Add(null);
            }

            cells[value.Column - 1] = cell;
        }
    }

    private static ExcelCell? ToCell(XlsxCell value, int row, List<string> shared, HashSet<int> dateStyles, bool date1904)
    {
        var (column, raw) = (value.Column, value.Raw!);
        switch (value.Type)
        {
            case "s":
                return int.TryParse(raw, CultureInfo.InvariantCulture, out var index) && index >= 0 && index < shared.Count && shared[index].Length > 0
                    ? new ExcelCell(row, column, ExcelCellKind.Text, shared[index])
                    : null;
            case "str" or "inlineStr":
                return new ExcelCell(row, column, ExcelCellKind.Text, raw);
            case "b":
                return new ExcelCell(row, column, ExcelCellKind.Boolean, raw is "1" or "true");
            case "e":
                return new ExcelCell(row, column, ExcelCellKind.Error, raw);
            case "d":
                return DateTime.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var iso)
                    ? new ExcelCell(row, column, ExcelCellKind.DateTime, iso)
                    : new ExcelCell(row, column, ExcelCellKind.Text, raw);
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return new ExcelCell(row, column, ExcelCellKind.Text, raw);
        }

        if (dateStyles.Contains(value.Style) && number is >= 0 and < 2_958_466)
        {
            var date = DateTime.FromOADate(date1904 ? number + XlsxSheetReader.Date1904Offset : number);
            return new ExcelCell(row, column, ExcelCellKind.DateTime, new DateTime(date.Ticks - (date.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified));
        }

        return number == Math.Floor(number) && Math.Abs(number) < 9.2e18
            ? new ExcelCell(row, column, ExcelCellKind.WholeNumber, (long)number)
            : new ExcelCell(row, column, ExcelCellKind.Number, number);
    }
}
