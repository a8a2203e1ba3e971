using System.Net.Http.Headers;
using System.Text;

namespace Dtp.Storage.Pacs;

/// <summary>
/// Reads a <c>multipart/related</c> (or any RFC 2046 multipart) body part by part as it arrives, holding one buffer in memory
/// whatever the parts' sizes. Each part's body must be read (or is skipped) before the next part is asked for.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A part's stream holds no resources; the caller owns the body stream.")]
public sealed class MultipartReader
{
    private const int BufferSize = 128 * 1024;
    private const int MaxHeaderBytes = 16 * 1024;
    private readonly Stream body;
    private readonly string source;
    private readonly byte[] delimiter;
    private readonly byte[] buffer;
    private int start;
    private int end;
    private bool eof;
    private bool started;
    private bool finished;
    private PartStream? current;

    /// <summary>Creates a reader over a multipart body.</summary>
    /// <param name="body">The body stream, read forward only and left open.</param>
    /// <param name="boundary">The boundary from the Content-Type header (without quotes).</param>
    /// <param name="source">The URL or name of the body, for error messages.</param>
    public MultipartReader(Stream body, string boundary, string source)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentException.ThrowIfNullOrEmpty(boundary);
        this.body = body;
        this.source = source;
        delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        buffer = new byte[Math.Max(BufferSize, delimiter.Length * 4)];

        // A virtual CRLF lets the first delimiter, which may start the body, match like every other.
        buffer[0] = (byte)'\r';
        buffer[1] = (byte)'\n';
        end = 2;
    }

    /// <summary>Returns the <c>boundary</c> parameter of a multipart Content-Type.</summary>
    /// <param name="contentType">The response's Content-Type.</param>
    /// <param name="source">The URL, for the error message.</param>
    /// <exception cref="DtpException">The content type is not multipart or has no boundary.</exception>
    public static string BoundaryOf(MediaTypeHeaderValue? contentType, string source)
    {
        var boundary = contentType?.Parameters.FirstOrDefault(p => string.Equals(p.Name, "boundary", StringComparison.OrdinalIgnoreCase))?.Value?.Trim('"');
        return contentType?.MediaType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true && !string.IsNullOrEmpty(boundary)
            ? boundary
            : throw new DtpException($"{source} answered with Content-Type \"{contentType}\"; expected multipart/related with a boundary.");
    }

    /// <summary>Reads the next part's headers and returns the part, or <see langword="null"/> after the closing delimiter.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The part; its <see cref="MultipartPart.Body"/> is valid until the next call.</returns>
    /// <exception cref="DtpException">The body is malformed or ends before the closing delimiter.</exception>
    public async Task<MultipartPart?> ReadNextPartAsync(CancellationToken cancellationToken = default)
    {
        if (current is not null)
        {
            await current.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            current = null;
        }

        if (finished)
        {
            return null;
        }

        if (!started)
        {
            await SkipPreambleAsync(cancellationToken).ConfigureAwait(false);
            started = true;
        }
        else
        {
            await EnsureAsync(delimiter.Length, cancellationToken).ConfigureAwait(false);
            start += delimiter.Length;
        }

        await EnsureAsync(2, cancellationToken).ConfigureAwait(false);
        if (buffer[start] == '-' && buffer[start + 1] == '-')
        {
            finished = true;
            return null;
        }

        while (true)
        {
            await EnsureAsync(1, cancellationToken).ConfigureAwait(false);
            if (buffer[start] is not ((byte)' ' or (byte)'\t'))
            {
                break;
            }

            start++;
        }

        await ExpectCrLfAsync("after a boundary", cancellationToken).ConfigureAwait(false);
        var headers = await ReadHeadersAsync(cancellationToken).ConfigureAwait(false);
        current = new PartStream(this);
        return new MultipartPart(headers, current);
    }

    private async Task SkipPreambleAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var index = buffer.AsSpan(start, end - start).IndexOf(delimiter);
            if (index >= 0)
            {
                start += index + delimiter.Length;
                return;
            }

            start = Math.Max(start, end - delimiter.Length + 1);
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw Malformed("no boundary delimiter was found", transient: false);
            }
        }
    }

    private async Task<Dictionary<string, string>> ReadHeadersAsync(CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var total = 0;
        while (true)
        {
            int lineEnd;
            while ((lineEnd = buffer.AsSpan(start, end - start).IndexOf("\r\n"u8)) < 0)
            {
                if (end - start > MaxHeaderBytes || !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw Malformed("a part's headers do not end", transient: end - start <= MaxHeaderBytes);
                }
            }

            var line = Encoding.Latin1.GetString(buffer, start, lineEnd);
            start += lineEnd + 2;
            total += lineEnd + 2;
            if (line.Length == 0)
            {
                return headers;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || total > MaxHeaderBytes)
            {
                throw Malformed($"the part header line \"{line}\" is not \"Name: value\"", transient: false);
            }

            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
    }

    private async Task ExpectCrLfAsync(string where, CancellationToken cancellationToken)
    {
        await EnsureAsync(2, cancellationToken).ConfigureAwait(false);
        if (buffer[start] != '\r' || buffer[start + 1] != '\n')
        {
            throw Malformed($"expected a line break {where}", transient: false);
        }

        start += 2;
    }

    private async Task EnsureAsync(int count, CancellationToken cancellationToken)
    {
        while (end - start < count)
        {
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw Malformed("the body ends before its closing boundary", transient: true);
            }
        }
    }

    /// <summary>Moves unread bytes to the front and reads more; false at the end of the body.</summary>
    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (eof)
        {
            return false;
        }

        if (start > 0)
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            end -= start;
            start = 0;
        }

        var read = await body.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            eof = true;
            return false;
        }

        end += read;
        return true;
    }

    private DtpException Malformed(string problem, bool transient) =>
        new($"Malformed multipart response from {source}: {problem}.", DtpErrorKind.Remote, transient);

    /// <summary>Reads one part's body: everything up to the next delimiter.</summary>
    private sealed class PartStream(MultipartReader reader) : Stream
    {
        private bool ended;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            if (ended || destination.Length == 0)
            {
                return 0;
            }

            var r = reader;
            while (true)
            {
                var available = r.buffer.AsSpan(r.start, r.end - r.start);
                var index = available.IndexOf(r.delimiter);
                var safe = index >= 0 ? index : available.Length - r.delimiter.Length + 1;
                if (index == 0)
                {
                    ended = true;
                    return 0;
                }

                if (safe > 0)
                {
                    var count = Math.Min(safe, destination.Length);
                    available[..count].CopyTo(destination.Span);
                    r.start += count;
                    return count;
                }

                if (!await r.FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw r.Malformed("the body ends inside a part", transient: true);
                }
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>One part of a multipart body.</summary>
/// <param name="Headers">The part's headers (names compared without regard to case).</param>
/// <param name="Body">The part's content, readable once, valid until the next part is read.</param>
public sealed record MultipartPart(IReadOnlyDictionary<string, string> Headers, Stream Body)
{
    /// <summary>Gets the part's Content-Type, if given.</summary>
    public string? ContentType => Headers.GetValueOrDefault("Content-Type");
}
