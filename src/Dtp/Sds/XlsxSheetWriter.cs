using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Dtp.Sds;

/// <summary>
/// Writes one worksheet: the package, workbook and a minimal stylesheet through DocumentFormat.OpenXml, the sheet data
/// streamed as text into the worksheet part. Strings are inline with <c>xml:space="preserve"</c> (so
/// edge spaces and non-BMP characters survive openpyxl and LibreOffice), canonical integers are numbers, nothing is a formula.
/// </summary>
internal static class XlsxSheetWriter
{
    private static readonly System.Buffers.SearchValues<char> Markup = System.Buffers.SearchValues.Create("&<>\r");

    public static void Write(Stream stream, string sheetName, IEnumerable<string?[]> rows, CancellationToken cancellationToken)
    {
        using var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook);
        document.CompressionOption = System.IO.Packaging.CompressionOption.Fast;
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
        using (var part = worksheetPart.GetStream(FileMode.Create, FileAccess.Write))
        using (var xml = new StreamWriter(part, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16))
        {
            WriteSheetData(xml, rows, cancellationToken);
        }

        workbookPart.Workbook = new Workbook(new Sheets(new Sheet { Name = sheetName, SheetId = 1, Id = workbookPart.GetIdOfPart(worksheetPart) }));
    }

    private static void WriteSheetData(TextWriter xml, IEnumerable<string?[]> rows, CancellationToken cancellationToken)
    {
        // Written as text: the element and attribute names are fixed and only cell text needs escaping, which is far cheaper
        // than an XmlWriter's namespace bookkeeping on two million cells.
        xml.Write("""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>""");
        xml.Write("""<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>""");
        var columnNames = new List<string>();
        var rowNumber = 0;
        foreach (var cells in rows)
        {
            rowNumber++;
            if ((rowNumber & 0x3FF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var rowText = rowNumber.ToString(CultureInfo.InvariantCulture);
            xml.Write("<row r=\"");
            xml.Write(rowText);
            xml.Write("\">");
            for (var c = 0; c < cells.Length; c++)
            {
                var value = cells[c];
                if (string.IsNullOrEmpty(value))
                {
                    continue;
                }

                while (columnNames.Count <= c)
                {
                    columnNames.Add(SdsLocation.ColumnName(columnNames.Count + 1));
                }

                xml.Write("<c r=\"");
                xml.Write(columnNames[c]);
                xml.Write(rowText);
                if (IsCanonicalInteger(value))
                {
                    xml.Write("\"><v>");
                    xml.Write(value);
                    xml.Write("</v></c>");
                }
                else
                {
                    xml.Write("\" t=\"inlineStr\"><is><t xml:space=\"preserve\">");
                    WriteEscaped(xml, XmlSafe(value));
                    xml.Write("</t></is></c>");
                }
            }

            xml.Write("</row>");
        }

        xml.Write("</sheetData></worksheet>");
    }

    /// <summary>Escapes markup characters; carriage returns become a character reference so that XML parsers keep them.</summary>
    private static void WriteEscaped(TextWriter xml, string value)
    {
        var span = value.AsSpan();
        while (span.Length > 0)
        {
            var next = span.IndexOfAny(Markup);
            if (next < 0)
            {
                xml.Write(span);
                return;
            }

            xml.Write(span[..next]);
            xml.Write(span[next] switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ => "&#xD;",
            });
            span = span[(next + 1)..];
        }
    }

    /// <summary>Integers written without sign padding or leading zeros, short enough to be exact as a double.</summary>
    private static bool IsCanonicalInteger(string value)
    {
        var digits = value.StartsWith('-') ? value.AsSpan(1) : value.AsSpan();
        return digits.Length is > 0 and <= 15 && (digits.Length == 1 || digits[0] != '0') && !digits.ContainsAnyExceptInRange('0', '9')
            && !(value.StartsWith('-') && digits is "0");
    }

    /// <summary>Replaces what XML 1.0 cannot hold (control characters, unpaired surrogates) with U+FFFD.</summary>
    private static string XmlSafe(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (!IsXmlChar(value, i))
            {
                var chars = value.ToCharArray();
                for (var j = i; j < chars.Length; j++)
                {
                    if (char.IsHighSurrogate(chars[j]) && j + 1 < chars.Length && char.IsLowSurrogate(chars[j + 1]))
                    {
                        j++;
                    }
                    else if (!IsXmlChar(value, j))
                    {
                        chars[j] = '\uFFFD';
                    }
                }

                return new string(chars);
            }

            if (char.IsHighSurrogate(value[i]))
            {
                i++;
            }
        }

        return value;
    }

    private static bool IsXmlChar(string value, int i)
    {
        var c = value[i];
        return c switch
        {
            '\t' or '\n' or '\r' => true,
            < ' ' or '\uFFFE' or '\uFFFF' => false,
            _ when char.IsHighSurrogate(c) => i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]),
            _ when char.IsLowSurrogate(c) => false,
            _ => true,
        };
    }
}
