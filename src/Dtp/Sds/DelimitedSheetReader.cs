using System.Text;
using Sylvan.Data.Csv;

namespace Dtp.Sds;

/// <summary>Reads a csv or tsv file: UTF-8 (BOM stripped), else latin-1 with a warning; quoted multi-line fields allowed.</summary>
internal static class DelimitedSheetReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static RawSheet Read(byte[] bytes, string file, SdsFileFormat format)
    {
        var sheet = new RawSheet(file, format, sheetName: null);
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            text = Encoding.Latin1.GetString(bytes);
            sheet.Add(SdsSeverity.Warning, SdsFindingCodes.UnreadableFile, sheet.At(),
                "The file is not valid UTF-8; it was read as latin-1 (ISO-8859-1). Save it as UTF-8 so that every character is read as meant.");
        }

        text = text.TrimStart('\uFEFF');
        var delimiter = format == SdsFileFormat.Tsv ? '\t' : ',';
        var options = new CsvDataReaderOptions { HasHeaders = false, Delimiter = delimiter, MaxBufferSize = 1 << 24 };
        using var reader = CsvDataReader.Create(new StringReader(text), options);
        var record = 0;
        var cells = new List<string?>();
        var otherDelimiterOnly = true;
        var widest = 0;
        while (reader.Read())
        {
            record++;
            cells.Clear();
            for (var i = 0; i < reader.RowFieldCount; i++)
            {
                var value = reader.GetString(i);
                cells.Add(value.Length == 0 ? null : value);
                otherDelimiterOnly &= !value.Contains(format == SdsFileFormat.Tsv ? ',' : '\t', StringComparison.Ordinal);
            }

            widest = Math.Max(widest, reader.RowFieldCount);
            if (RawRow.Trim(cells) is { } trimmed)
            {
                sheet.Rows.Add(new RawRow(record, trimmed));
            }
        }

        if (widest == 1 && sheet.Rows.Count > 0 && !otherDelimiterOnly)
        {
            sheet.Add(SdsSeverity.Error, SdsFindingCodes.Layout, sheet.At(),
                $"Every row has a single column that contains {(format == SdsFileFormat.Tsv ? "commas" : "tabs")}: the file extension is probably wrong.");
        }

        return sheet;
    }
}
