using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Dtp.Sds;

/// <summary>
/// Writes one worksheet with DocumentFormat.OpenXml's streaming <see cref="OpenXmlWriter"/>: inline strings with
/// <c>xml:space="preserve"</c> (so edge spaces and non-BMP characters survive openpyxl and LibreOffice), canonical integers
/// as numbers, no formulas, a minimal stylesheet.
/// </summary>
internal static class XlsxSheetWriter
{
    private static readonly OpenXmlAttribute PreserveSpace = new("xml", "space", "http://www.w3.org/XML/1998/namespace", "preserve");

    public static void Write(Stream stream, string sheetName, IEnumerable<string?[]> rows, CancellationToken cancellationToken)
    {
        using var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook);
        var workbookPart = document.AddWorkbookPart();
        var stylesPart = workbookPart.AddNewPart<WorkbookStylesPart>();
        stylesPart.Stylesheet = new Stylesheet(
            new Fonts(new Font(new FontSize { Val = 11 }, new FontName { Val = "Calibri" })) { Count = 1 },
            new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
            new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder())) { Count = 1 },
            new CellStyleFormats(new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0 }) { Count = 1 },
            new CellFormats(new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0 }) { Count = 1 },
            new CellStyles(new CellStyle { Name = "Normal", FormatId = 0, BuiltinId = 0 }) { Count = 1 });
        var worksheetPart = workbookPart.AddNewPart<WorksheetPart>();
        using (var writer = OpenXmlWriter.Create(worksheetPart))
        {
            writer.WriteStartElement(new Worksheet());
            writer.WriteStartElement(new SheetData());
            var rowNumber = 0;
            var reference = new StringBuilder(12);
            var rowAttributes = new List<OpenXmlAttribute>(1);
            var cellAttributes = new List<OpenXmlAttribute>(2);
            foreach (var cells in rows)
            {
                rowNumber++;
                if ((rowNumber & 0x3FF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var rowText = rowNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
                rowAttributes.Clear();
                rowAttributes.Add(new OpenXmlAttribute("r", string.Empty, rowText));
                writer.WriteStartElement(new Row(), rowAttributes);
                for (var c = 0; c < cells.Length; c++)
                {
                    if (string.IsNullOrEmpty(cells[c]))
                    {
                        continue;
                    }

                    reference.Clear().Append(SdsLocation.ColumnName(c + 1)).Append(rowText);
                    WriteCell(writer, reference.ToString(), cells[c]!, cellAttributes);
                }

                writer.WriteEndElement();
            }

            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        workbookPart.Workbook = new Workbook(new Sheets(new Sheet { Name = sheetName, SheetId = 1, Id = workbookPart.GetIdOfPart(worksheetPart) }));
    }

    private static void WriteCell(OpenXmlWriter writer, string reference, string value, List<OpenXmlAttribute> attributes)
    {
        attributes.Clear();
        attributes.Add(new OpenXmlAttribute("r", string.Empty, reference));
        if (IsCanonicalInteger(value))
        {
            writer.WriteStartElement(new Cell(), attributes);
            writer.WriteElement(new CellValue(value));
            writer.WriteEndElement();
            return;
        }

        attributes.Add(new OpenXmlAttribute("t", string.Empty, "inlineStr"));
        writer.WriteStartElement(new Cell(), attributes);
        writer.WriteStartElement(new InlineString());
        writer.WriteStartElement(new Text(), [PreserveSpace]);
        writer.WriteString(XmlSafe(value));
        writer.WriteEndElement();
        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    /// <summary>Integers written without sign padding or leading zeros, short enough to be exact as a double.</summary>
    private static bool IsCanonicalInteger(string value)
    {
        var digits = value.StartsWith('-') ? value.AsSpan(1) : value.AsSpan();
        return digits.Length is > 0 and <= 15 && (digits.Length == 1 || digits[0] != '0') && !digits.ContainsAnyExceptInRange('0', '9')
            && !(value.StartsWith('-') && digits is "0");
    }

    /// <summary>Replaces the control characters XML 1.0 cannot hold with U+FFFD.</summary>
    private static string XmlSafe(string value)
    {
        foreach (var c in value)
        {
            if (c < 0x20 && c is not ('\t' or '\n' or '\r') || c is '\uFFFE' or '\uFFFF')
            {
                return string.Create(value.Length, value, static (span, source) =>
                {
                    for (var i = 0; i < source.Length; i++)
                    {
                        var ch = source[i];
                        span[i] = ch < 0x20 && ch is not ('\t' or '\n' or '\r') || ch is '\uFFFE' or '\uFFFF' ? '\uFFFD' : ch;
                    }
                });
            }
        }

        return value;
    }
}
