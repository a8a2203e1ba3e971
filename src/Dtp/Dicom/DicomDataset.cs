using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Text;

namespace Dtp.Dicom;

/// <summary>
/// A DICOM data set: elements kept in ascending tag order. Text values use the default character repertoire
/// read as ISO 8859-1 (or UTF-8 when Specific Character Set is <c>ISO_IR 192</c>).
/// </summary>
public sealed class DicomDataset : IEnumerable<DicomElement>
{
    private readonly SortedList<DicomTag, DicomElement> elements = [];

    /// <summary>Gets the number of elements.</summary>
    public int Count => elements.Count;

    /// <summary>Gets whether an element with the tag is present.</summary>
    public bool Contains(DicomTag tag) => elements.ContainsKey(tag);

    /// <summary>Returns the element with the tag, or <see langword="null"/>.</summary>
    public DicomElement? Get(DicomTag tag) => elements.GetValueOrDefault(tag);

    /// <summary>Adds an element or replaces the element with the same tag.</summary>
    /// <returns>This data set.</returns>
    public DicomDataset Set(DicomElement element)
    {
        ArgumentNullException.ThrowIfNull(element);
        elements[element.Tag] = element;
        return this;
    }

    /// <summary>Removes the element with the tag, if present.</summary>
    /// <returns>Whether an element was removed.</returns>
    public bool Remove(DicomTag tag) => elements.Remove(tag);

    /// <summary>Sets a text element; several values are joined with a backslash.</summary>
    /// <returns>This data set.</returns>
    public DicomDataset SetString(DicomTag tag, DicomVR vr, params string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Set(new DicomValueElement(tag, vr, TextEncoding().GetBytes(string.Join('\\', values))));
    }

    /// <summary>Sets an US element with one or more values.</summary>
    /// <returns>This data set.</returns>
    public DicomDataset SetUInt16(DicomTag tag, params ushort[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), values[i]);
        }

        return Set(new DicomValueElement(tag, DicomVR.US, bytes));
    }

    /// <summary>Sets an UL element with one or more values.</summary>
    /// <returns>This data set.</returns>
    public DicomDataset SetUInt32(DicomTag tag, params uint[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return Set(new DicomValueElement(tag, DicomVR.UL, bytes));
    }

    /// <summary>Sets a binary element (OB, OW, UN, ...) from little-endian bytes.</summary>
    /// <returns>This data set.</returns>
    public DicomDataset SetBytes(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> value) => Set(new DicomValueElement(tag, vr, value));

    /// <summary>Sets a sequence element.</summary>
    /// <returns>This data set.</returns>
    public DicomDataset SetSequence(DicomTag tag, params DicomDataset[] items) => Set(new DicomSequenceElement(tag, items));

    /// <summary>Returns a text element's value (all values joined by backslashes) without its padding, or <see langword="null"/>.</summary>
    public string? GetString(DicomTag tag)
    {
        if (Get(tag) is not DicomValueElement element)
        {
            return null;
        }

        var text = TextEncoding().GetString(element.Value.Span).TrimEnd(' ', '\0');
        return element.VR is DicomVR.LT or DicomVR.ST or DicomVR.UT ? text : text.TrimStart(' ');
    }

    /// <summary>Returns a text element's values (split at backslashes, each trimmed), or an empty array.</summary>
    public string[] GetStrings(DicomTag tag) =>
        GetString(tag) is { } text ? text.Split('\\').Select(v => v.Trim(' ', '\0')).ToArray() : [];

    /// <summary>Returns the first value of an US element, or <see langword="null"/>.</summary>
    public ushort? GetUInt16(DicomTag tag) =>
        Get(tag) is DicomValueElement { Value.Length: >= 2 } e ? BinaryPrimitives.ReadUInt16LittleEndian(e.Value.Span) : null;

    /// <summary>Returns the first value of an UL element, or <see langword="null"/>.</summary>
    public uint? GetUInt32(DicomTag tag) =>
        Get(tag) is DicomValueElement { Value.Length: >= 4 } e ? BinaryPrimitives.ReadUInt32LittleEndian(e.Value.Span) : null;

    /// <summary>Returns the first value of an IS element as a number, or <see langword="null"/> when absent or not a number.</summary>
    public int? GetInt32(DicomTag tag) =>
        int.TryParse(GetStrings(tag).FirstOrDefault(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>Returns a value element's bytes (little-endian byte order), or <see langword="null"/>.</summary>
    public ReadOnlyMemory<byte>? GetBytes(DicomTag tag) => Get(tag) is DicomValueElement e ? e.Value : null;

    /// <summary>Returns a sequence's items, or an empty list.</summary>
    public IReadOnlyList<DicomDataset> GetSequence(DicomTag tag) => Get(tag) is DicomSequenceElement s ? s.Items : [];

    /// <inheritdoc/>
    public IEnumerator<DicomElement> GetEnumerator() => elements.Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private Encoding TextEncoding()
    {
        var charset = Get(DicomTag.SpecificCharacterSet) is DicomValueElement e ? Encoding.ASCII.GetString(e.Value.Span).Trim(' ', '\0') : null;
        return charset is "ISO_IR 192" ? Encoding.UTF8 : Encoding.Latin1;
    }
}
