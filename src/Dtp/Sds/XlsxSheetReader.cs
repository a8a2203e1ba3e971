using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Packaging;
using System.Numerics;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Xml;
using DocumentFormat.OpenXml.Packaging;

namespace Dtp.Sds;

/// <summary>
/// Streams the first worksheet of an xlsx: the package and its relationships through DocumentFormat.OpenXml, the worksheet
/// and shared-strings XML through an <see cref="XlsxXmlScanner"/> (each can be 100 MB), the small parts (workbook, styles)
/// through an <see cref="XmlReader"/>. The worksheet's rows and cells are read the same way for the conversion's typed
/// tables (<see cref="IsRowWithCells"/>, <see cref="NextCell"/>). Only rows that hold a value are kept, so formatted empty rows down to row 1,048,576
/// cost nothing; hyperlink targets replace cell text; formula cells without a cached value fall back to the display text of
/// <c>HYPERLINK(...)</c>; date-formatted numbers become ISO 8601 text.
/// </summary>
internal static class XlsxSheetReader
{
    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const int MaxColumns = 16_384;

    private const int LastRow = 1_048_576;

    /// <summary>The size of the blocks of rows read in parallel, and the largest block (one row larger than that is read sequentially).</summary>
    private const int RowBlockSize = 1 << 20;
    private const int MaxRowBlockSize = 64 << 20;

    private static readonly XmlReaderSettings Settings = new()
    {
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = false,
        DtdProcessing = DtdProcessing.Prohibit,
        CloseInput = false,
    };

    public static RawSheet Read(Stream stream, string file, SdsReadLimits limits)
    {
        SpreadsheetDocument document;
        try
        {
            ThrowIfPartTooLarge(stream, file, limits.MaxXlsxPartBytes);
            document = SpreadsheetDocument.Open(stream, false);
        }
        catch (Exception ex) when (ex is OpenXmlPackageException or InvalidDataException or FileFormatException or IOException or XmlException)
        {
            throw new SdsFormatException($"{file} is not a valid .xlsx workbook (not a readable zip package): {ex.Message}", new SdsLocation(file), ex);
        }

        using (document)
        {
            try
            {
                return ReadFirstSheet(document, file, limits);
            }
            catch (XmlException ex)
            {
                throw new SdsFormatException($"{file} contains malformed XML: {ex.Message}", new SdsLocation(file), ex);
            }
        }
    }

