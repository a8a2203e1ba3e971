using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Dtp.Commons.Sheepdog;

/// <summary>
/// The UTF-8 body of an export, built in one reused buffer and written to the response in chunks of about 64 KB:
/// stored UTF-8 text is copied as it is, JSON strings are escaped as <see cref="Http.Options"/> escapes them and
/// TSV fields are quoted as Python's csv writer quotes them. The methods called per value are compiled optimized at first
/// use, so that the first export of a process does not run them unoptimized for thousands of records.
/// </summary>
internal sealed class ExportBuffer(Stream stream)
{
    private const int ChunkSize = 65536;

    private readonly ArrayBufferWriter<byte> buffer = new(ChunkSize + 8192);

    public void Write(ReadOnlySpan<byte> bytes) => buffer.Write(bytes);

    public void Write(byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    public void Write(string text) => buffer.Advance(Encoding.UTF8.GetBytes(text, buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length))));

    /// <summary>Writes a quoted JSON string, or <c>null</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteJsonString(ReadOnlySpan<byte> utf8, bool isNull = false)
    {
        if (isNull)
        {
            Write("null"u8);
            return;
        }

        Write((byte)'"');
        Write(Http.Options.Encoder!.FindFirstCharacterToEncodeUtf8(utf8) < 0 ? utf8 : JsonEncodedText.Encode(utf8, Http.Options.Encoder).EncodedUtf8Bytes);
        Write((byte)'"');
    }

    public void WriteJsonString(byte[]? utf8) => WriteJsonString(utf8, utf8 is null);

    /// <summary>Writes a TSV field, when <paramref name="quote"/> is set in quotes (inner quotes doubled) if it holds a tab, quote or line break.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteTsvField(ReadOnlySpan<byte> field, bool quote)
    {
        if (!quote || field.IndexOfAny("\t\"\r\n"u8) < 0)
        {
            Write(field);
            return;
        }

        Write((byte)'"');
        var rest = field;
        for (var at = rest.IndexOf((byte)'"'); at >= 0; at = rest.IndexOf((byte)'"'))
        {
            Write(rest[..(at + 1)]);
            Write((byte)'"');
            rest = rest[(at + 1)..];
        }

        Write(rest);
        Write((byte)'"');
    }

    /// <summary>Sends the buffered text once a chunk is full.</summary>
    public ValueTask FlushIfFullAsync(CancellationToken cancellationToken) =>
        buffer.WrittenCount >= ChunkSize ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;

    /// <summary>Sends the buffered text.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        buffer.ResetWrittenCount();
    }
}
