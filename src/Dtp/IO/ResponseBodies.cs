using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Dtp.IO;

/// <summary>
/// The one way dtp reads a whole HTTP response body: up to an explicit limit, so that an oversized or endless answer ends in a
/// clear error instead of filling the memory. Error bodies are only read as a short excerpt for the message.
/// </summary>
internal static class ResponseBodies
{
    /// <summary>How much of an error body is read for a message.</summary>
    public const int ExcerptBytes = 4096;

    /// <summary>Reads the whole body, or throws a <see cref="DtpException"/> naming the URL and the limit once it exceeds <paramref name="limit"/> bytes.</summary>
    /// <exception cref="DtpException">The body is longer than <paramref name="limit"/>.</exception>
    /// <exception cref="IOException">The connection broke off while reading.</exception>
    /// <exception cref="HttpRequestException">The connection broke off while reading.</exception>
    public static async Task<byte[]> ReadBytesAsync(HttpResponseMessage response, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Content.Headers.ContentLength > limit)
        {
            throw TooLarge(response, limit);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var body = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (body.Length + read > limit)
                {
                    throw TooLarge(response, limit);
                }

                body.Write(buffer, 0, read);
            }

            return body.ToArray();
        }
    }

    /// <summary>Reads the whole body as text (in its declared charset, else UTF-8), bounded as <see cref="ReadBytesAsync"/> is.</summary>
    /// <exception cref="DtpException">The body is longer than <paramref name="limit"/>.</exception>
    public static async Task<string> ReadTextAsync(HttpResponseMessage response, long limit, CancellationToken cancellationToken) =>
        Decode(response.Content.Headers.ContentType, await ReadBytesAsync(response, limit, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads at most <see cref="ExcerptBytes"/> of a body for an error message; a body that breaks off gives what arrived.</summary>
    public static async Task<string> ReadExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var buffer = new byte[ExcerptBytes];
        var length = 0;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The message says what the body said so far.
        }

        return Decode(response.Content.Headers.ContentType, buffer.AsSpan(0, length));
    }

    /// <summary>Replaces the response's content by an in-memory copy read with <see cref="ReadBytesAsync"/>.</summary>
    public static async Task BufferAsync(HttpResponseMessage response, long limit, CancellationToken cancellationToken)
    {
        var bytes = await ReadBytesAsync(response, limit, cancellationToken).ConfigureAwait(false);
        var buffered = new ByteArrayContent(bytes);
        foreach (var header in response.Content.Headers.Where(h => !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
        {
            buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content.Dispose();
        response.Content = buffered;
    }

    private static DtpException TooLarge(HttpResponseMessage response, long limit) => new(
        $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} {response.ReasonPhrase} with a body of more than {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes, "
        + "the limit on response bodies (MaxResponseBodyBytes); reading stopped there.", DtpErrorKind.Remote);

    private static string Decode(MediaTypeHeaderValue? type, ReadOnlySpan<byte> bytes)
    {
        var encoding = Encoding.UTF8;
        if (type?.CharSet is { Length: > 0 } charset)
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                // An unknown charset: UTF-8 is the best guess.
            }
        }

        return encoding.GetString(bytes);
    }
}