    /// <summary>
    /// Inflates the entries of the package that dtp does not read as a stream itself, counting bytes, and refuses one that
    /// expands beyond <paramref name="maxPartBytes"/> (the sizes a zip declares may lie); then rewinds the stream. Worksheets
    /// and the shared-strings table are counted while they are read (<see cref="OpenPart"/>), so they are inflated only once.
    /// </summary>
    /// <exception cref="SdsFormatException">A part is too large.</exception>
    /// <exception cref="InvalidDataException">The stream is not a zip archive.</exception>
    internal static void ThrowIfPartTooLarge(Stream stream, string file, long maxPartBytes)
    {
        var start = stream.Position;
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Read, leaveOpen: true))
        {
            var buffer = new byte[81_920];
            foreach (var entry in zip.Entries.Where(e => !IsStreamedPart(e.FullName)))
            {
                var total = 0L;
                using var content = entry.Open();
                for (int read; (read = content.Read(buffer)) > 0;)
                {
                    total += read;
                    if (total > maxPartBytes)
                    {
                        throw PartTooLarge(file, entry.FullName, maxPartBytes);
                    }
                }
            }
        }

        stream.Position = start;
    }

    /// <summary>Opens a part for reading; the stream throws <see cref="SdsFormatException"/> once the part inflates beyond <paramref name="maxPartBytes"/>.</summary>
    internal static Stream OpenPart(OpenXmlPart part, string file, long maxPartBytes) =>
        new PartSizeLimit(part.GetStream(FileMode.Open, FileAccess.Read), () => PartTooLarge(file, part.Uri.OriginalString.TrimStart('/'), maxPartBytes), maxPartBytes);

    /// <summary>Refuses a row beyond the last one a worksheet can hold (1,048,576): a broken or hostile file, not a spreadsheet.</summary>
    internal static void ThrowIfBeyondLastRow(int rowNumber, string file)
    {
        if (rowNumber is < 1 or > LastRow)
        {
            throw new SdsFormatException($"{file}: row {rowNumber.ToString(CultureInfo.InvariantCulture)} is outside the rows a worksheet can hold (1 to {LastRow.ToString(CultureInfo.InvariantCulture)}); the workbook is broken.", new SdsLocation(file));
        }
    }

    private static bool IsStreamedPart(string name) =>
        name == "xl/sharedStrings.xml" || (name.StartsWith("xl/worksheets/", StringComparison.Ordinal) && !name.Contains("/_rels/", StringComparison.Ordinal));

    private static SdsFormatException PartTooLarge(string file, string part, long maxPartBytes) =>
        new($"{file}: the part {part} expands to more than {maxPartBytes.ToString(CultureInfo.InvariantCulture)} bytes, the largest xlsx part dtp reads (SdsReadLimits.MaxXlsxPartBytes); a workbook this large is refused.",
            new SdsLocation(file));

    private static RawSheet ReadFirstSheet(SpreadsheetDocument document, string file, SdsReadLimits limits)
    {
        var workbookPart = document.WorkbookPart
            ?? throw new SdsFormatException($"{file} is a zip package but not a workbook (no workbook part).", new SdsLocation(file));
        var (sheets, date1904) = ReadWorkbook(workbookPart);
        if (sheets.Count == 0)
        {
            throw new SdsFormatException($"{file} has no worksheet.", new SdsLocation(file));
        }

        var (name, relationshipId) = sheets[0];
        var sheet = new RawSheet(file, SdsFileFormat.Xlsx, name);
        if (sheets.Count > 1)
        {
            sheet.Add(SdsSeverity.Error, SdsFindingCodes.Layout, new SdsLocation(file),
                $"The workbook has {sheets.Count} sheets ({string.Join(", ", sheets.Select(s => s.Name))}); SDS reads only the first, '{name}': move the other sheets to separate files.");
        }

        if (workbookPart.GetPartById(relationshipId) is not WorksheetPart worksheetPart)
        {
            throw new SdsFormatException($"{file}: sheet '{name}' is not a worksheet.", new SdsLocation(file, name));
        }

        var sharedStrings = workbookPart.SharedStringTablePart is { } sst ? ReadSharedStrings(sst, file, limits) : [];
        var dateStyles = workbookPart.WorkbookStylesPart is { } styles ? ReadDateStyles(styles) : [];
        var hyperlinkTargets = worksheetPart.HyperlinkRelationships.ToDictionary(r => r.Id, r => r.Uri.OriginalString, StringComparer.Ordinal);
        ReadCells(worksheetPart, sheet, sharedStrings, dateStyles, date1904, hyperlinkTargets, limits.MaxXlsxPartBytes);
        return sheet;
    }

    /// <summary>Reads the workbook part: its sheets in order (name and relationship id) and whether its dates count from 1904.</summary>
    internal static (List<(string Name, string Id)> Sheets, bool Date1904) ReadWorkbook(WorkbookPart workbookPart)
    {
        var sheets = new List<(string, string)>();
        var date1904 = false;
        using var part = workbookPart.GetStream(FileMode.Open, FileAccess.Read);
        using var xml = XmlReader.Create(part, Settings);
        while (xml.Read())
        {
            if (xml.NodeType != XmlNodeType.Element || xml.NamespaceURI != MainNs)
            {
                continue;
            }

            if (xml.LocalName == "sheet")
            {
                sheets.Add((xml.GetAttribute("name") ?? "Sheet1", xml.GetAttribute("id", RelNs) ?? string.Empty));
            }
            else if (xml.LocalName == "workbookPr")
            {
                date1904 = xml.GetAttribute("date1904") is "1" or "true";
            }
        }

        return (sheets, date1904);
    }

    /// <summary>
    /// Reads the shared-strings table: one string per <c>&lt;si&gt;</c>, its rich-text runs concatenated, phonetic runs
    /// (<c>&lt;rPh&gt;</c>) skipped; repeated short values share one string. Refuses a table whose strings would take more
    /// memory than <see cref="SdsReadLimits.MaxSharedStringBytes"/>.
    /// </summary>
    internal static List<string> ReadSharedStrings(SharedStringTablePart part, string file, SdsReadLimits limits)
    {
        var strings = new List<string>();
        using var stream = OpenPart(part, file, limits.MaxXlsxPartBytes);
        var xml = new XlsxXmlScanner(stream);
        var retainedBytes = 0L;
        var previous = string.Empty;
        while (xml.Read())
        {
            if (xml.Node != XlsxXmlNode.Element || !xml.IsNamed("si"u8))
            {
                continue;
            }

            var text = xml.IsEmptyElement ? string.Empty : ReadRichText(xml);

            // An entry costs its reference (twice, while the list grows); its string costs its characters too, unless it is
            // the very instance of the entry before (a run of one short value, which the scanner shares): a conservative estimate.
            retainedBytes += 16 + (text.Length == 0 || ReferenceEquals(text, previous) ? 0 : 24 + (2L * text.Length));
            if (retainedBytes > limits.MaxSharedStringBytes)
            {
                throw new SdsFormatException(
                    $"{file}: the shared-strings table {part.Uri.OriginalString.TrimStart('/')} would take more than {limits.MaxSharedStringBytes.ToString(CultureInfo.InvariantCulture)} bytes of memory, the most dtp gives it (SdsReadLimits.MaxSharedStringBytes); a workbook this large is refused.",
                    new SdsLocation(file));
            }

            strings.Add(text);
            previous = text;
        }

        return strings;
    }

    /// <summary>Returns the text runs (<c>&lt;t&gt;</c>) inside the current element, concatenated, skipping phonetic runs; leaves the scanner on its end element.</summary>
    private static string ReadRichText(XlsxXmlScanner xml)
    {
        var depth = xml.Depth;
        string? text = null;
        while (xml.Read() && !(xml.Node == XlsxXmlNode.EndElement && xml.Depth == depth))
        {
            if (xml.Node != XlsxXmlNode.Element)
            {
                continue;
            }

            if (xml.IsNamed("t"u8))
            {
                var run = xml.ReadElementText();
                text = text is null ? run : text + run;
            }
            else if (xml.IsNamed("rPh"u8))
            {
                xml.Skip();
            }
        }

        return text ?? string.Empty;
    }

    /// <summary>Returns the indexes of cell formats (<c>s</c> attribute) that show a date or time.</summary>
    internal static HashSet<int> ReadDateStyles(WorkbookStylesPart part)
    {
        var customDateFormats = new HashSet<int>();
        var dateStyles = new HashSet<int>();
        using var stream = part.GetStream(FileMode.Open, FileAccess.Read);
        using var xml = XmlReader.Create(stream, Settings);
        var inCellXfs = false;
        var xfIndex = 0;
        while (xml.Read())
        {
            if (xml.NodeType == XmlNodeType.EndElement && xml.LocalName == "cellXfs")
            {
                inCellXfs = false;
            }

            if (xml.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            switch (xml.LocalName)
            {
                case "numFmt" when int.TryParse(xml.GetAttribute("numFmtId"), CultureInfo.InvariantCulture, out var id) && IsDateFormat(xml.GetAttribute("formatCode")):
                    customDateFormats.Add(id);
                    break;
                case "cellXfs":
                    inCellXfs = !xml.IsEmptyElement;
                    break;
                case "xf" when inCellXfs:
                    if (int.TryParse(xml.GetAttribute("numFmtId"), CultureInfo.InvariantCulture, out var fmt)
                        && (fmt is (>= 14 and <= 22) or (>= 45 and <= 47) || customDateFormats.Contains(fmt)))
                    {
                        dateStyles.Add(xfIndex);
                    }

                    xfIndex++;
                    break;
            }
        }

        return dateStyles;
    }

    private static bool IsDateFormat(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return false;
        }

        var inQuote = false;
        var inBracket = false;
        foreach (var c in code)
        {
            switch (c)
            {
                case '"':
                    inQuote = !inQuote;
                    break;
                case '[':
                    inBracket = true;
                    break;
                case ']':
                    inBracket = false;
                    break;
                default:
                    if (!inQuote && !inBracket && "dmyhsDMYHS".Contains(c, StringComparison.Ordinal))
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads the worksheet's rows and applies its hyperlinks. On a machine with several cores the rows are cut into blocks
    /// read in parallel (<see cref="ReadRowBlocks"/>); when a block cannot be read that way the part is read again in one pass,
    /// which also gives the exact position of a real error.
    /// </summary>
    private static void ReadCells(WorksheetPart part, RawSheet sheet, List<string> sharedStrings, HashSet<int> dateStyles, bool date1904,
        Dictionary<string, string> hyperlinkTargets, long maxPartBytes)
    {
        if (Environment.ProcessorCount > 1)
        {
            var findings = sheet.Findings.Count;
            try
            {
                if (TryReadCells(part, sheet, sharedStrings, dateStyles, date1904, hyperlinkTargets, maxPartBytes, parallel: true))
                {
                    return;
                }
            }
            catch (XmlException)
            {
                // Malformed, or a block cut at an end tag inside a comment or CDATA section: the sequential read tells which.
            }

            sheet.Rows.Clear();
            sheet.Findings.RemoveRange(findings, sheet.Findings.Count - findings);
        }

        TryReadCells(part, sheet, sharedStrings, dateStyles, date1904, hyperlinkTargets, maxPartBytes, parallel: false);
    }

    /// <summary>Reads the rows (in parallel blocks when asked) and the hyperlinks; returns false when a block could not be read in parallel.</summary>
    private static bool TryReadCells(WorksheetPart part, RawSheet sheet, List<string> sharedStrings, HashSet<int> dateStyles, bool date1904,
        Dictionary<string, string> hyperlinkTargets, long maxPartBytes, bool parallel)
    {
        using var stream = OpenPart(part, sheet.File, maxPartBytes);
        var xml = new XlsxXmlScanner(stream);
        var cells = new List<string?>();
        var previous = new List<string?>();
        var rowNumber = 0;
        Dictionary<int, int>? rowIndexByNumber = null;
        while (xml.Read())
        {
            if (xml.Node != XlsxXmlNode.Element)
            {
                continue;
            }

            if (parallel && xml.IsNamed("sheetData"u8))
            {
                if (!ReadRowBlocks(xml, sheet, sharedStrings, dateStyles, date1904, ref rowNumber))
                {
                    return false;
                }
            }
            else if (IsRowWithCells(xml, sheet.File, ref rowNumber))
            {
                ReadRow(xml, sheet, rowNumber, cells, previous, sharedStrings, dateStyles, date1904);
            }
            else if (xml.IsNamed("hyperlink"u8))
            {
                // Hyperlinks follow the cells; the row index is built only for sheets that have one.
                rowIndexByNumber ??= IndexRows(sheet);
                ApplyHyperlink(xml, sheet, rowIndexByNumber, hyperlinkTargets);
            }
        }

        return true;
    }

    /// <summary>
    /// Standing on <c>&lt;sheetData&gt;</c>, cuts its rows into blocks of about 1 MB of XML (<see cref="XlsxXmlScanner.TryReadContentBlock"/>)
    /// and reads them on all cores, one block per core at a time, adding their rows and findings to the sheet in order. The
    /// scanner is left where the cutting stopped (normally the end of <c>&lt;sheetData&gt;</c>; anything left is read
    /// sequentially). Returns false when a block is not well-formed or starts with a row without a number, which a block
    /// cannot know: the part must then be read sequentially.
    /// </summary>
    private static bool ReadRowBlocks(XlsxXmlScanner xml, RawSheet sheet, List<string> sharedStrings, HashSet<int> dateStyles, bool date1904, ref int rowNumber)
    {
        var blocks = new SortedList<int, (RawSheet Rows, int LastRow)?>();
        try
        {
            Parallel.ForEach(Partitioner.Create(Cut(), EnumerablePartitionerOptions.NoBuffering), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, (item, loop) =>
            {
                try
                {
                    var rows = ReadRowBlock(item.Block, item.Length, sheet, sharedStrings, dateStyles, date1904);
                    lock (blocks)
                    {
                        blocks.Add(item.Index, rows);
                    }

                    if (rows is null)
                    {
                        loop.Stop();
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(item.Block);
                }
            });
        }
        catch (AggregateException ex)
        {
            var inner = ex.Flatten().InnerExceptions;
            if (inner.Any(e => e is XmlException))
            {
                return false;
            }

            ExceptionDispatchInfo.Throw(inner[0]);
        }

        for (var i = 0; i < blocks.Count; i++)
        {
            if (blocks.Keys[i] != i || blocks.Values[i] is not { } read)
            {
                return false;
            }

            sheet.Rows.AddRange(read.Rows.Rows);
            sheet.Findings.AddRange(read.Rows.Findings);
            rowNumber = read.LastRow;
        }

        return true;

        IEnumerable<(int Index, byte[] Block, int Length)> Cut()
        {
            for (var index = 0; xml.TryReadContentBlock("row"u8, RowBlockSize, MaxRowBlockSize, out var block, out var length); index++)
            {
                yield return (index, block, length);
            }
        }
    }

    /// <summary>Reads the rows of one block into a sheet of their own; returns null when its first row has no number (<c>r</c>).</summary>
    private static (RawSheet Rows, int LastRow)? ReadRowBlock(byte[] block, int length, RawSheet sheet, List<string> sharedStrings, HashSet<int> dateStyles, bool date1904)
    {
        var rows = new RawSheet(sheet.File, sheet.Format, sheet.SheetName);
        var xml = new XlsxXmlScanner(block, length);
        var cells = new List<string?>();
        var previous = new List<string?>();
        var rowNumber = 0;
        while (xml.Read())
        {
            if (rowNumber == 0 && xml.Node == XlsxXmlNode.Element && xml.IsNamed("row"u8) && xml.RawAttribute("r"u8).IsEmpty)
            {
                return null;
            }

            if (IsRowWithCells(xml, sheet.File, ref rowNumber))
            {
                ReadRow(xml, rows, rowNumber, cells, previous, sharedStrings, dateStyles, date1904);
            }
        }

        return (rows, rowNumber);
    }

    private static Dictionary<int, int> IndexRows(RawSheet sheet)
    {
        var index = new Dictionary<int, int>(sheet.Rows.Count);
        for (var i = 0; i < sheet.Rows.Count; i++)
        {
            index[sheet.Rows[i].Number] = i;
        }

        return index;
    }

    /// <summary>
    /// When the scanner stands on a <c>&lt;row&gt;</c> element, sets <paramref name="rowNumber"/> to its number (its <c>r</c>,
    /// or the row after the previous one) and returns whether it can hold cells (it is not written <c>&lt;row/&gt;</c>).
    /// </summary>
    /// <exception cref="SdsFormatException">The row is beyond the last one a worksheet can hold.</exception>
    internal static bool IsRowWithCells(XlsxXmlScanner xml, string file, ref int rowNumber)
    {
        if (xml.Node != XlsxXmlNode.Element || !xml.IsNamed("row"u8))
        {
            return false;
        }

        rowNumber = int.TryParse(xml.RawAttribute("r"u8), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : rowNumber + 1;
        ThrowIfBeyondLastRow(rowNumber, file);
        return !xml.IsEmptyElement;
    }

    /// <summary>
    /// Reads the next cell of the row whose element is at <paramref name="rowDepth"/> that has a value or a formula and lies
    /// within the columns a worksheet can hold; returns false at the row's end element. Pass the previous cell (initially
    /// default): a cell without a reference takes the column after it.
    /// </summary>
    internal static bool NextCell(XlsxXmlScanner xml, int rowDepth, ref XlsxCell cell)
    {
        while (xml.Read() && !(xml.Node == XlsxXmlNode.EndElement && xml.Depth == rowDepth))
        {
            if (xml.Node != XlsxXmlNode.Element || !xml.IsNamed("c"u8))
            {
                continue;
            }

            var column = ParseColumn(xml.RawAttribute("r"u8)) ?? cell.Column + 1;
            var type = CellType(xml.RawAttribute("t"u8));
            var style = int.TryParse(xml.RawAttribute("s"u8), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : -1;
            var (raw, formula) = xml.IsEmptyElement ? default : ReadCell(xml, type);
            cell = new XlsxCell(column, type, style, raw, formula);
            if (column <= MaxColumns && (!string.IsNullOrEmpty(raw) || formula is not null))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads one row's cells and adds the row to the sheet when it holds a value; a value equal to the one above it shares its
    /// string, which keeps repetitive columns small.
    /// </summary>
    private static void ReadRow(XlsxXmlScanner xml, RawSheet sheet, int rowNumber, List<string?> cells, List<string?> previous, List<string> sharedStrings, HashSet<int> dateStyles,
        bool date1904)
    {
        cells.Clear();
        var depth = xml.Depth;
        var cell = default(XlsxCell);
        while (NextCell(xml, depth, ref cell))
        {
            var column = cell.Column;
            var text = Convert(cell, sharedStrings, dateStyles, date1904, sheet, rowNumber);
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            while (cells.Count < column)
            {
                cells.Add(null);
            }

            while (previous.Count < column)
            {
                previous.Add(null);
            }

            if (string.Equals(previous[column - 1], text, StringComparison.Ordinal))
            {
                text = previous[column - 1]!;
            }

            previous[column - 1] = text;
            cells[column - 1] = text;
        }

        if (RawRow.Trim(cells) is { } trimmed)
        {
            sheet.Rows.Add(new RawRow(rowNumber, trimmed));
        }
    }

    /// <summary>Returns the cell type (<c>t</c> attribute) as one of the type names <see cref="Convert"/> knows, or null for a number.</summary>
    private static string? CellType(ReadOnlySpan<byte> type) => type switch
    {
        [(byte)'s'] => "s",
        [(byte)'b'] => "b",
        [(byte)'e'] => "e",
        [(byte)'d'] => "d",
        _ when type.SequenceEqual("str"u8) => "str",
        _ when type.SequenceEqual("inlineStr"u8) => "inlineStr",
        _ => null,
    };

    /// <summary>Reads a cell's value (<c>v</c>, or the text runs of an inline string <c>is</c>) and formula, leaving the scanner on its end element.</summary>
    private static (string? Raw, string? Formula) ReadCell(XlsxXmlScanner xml, string? type)
    {
        var depth = xml.Depth;
        string? raw = null;
        string? formula = null;
        string? inline = null;
        while (xml.Read() && !(xml.Node == XlsxXmlNode.EndElement && xml.Depth == depth))
        {
            if (xml.Node != XlsxXmlNode.Element)
            {
                continue;
            }

            if (xml.IsNamed("v"u8))
            {
                raw = xml.ReadElementText();
            }
            else if (xml.IsNamed("f"u8))
            {
                formula = xml.IsEmptyElement ? formula ?? string.Empty : xml.ReadElementText();
            }
            else if (xml.IsNamed("is"u8) && type == "inlineStr" && !xml.IsEmptyElement)
            {
                inline = ReadRichText(xml);
            }
        }

        return (inline ?? raw, formula);
    }

    private static string? Convert(XlsxCell cell, List<string> sharedStrings, HashSet<int> dateStyles, bool date1904, RawSheet sheet, int row)
    {
        var raw = cell.Raw;
        if (string.IsNullOrEmpty(raw))
        {
            // A formula whose result was never computed (the templates' =HYPERLINK("url","text") cells).
            return HyperlinkFormulaText(cell.Formula!);
        }

        string? text;
        switch (cell.Type)
        {
            case "s":
                text = int.TryParse(raw, CultureInfo.InvariantCulture, out var index) && index >= 0 && index < sharedStrings.Count
                    ? sharedStrings[index]
                    : null;
                if (text is null)
                {
                    sheet.Add(SdsSeverity.Error, SdsFindingCodes.UnreadableFile, sheet.At(row, cell.Column), $"The cell refers to shared string {raw}, which the workbook does not have.");
                }

                break;
            case "b":
                text = raw == "1" ? "TRUE" : "FALSE";
                break;
            case "e" or "str" or "inlineStr" or "d":
                text = raw;
                break;
            default:
                text = dateStyles.Contains(cell.Style) && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var serial)
                    ? FormatDate(date1904 ? serial + Date1904Offset : serial)
                    : FormatNumber(raw);
                break;
        }

        return text?.Replace("\uFEFF", string.Empty, StringComparison.Ordinal);
    }

    private static string FormatNumber(string raw) =>
        IsPlainInteger(raw) ? raw
        : double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number.ToString("R", CultureInfo.InvariantCulture)
            : raw;

    private static bool IsPlainInteger(string raw) =>
        raw.Length is > 0 and <= 15 && (raw.Length == 1 || raw[0] != '0') && !raw.AsSpan().ContainsAnyExceptInRange('0', '9');

    /// <summary>Days from 1899-12-30 (serial 0 of the 1900 date system) to 1904-01-01 (serial 0 of the 1904 system).</summary>
    internal const int Date1904Offset = 1462;

    private static string FormatDate(double serial)
    {
        if (serial < 0 || serial > 2_958_465)
        {
            return serial.ToString("R", CultureInfo.InvariantCulture);
        }

        var date = DateTime.FromOADate(serial);
        return date.TimeOfDay == TimeSpan.Zero
            ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : date.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
    }

    /// <summary>Returns the display text of <c>HYPERLINK("url","text")</c> (or its url), or null for other formulas.</summary>
    private static string? HyperlinkFormulaText(string formula)
    {
        if (!formula.StartsWith("HYPERLINK(", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var arguments = new List<string>();
        var current = new StringBuilder();
        var inString = false;
        for (var i = "HYPERLINK(".Length; i < formula.Length; i++)
        {
            var c = formula[i];
            if (inString)
            {
                if (c == '"' && i + 1 < formula.Length && formula[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c is ',' or ')')
            {
                arguments.Add(current.ToString());
                current.Clear();
                if (c == ')')
                {
                    break;
                }
            }
        }

        return arguments.Count switch
        {
            >= 2 when arguments[1].Length > 0 => arguments[1],
            >= 1 => arguments[0],
            _ => null,
        };
    }

    private static void ApplyHyperlink(XlsxXmlScanner xml, RawSheet sheet, Dictionary<int, int> rowIndexByNumber, Dictionary<string, string> targets)
    {
        var reference = xml.GetAttribute("ref");
        var id = xml.GetAttribute("id", RelNs);
        if (reference is null || id is null || !targets.TryGetValue(id, out var target))
        {
            return;
        }

        // A range "A1:B2" gets the target only in its first cell, which is what the user sees as the link.
        var first = reference.Split(':')[0];
        if (ParseColumn(first.AsSpan()) is not { } column || !int.TryParse(first.AsSpan(first.AsSpan().IndexOfAnyInRange('0', '9')), CultureInfo.InvariantCulture, out var row)
            || !rowIndexByNumber.TryGetValue(row, out var index))
        {
            return;
        }

        var cells = sheet.Rows[index].Cells;
        if (column <= cells.Length && !string.IsNullOrEmpty(cells[column - 1]))
        {
            cells[column - 1] = target;
        }
    }

    /// <summary>Returns the 1-based column of a reference such as <c>AB12</c>, given as characters or as UTF-8 bytes.</summary>
    private static int? ParseColumn<T>(ReadOnlySpan<T> reference)
        where T : unmanaged, IBinaryInteger<T>
    {
        var column = 0;
        foreach (var unit in reference)
        {
            var c = int.CreateTruncating(unit);
            if (c is >= 'A' and <= 'Z')
            {
                column = (column * 26) + (c - 'A' + 1);
            }
            else if (c is >= 'a' and <= 'z')
            {
                column = (column * 26) + (c - 'a' + 1);
            }
            else
            {
                break;
            }
        }

        return column == 0 ? null : column;
    }
}

