using System.Runtime.CompilerServices;
using System.Text;

namespace Dtp.Gen3;

/// <summary>Reads and writes tab- or comma-separated text as sheepdog and spreadsheets produce it (double quotes optional, quoted cells may span lines).</summary>
internal static class DelimitedText
{
    /// <summary>Reads rows as lists of cells with the line each starts on; blank lines are skipped.</summary>
    /// <exception cref="FormatException">A quoted cell is never closed (the message gives its line).</exception>
    public static async IAsyncEnumerable<(int Line, List<string> Cells)> ReadAsync(TextReader reader, char separator, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            var start = lineNumber;
            if (line.Length == 0)
            {
                continue;
            }

            var cells = new List<string>();
            var cell = new StringBuilder();
            var quoted = false;
            while (true)
            {
                for (var i = 0; i < line.Length; i++)
                {
                    var c = line[i];
                    if (quoted)
                    {
                        if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                        {
                            cell.Append('"');
                            i++;
                        }
                        else if (c == '"')
                        {
                            quoted = false;
                        }
                        else
                        {
                            cell.Append(c);
                        }
                    }
                    else if (c == '"' && cell.Length == 0)
                    {
                        quoted = true;
                    }
                    else if (c == separator)
                    {
                        cells.Add(cell.ToString());
                        cell.Clear();
                    }
                    else
                    {
                        cell.Append(c);
                    }
                }

                if (!quoted)
                {
                    break;
                }

                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new FormatException($"line {start}: a quoted cell is never closed");
                lineNumber++;
                cell.Append('\n');
            }

            cells.Add(cell.ToString());
            yield return (start, cells);
        }
    }

    /// <summary>Writes one row, quoting cells that hold the separator, a quote or a line break.</summary>
    public static string FormatRow(IEnumerable<string> cells, char separator) =>
        string.Join(separator, cells.Select(c => c.AsSpan().IndexOfAny(['"', '\n', '\r', separator]) >= 0 ? "\"" + c.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : c));
}
