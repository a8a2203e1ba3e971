namespace Dtp.Sds;

/// <summary>Reads one SDS metadata file (<c>.xlsx</c>, <c>.csv</c>, <c>.tsv</c> or <c>.json</c>) into a table or element file.</summary>
public static class SdsMetadataReader
{
    /// <summary>Returns the format of a metadata file name, or <see langword="null"/> for other extensions.</summary>
    /// <param name="path">A file name or path.</param>
    /// <returns>The format or <see langword="null"/>.</returns>
    public static SdsFileFormat? FormatOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".xlsx" => SdsFileFormat.Xlsx,
        ".csv" => SdsFileFormat.Csv,
        ".tsv" => SdsFileFormat.Tsv,
        ".json" => SdsFileFormat.Json,
        _ => null,
    };

    /// <summary>Reads a metadata file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="kind">What the file is; by default taken from its name (<c>subjects.xlsx</c>).</param>
    /// <param name="version">The dataset's SDS version (1.2.3 files have description rows to skip); by default 3.0.2.</param>
    /// <param name="displayName">The name used in findings, e.g. the path relative to the dataset root; by default the file name.</param>
    /// <param name="limits">Size limits for the file's content; the default value is <see cref="SdsReadLimits.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>An <see cref="SdsTableFile"/> or an <see cref="SdsElementFile"/>.</returns>
    /// <exception cref="SdsFormatException">The file is empty, of an unsupported type (<c>.xls</c>) or not readable as its format.</exception>
    /// <exception cref="DtpException">The file cannot be opened.</exception>
    public static async Task<SdsMetadataFile> ReadFileAsync(string path, SdsFileKind? kind = null, SdsVersion? version = null,
        string? displayName = null, SdsReadLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var name = displayName ?? System.IO.Path.GetFileName(path);
        var fileKind = kind ?? (SdsFileKinds.TryFromStem(System.IO.Path.GetFileNameWithoutExtension(path), out var k)
            ? k
            : throw new SdsFormatException($"{name} is not named like an SDS metadata file (dataset_description, subjects, samples, manifest, ...).", new SdsLocation(name)));
        var format = FormatOf(path) ?? throw UnsupportedType(name);
        limits ??= SdsReadLimits.Default;
        try
        {
            RawSheet sheet;
            if (format == SdsFileFormat.Xlsx)
            {
                // A workbook is a zip read by seeking: it is read in place rather than loaded whole (a 100,000-row manifest is 14 MB).
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                ThrowIfEmpty(stream.Length, name);
                sheet = XlsxSheetReader.Read(stream, name, limits);
            }
            else
            {
                var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
                ThrowIfEmpty(bytes.Length, name);
                sheet = format == SdsFileFormat.Json ? JsonSheetReader.Read(bytes, name, fileKind) : DelimitedSheetReader.Read(bytes, name, format);
            }

            return fileKind.IsElementFile() ? ParseElements(sheet, fileKind) : ParseTable(sheet, fileKind, version ?? SdsVersion.V302);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DtpException($"Cannot read {name}: {ex.Message}", DtpErrorKind.Local, innerException: ex);
        }
    }

    private static void ThrowIfEmpty(long length, string name)
    {
        if (length == 0)
        {
            throw new SdsFormatException($"{name} is empty (0 bytes).", new SdsLocation(name));
        }
    }

    internal static SdsFormatException UnsupportedType(string name) =>
        System.IO.Path.GetExtension(name).Equals(".xls", StringComparison.OrdinalIgnoreCase)
            ? new SdsFormatException($"{name} is an old binary Excel (.xls) file, which SDS does not accept: save it as .xlsx (or .csv).", new SdsLocation(name))
            : new SdsFormatException($"{name} has an extension SDS does not accept for metadata: use .xlsx, .csv, .tsv or .json.", new SdsLocation(name));

    internal static SdsTableFile ParseTable(RawSheet sheet, SdsFileKind kind, SdsVersion version)
    {
        var headers = new List<SdsHeader>();
        var records = new List<SdsRecord>();
        if (sheet.Rows.Count == 0)
        {
            sheet.Add(SdsSeverity.Error, SdsFindingCodes.Layout, sheet.At(1), "The file has no header row.");
            return new SdsTableFile(kind, sheet.File, sheet.Format, sheet.SheetName, sheet.Findings, 1, headers, records);
        }

        var headerRow = sheet.Rows[0];
        var keyByColumn = new string?[headerRow.Cells.Length];
        var firstColumnOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 1; c <= headerRow.Cells.Length; c++)
        {
            var text = headerRow[c];
            var key = SdsNames.Normalize(text);
            if (key.Length == 0)
            {
                continue;
            }

            if (firstColumnOfKey.TryGetValue(key, out var first))
            {
                sheet.Add(SdsSeverity.Error, SdsFindingCodes.Duplicate, sheet.At(headerRow.Number, c),
                    $"The column header '{text}' repeats the header of column {SdsLocation.ColumnName(first)}; the values of this column are ignored.");
                continue;
            }

            firstColumnOfKey.Add(key, c);
            keyByColumn[c - 1] = key;
            headers.Add(new SdsHeader(key, text!, c));
        }

        var columns = new TableColumns(sheet.File, sheet.SheetName, firstColumnOfKey);
        var reportedHeaderless = new HashSet<int>();
        foreach (var row in sheet.Rows.Skip(1))
        {
            if (IsTemplateRow(row, headerRow, kind, version))
            {
                continue;
            }

            var hasValue = false;
            for (var c = 1; c <= row.Cells.Length; c++)
            {
                if (string.IsNullOrEmpty(row.Cells[c - 1]))
                {
                    continue;
                }

                if (c <= keyByColumn.Length && keyByColumn[c - 1] is not null)
                {
                    hasValue = true;
                }
                else if (reportedHeaderless.Add(c) && string.IsNullOrEmpty(headerRow[c]))
                {
                    sheet.Add(SdsSeverity.Warning, SdsFindingCodes.Layout, sheet.At(row.Number, c),
                        $"Column {SdsLocation.ColumnName(c)} has values but no header; they are ignored.");
                }
            }

            if (hasValue)
            {
                records.Add(new SdsRecord(columns, row.Number, row.Cells));
            }
        }

        return new SdsTableFile(kind, sheet.File, sheet.Format, sheet.SheetName, sheet.Findings, headerRow.Number, headers, records);
    }

    /// <summary>Recognises the 1.2.3 subjects/samples description row and the template's example row.</summary>
    private static bool IsTemplateRow(RawRow row, RawRow header, SdsFileKind kind, SdsVersion version)
    {
        if (version.AtLeast(SdsVersion.V200) || kind is not (SdsFileKind.Subjects or SdsFileKind.Samples))
        {
            return false;
        }

        if (row[1] is { } first && first.StartsWith("Lab-based schema", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        string? ValueOf(string key)
        {
            for (var c = 1; c <= header.Cells.Length; c++)
            {
                if (SdsNames.Normalize(header[c]) == key)
                {
                    return row[c];
                }
            }

            return null;
        }

        return ValueOf("subject_id") == "sub-1" && ValueOf("reference_atlas") == "Paxinos Rat V3" && ValueOf("protocol_title") == "Spinal Cord extraction";
    }

    internal static SdsElementFile ParseElements(RawSheet sheet, SdsFileKind kind)
    {
        var elements = new List<SdsElement>();
        var valueColumn = kind.ValueColumn();
        if (sheet.Rows.Count == 0)
        {
            sheet.Add(SdsSeverity.Error, SdsFindingCodes.Layout, sheet.At(1), "The file has no header row.");
            return new SdsElementFile(kind, sheet.File, sheet.Format, sheet.SheetName, sheet.Findings, valueColumn, elements);
        }

        var header = sheet.Rows[0];
        for (var c = 2; c <= header.Cells.Length; c++)
        {
            var key = SdsNames.Normalize(header[c]);
            if (key == "value" || key.StartsWith("value_", StringComparison.Ordinal))
            {
                valueColumn = c;
                break;
            }
        }

        var firstRowOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in sheet.Rows.Skip(1))
        {
            var name = row[1];
            var key = SdsNames.Normalize(name);
            if (key.Length == 0)
            {
                sheet.Add(SdsSeverity.Error, SdsFindingCodes.Layout, sheet.At(row.Number, 1),
                    "This row has values but no element name in column A; its values are ignored.");
                continue;
            }

            if (firstRowOfKey.TryGetValue(key, out var first))
            {
                sheet.Add(SdsSeverity.Error, SdsFindingCodes.Duplicate, sheet.At(row.Number, 1),
                    $"The element '{name!.Trim()}' appears again (first in row {first}); put several values in the columns of one row instead. This row is ignored.");
                continue;
            }

            firstRowOfKey.Add(key, row.Number);
            var values = new List<SdsValue>();
            for (var c = valueColumn; c <= row.Cells.Length; c++)
            {
                if (row.Cells[c - 1] is { Length: > 0 } text)
                {
                    values.Add(new SdsValue(text, sheet.At(row.Number, c)));
                }
            }

            elements.Add(new SdsElement(key, name!, row.Number, values));
        }

        return new SdsElementFile(kind, sheet.File, sheet.Format, sheet.SheetName, sheet.Findings, valueColumn, elements);
    }
}
