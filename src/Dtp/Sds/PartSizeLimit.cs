using Dtp.IO;

namespace Dtp.Sds;

/// <summary>A read-only stream over an inflating xlsx part that throws once more than a given number of bytes came out of it.</summary>
internal sealed class PartSizeLimit(Stream inner, Func<Exception> tooLarge, long maxBytes) : ForwardReadStream(inner)
{
    private long total;

    protected override void OnRead(ReadOnlySpan<byte> data)
    {
        total += data.Length;
        if (total > maxBytes)
        {
            throw tooLarge();
        }
    }
}
