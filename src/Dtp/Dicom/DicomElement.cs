namespace Dtp.Dicom;

/// <summary>One data element of a data set: its tag, its VR and its value.</summary>
public abstract class DicomElement
{
    private protected DicomElement(DicomTag tag, DicomVR vr)
    {
        Tag = tag;
        VR = vr;
    }

    /// <summary>Gets the element's tag.</summary>
    public DicomTag Tag { get; }

    /// <summary>Gets the element's value representation.</summary>
    public DicomVR VR { get; }
}

/// <summary>An element with a value of bytes (text, numbers, binary data), held in little-endian byte order.</summary>
public sealed class DicomValueElement : DicomElement
{
    /// <summary>Creates an element; an odd-length value is padded as its VR requires.</summary>
    /// <param name="tag">The element's tag.</param>
    /// <param name="vr">The element's VR (not <see cref="DicomVR.SQ"/>).</param>
    /// <param name="value">The value's bytes in little-endian byte order.</param>
    public DicomValueElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> value)
        : base(tag, vr)
    {
        if (vr == DicomVR.SQ)
        {
            throw new ArgumentException($"{tag}: a sequence needs a {nameof(DicomSequenceElement)}.", nameof(vr));
        }

        if (value.Length % 2 == 1)
        {
            var padded = new byte[value.Length + 1];
            value.Span.CopyTo(padded);
            padded[^1] = vr.PaddingByte();
            value = padded;
        }

        Value = value;
    }

    /// <summary>Gets the value's bytes (of even length, little-endian byte order).</summary>
    public ReadOnlyMemory<byte> Value { get; }
}

/// <summary>A sequence element (VR SQ): a list of nested data sets.</summary>
/// <param name="tag">The element's tag.</param>
/// <param name="items">The sequence's items.</param>
public sealed class DicomSequenceElement(DicomTag tag, IReadOnlyList<DicomDataset> items) : DicomElement(tag, DicomVR.SQ)
{
    /// <summary>Gets the sequence's items.</summary>
    public IReadOnlyList<DicomDataset> Items { get; } = items ?? throw new ArgumentNullException(nameof(items));
}

/// <summary>Encapsulated pixel data (PS3.5 A.4): a basic offset table and the compressed fragments, encoded with undefined length.</summary>
/// <param name="tag">The element's tag (normally Pixel Data).</param>
/// <param name="vr">The element's VR (OB, or OW in some old files).</param>
/// <param name="offsetTable">The basic offset table item's bytes (empty when absent).</param>
/// <param name="fragments">The fragments' bytes.</param>
public sealed class DicomFragmentsElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> offsetTable, IReadOnlyList<ReadOnlyMemory<byte>> fragments)
    : DicomElement(tag, vr)
{
    /// <summary>Gets the basic offset table item's bytes.</summary>
    public ReadOnlyMemory<byte> OffsetTable { get; } = offsetTable;

    /// <summary>Gets the fragments' bytes.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Fragments { get; } = fragments ?? throw new ArgumentNullException(nameof(fragments));
}
