using System.Text;
using Dtp.Storage.Pacs;

namespace Dtp.Tests.Pacs;

public sealed class MultipartReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100_000)]
    public async Task ReadNextPartAsync_AnyChunking_GivesEachPartsHeadersAndBytes(int chunk)
    {
        var first = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        var second = "--BOUNDAR\r\n--BOUNDARX\r\n"u8.ToArray();
        var body = Concat("preamble\r\n--BOUNDARY\r\nContent-Type: application/dicom\r\nContent-Length: 300000\r\n\r\n"u8.ToArray(), first,
            "\r\n--BOUNDARY  \r\ncontent-type: application/dicom\r\n\r\n"u8.ToArray(), second, "\r\n--BOUNDARY--\r\nepilogue"u8.ToArray());
        var reader = new MultipartReader(new ChunkedStream(body, chunk), "BOUNDARY", "http://pacs/x");

        var parts = new List<(string? Type, byte[] Bytes)>();
        while (await reader.ReadNextPartAsync(Ct) is { } part)
        {
            using var copy = new MemoryStream();
            await part.Body.CopyToAsync(copy, Ct);
            parts.Add((part.ContentType, copy.ToArray()));
        }

        Assert.Equal(2, parts.Count);
        Assert.Equal("application/dicom", parts[0].Type);
        Assert.Equal(first, parts[0].Bytes);
        Assert.Equal("application/dicom", parts[1].Type);
        Assert.Equal(second, parts[1].Bytes);
    }

    [Fact]
    public async Task ReadNextPartAsync_PartNotRead_SkipsToTheNextPart()
    {
        var body = Encoding.ASCII.GetBytes("--b\r\n\r\nfirst\r\n--b\r\n\r\nsecond\r\n--b--");
        var reader = new MultipartReader(new MemoryStream(body), "b", "x");

        await reader.ReadNextPartAsync(Ct);
        var second = await reader.ReadNextPartAsync(Ct);

        Assert.Equal("second", await new StreamReader(second!.Body).ReadToEndAsync(Ct));
        Assert.Null(await reader.ReadNextPartAsync(Ct));
    }

    [Theory]
    [InlineData("--b\r\n\r\nfirst part cut")]
    [InlineData("--b\r\nContent-Type: application/dicom\r\n")]
    [InlineData("--b\r\n\r\nfirst\r\n--b")]
    [InlineData("no boundary at all")]
    [InlineData("--b\r\nnot a header\r\n\r\nx\r\n--b--")]
    public async Task ReadNextPartAsync_MalformedOrCutBody_ThrowsNamingTheSource(string text)
    {
        var reader = new MultipartReader(new MemoryStream(Encoding.ASCII.GetBytes(text)), "b", "http://pacs/studies/1");

        var ex = await Assert.ThrowsAsync<DtpException>(async () =>
        {
            while (await reader.ReadNextPartAsync(Ct) is { } part)
            {
                await part.Body.CopyToAsync(Stream.Null, Ct);
            }
        });

        Assert.Contains("http://pacs/studies/1", ex.Message, StringComparison.Ordinal);
        Assert.Equal(DtpErrorKind.Remote, ex.Kind);
    }

    [Fact]
    public void BoundaryOf_QuotedBoundary_StripsTheQuotes()
    {
        var type = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/related; type=\"application/dicom\"; boundary=\"a b\"");

        Assert.Equal("a b", MultipartReader.BoundaryOf(type, "x"));
        Assert.Throws<DtpException>(() => MultipartReader.BoundaryOf(new System.Net.Http.Headers.MediaTypeHeaderValue("application/json"), "x"));
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Returns at most <c>chunk</c> bytes per read, as a network stream may.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
