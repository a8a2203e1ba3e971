using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace Dtp.Dicom;

/// <summary>How sequences and their items are delimited when a data set is encoded.</summary>
public enum DicomSequenceLength
{
    /// <summary>Undefined length, closed by delimitation items (what most implementations write).</summary>
    Undefined,

    /// <summary>Explicit byte lengths on sequences and items.</summary>
    Defined,
}

/// <summary>
/// Encodes and decodes data sets (PS3.5 chapter 7) in implicit VR little endian, explicit VR little endian and explicit VR
/// big endian: the codec of Part 10 files and, equally, of DIMSE command sets and identifiers.
/// </summary>
public static class DicomCodec
{
    private const uint UndefinedLength = 0xFFFFFFFF;

    /// <summary>Encodes a data set.</summary>
    /// <param name="dataset">The data set.</param>
    /// <param name="syntax">The transfer syntax.</param>
    /// <param name="output">Receives the bytes.</param>
    /// <param name="sequenceLength">How sequences are delimited.</param>
    /// <exception cref="DtpException">A value is too long for its VR's length field.</exception>
    public static void Encode(DicomDataset dataset, DicomTransferSyntax syntax, IBufferWriter<byte> output, DicomSequenceLength sequenceLength = DicomSequenceLength.Undefined)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(syntax);
        ArgumentNullException.ThrowIfNull(output);
        new Encoder(syntax, output, sequenceLength).WriteDataset(dataset);
    }

    /// <summary>Encodes a data set into a new array.</summary>
    /// <returns>The encoded bytes.</returns>
    public static byte[] Encode(DicomDataset dataset, DicomTransferSyntax syntax, DicomSequenceLength sequenceLength = DicomSequenceLength.Undefined)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Encode(dataset, syntax, buffer, sequenceLength);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Returns how many bytes <see cref="Encode(DicomDataset, DicomTransferSyntax, IBufferWriter{byte}, DicomSequenceLength)"/> writes.</summary>
    /// <returns>The encoded length in bytes.</returns>
    public static long EncodedLength(DicomDataset dataset, DicomTransferSyntax syntax, DicomSequenceLength sequenceLength = DicomSequenceLength.Undefined)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(syntax);
        return dataset.Sum(e => ElementLength(e, syntax, sequenceLength));
    }

    /// <summary>Decodes a whole buffer as one data set. Values refer to <paramref name="data"/> without copying (little-endian syntaxes).</summary>
    /// <param name="data">The encoded data set.</param>
    /// <param name="syntax">The transfer syntax it is encoded in.</param>
    /// <returns>The data set.</returns>
    /// <exception cref="DtpException">The bytes are not a well-formed data set; the message names the offset and tag.</exception>
    public static DicomDataset Decode(ReadOnlyMemory<byte> data, DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        var decoder = new Decoder(data, syntax);
        return decoder.ReadDataset(data.Length, untilItemDelimiter: false, stopBeforeGroup: null);
    }

    /// <summary>Decodes elements from the start of a buffer while their group is below <paramref name="stopBeforeGroup"/>.</summary>
    /// <returns>The data set and the number of bytes it took.</returns>
    internal static (DicomDataset Dataset, int Length) DecodePrefix(ReadOnlyMemory<byte> data, DicomTransferSyntax syntax, ushort stopBeforeGroup)
    {
        var decoder = new Decoder(data, syntax);
        var dataset = decoder.ReadDataset(data.Length, untilItemDelimiter: false, stopBeforeGroup);
        return (dataset, decoder.Position);
    }

    private static long ElementLength(DicomElement element, DicomTransferSyntax syntax, DicomSequenceLength sequenceLength)
    {
        var header = syntax.IsExplicitVR && !element.VR.HasLongLength() ? 8 : syntax.IsExplicitVR ? 12 : 8;
        return header + element switch
        {
            DicomValueElement v => v.Value.Length,
            DicomSequenceElement s => SequenceContentLength(s, syntax, sequenceLength) + (sequenceLength == DicomSequenceLength.Undefined ? 8 : 0),
            DicomFragmentsElement f => 8 + f.OffsetTable.Length + f.Fragments.Sum(x => 8L + x.Length + (x.Length % 2)) + 8,
            _ => throw new InvalidOperationException($"Unknown element type {element.GetType()}."),
        };
    }

    private static long SequenceContentLength(DicomSequenceElement sequence, DicomTransferSyntax syntax, DicomSequenceLength sequenceLength) =>
        sequence.Items.Sum(i => 8 + EncodedLength(i, syntax, sequenceLength) + (sequenceLength == DicomSequenceLength.Undefined ? 8 : 0));

    private sealed class Encoder(DicomTransferSyntax syntax, IBufferWriter<byte> output, DicomSequenceLength sequenceLength)
    {
        public void WriteDataset(DicomDataset dataset)
        {
            foreach (var element in dataset)
            {
                WriteElement(element);
            }
        }

        private void WriteElement(DicomElement element)
        {
            switch (element)
            {
                case DicomValueElement value:
                    WriteHeader(element.Tag, element.VR, (uint)value.Value.Length);
                    WriteValue(value.Value.Span, element.VR.SwapUnit());
                    break;
                case DicomSequenceElement sequence:
                    var defined = sequenceLength == DicomSequenceLength.Defined;
                    WriteHeader(sequence.Tag, DicomVR.SQ, defined ? Checked(sequence.Tag, SequenceContentLength(sequence, syntax, sequenceLength)) : UndefinedLength);
                    foreach (var item in sequence.Items)
                    {
                        WriteTagAndLength(DicomTag.Item, defined ? Checked(sequence.Tag, EncodedLength(item, syntax, sequenceLength)) : UndefinedLength);
                        WriteDataset(item);
                        if (!defined)
                        {
                            WriteTagAndLength(DicomTag.ItemDelimitationItem, 0);
                        }
                    }

                    if (!defined)
                    {
                        WriteTagAndLength(DicomTag.SequenceDelimitationItem, 0);
                    }

                    break;
                case DicomFragmentsElement fragments:
                    WriteHeader(fragments.Tag, fragments.VR, UndefinedLength);
                    WriteTagAndLength(DicomTag.Item, (uint)fragments.OffsetTable.Length);
                    WriteValue(fragments.OffsetTable.Span, 4);
                    foreach (var fragment in fragments.Fragments)
                    {
                        WriteTagAndLength(DicomTag.Item, (uint)(fragment.Length + (fragment.Length % 2)));
                        output.Write(fragment.Span);
                        if (fragment.Length % 2 == 1)
                        {
                            output.Write([(byte)0]);
                        }
                    }

                    WriteTagAndLength(DicomTag.SequenceDelimitationItem, 0);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown element type {element.GetType()}.");
            }
        }

        private static uint Checked(DicomTag tag, long length) =>
            length < UndefinedLength ? (uint)length : throw new DtpException($"{tag}: {length} bytes do not fit a DICOM length field.", DtpErrorKind.Local);

        private void WriteHeader(DicomTag tag, DicomVR vr, uint length)
        {
            if (!syntax.IsExplicitVR)
            {
                WriteTagAndLength(tag, length);
                return;
            }

            var span = output.GetSpan(12);
            WriteTag(span, tag);
            var code = vr.ToString();
            span[4] = (byte)code[0];
            span[5] = (byte)code[1];
            if (vr.HasLongLength())
            {
                span[6] = 0;
                span[7] = 0;
                WriteUInt32(span[8..], length);
                output.Advance(12);
            }
            else
            {
                if (length > ushort.MaxValue)
                {
                    throw new DtpException($"{tag}: a {vr} value of {length} bytes is longer than explicit VR allows (65534).", DtpErrorKind.Local);
                }

                WriteUInt16(span[6..], (ushort)length);
                output.Advance(8);
            }
        }

        private void WriteTagAndLength(DicomTag tag, uint length)
        {
            var span = output.GetSpan(8);
            WriteTag(span, tag);
            WriteUInt32(span[4..], length);
            output.Advance(8);
        }

        private void WriteValue(ReadOnlySpan<byte> value, int swapUnit)
        {
            if (syntax.IsLittleEndian || swapUnit == 1)
            {
                output.Write(value);
                return;
            }

            var span = output.GetSpan(value.Length)[..value.Length];
            value.CopyTo(span);
            Swap(span, swapUnit);
            output.Advance(value.Length);
        }

        private void WriteTag(Span<byte> span, DicomTag tag)
        {
            WriteUInt16(span, tag.Group);
            WriteUInt16(span[2..], tag.Element);
        }

        private void WriteUInt16(Span<byte> span, ushort value)
        {
            if (syntax.IsLittleEndian)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(span, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(span, value);
            }
        }

        private void WriteUInt32(Span<byte> span, uint value)
        {
            if (syntax.IsLittleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(span, value);
            }
        }
    }

    private static void Swap(Span<byte> span, int unit)
    {
        for (var i = 0; i + unit <= span.Length; i += unit)
        {
            span.Slice(i, unit).Reverse();
        }
    }

    private sealed class Decoder(ReadOnlyMemory<byte> data, DicomTransferSyntax syntax)
    {
        private DicomTag? sequence;

        public int Position { get; private set; }

        public DicomDataset ReadDataset(long end, bool untilItemDelimiter, ushort? stopBeforeGroup)
        {
            var dataset = new DicomDataset();
            while (Position < end)
            {
                if (stopBeforeGroup is { } stop && end - Position >= 2 && PeekGroup() >= stop)
                {
                    break;
                }

                var start = Position;
                var tag = ReadTag();
                if (tag == DicomTag.ItemDelimitationItem)
                {
                    ReadUInt32();
                    if (untilItemDelimiter)
                    {
                        return dataset;
                    }

                    throw Error(start, tag, "an item delimiter outside an item of undefined length");
                }

                dataset.Set(ReadElement(tag, start));
            }

            return untilItemDelimiter ? throw Error(Position, null, "the data ends inside an item of undefined length") : dataset;
        }

        private DicomElement ReadElement(DicomTag tag, int start)
        {
            DicomVR vr;
            uint length;
            if (syntax.IsExplicitVR)
            {
                Need(start, tag, 4);
                var span = data.Span;
                if (!DicomVRRules.TryParse(span[Position], span[Position + 1], out vr))
                {
                    throw Error(start, tag, $"the bytes 0x{span[Position]:X2} 0x{span[Position + 1]:X2} are not a VR");
                }

                Position += 2;
                if (vr.HasLongLength())
                {
                    Position += 2;
                    length = ReadUInt32();
                }
                else
                {
                    length = ReadUInt16();
                }
            }
            else
            {
                vr = DicomAttributeVRs.VROf(tag);
                length = ReadUInt32();
            }

            if (length == UndefinedLength)
            {
                if (vr == DicomVR.UN || vr == DicomVR.SQ)
                {
                    // CP-246: an undefined-length UN is a sequence encoded in implicit VR little endian.
                    var items = vr == DicomVR.UN && syntax.IsExplicitVR
                        ? ReadItemsWith(DicomTransferSyntax.ImplicitVRLittleEndian, tag)
                        : ReadItems(long.MaxValue, tag);
                    return new DicomSequenceElement(tag, items);
                }

                if (vr is DicomVR.OB or DicomVR.OW)
                {
                    return ReadFragments(tag, vr);
                }

                throw Error(start, tag, $"a {vr} value of undefined length");
            }

            Need(start, tag, length);
            if (vr == DicomVR.SQ)
            {
                var items = ReadItems(Position + (long)length, tag);
                return new DicomSequenceElement(tag, items);
            }

            var value = data.Slice(Position, (int)length);
            Position += (int)length;
            var unit = vr.SwapUnit();
            if (!syntax.IsLittleEndian && unit > 1)
            {
                var swapped = value.ToArray();
                Swap(swapped, unit);
                value = swapped;
            }

            return new DicomValueElement(tag, vr, value);
        }

        private List<DicomDataset> ReadItemsWith(DicomTransferSyntax itemSyntax, DicomTag tag)
        {
            var nested = new Decoder(data, itemSyntax) { Position = Position, sequence = tag };
            var items = nested.ReadItems(long.MaxValue, tag);
            Position = nested.Position;
            return items;
        }

        private List<DicomDataset> ReadItems(long end, DicomTag sequenceTag)
        {
            var outer = sequence;
            sequence = sequenceTag;
            var items = new List<DicomDataset>();
            while (Position < end)
            {
                var start = Position;
                Need(start, sequenceTag, 8);
                var tag = ReadTag();
                var length = ReadUInt32();
                if (tag == DicomTag.SequenceDelimitationItem)
                {
                    if (end != long.MaxValue)
                    {
                        throw Error(start, sequenceTag, "a sequence delimiter in a sequence of defined length");
                    }

                    sequence = outer;
                    return items;
                }

                if (tag != DicomTag.Item)
                {
                    throw Error(start, sequenceTag, $"{tag} where an item was expected");
                }

                if (length == UndefinedLength)
                {
                    items.Add(ReadDataset(data.Length, untilItemDelimiter: true, stopBeforeGroup: null));
                }
                else
                {
                    Need(start, sequenceTag, length);
                    items.Add(ReadDataset(Position + (long)length, untilItemDelimiter: false, stopBeforeGroup: null));
                }
            }

            if (end == long.MaxValue)
            {
                throw Error(Position, sequenceTag, "the data ends inside a sequence of undefined length");
            }

            sequence = outer;
            return items;
        }

        private DicomFragmentsElement ReadFragments(DicomTag tag, DicomVR vr)
        {
            ReadOnlyMemory<byte>? offsetTable = null;
            var fragments = new List<ReadOnlyMemory<byte>>();
            while (true)
            {
                var start = Position;
                Need(start, tag, 8);
                var itemTag = ReadTag();
                var length = ReadUInt32();
                if (itemTag == DicomTag.SequenceDelimitationItem)
                {
                    return new DicomFragmentsElement(tag, vr, offsetTable ?? ReadOnlyMemory<byte>.Empty, fragments);
                }

                if (itemTag != DicomTag.Item || length == UndefinedLength)
                {
                    throw Error(start, tag, $"{itemTag} where a pixel data fragment was expected");
                }

                Need(start, tag, length);
                var bytes = data.Slice(Position, (int)length);
                Position += (int)length;
                if (offsetTable is null)
                {
                    if (!syntax.IsLittleEndian)
                    {
                        var swapped = bytes.ToArray();
                        Swap(swapped, 4);
                        bytes = swapped;
                    }

                    offsetTable = bytes;
                }
                else
                {
                    fragments.Add(bytes);
                }
            }
        }

        private ushort PeekGroup() =>
            syntax.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(data.Span[Position..]) : BinaryPrimitives.ReadUInt16BigEndian(data.Span[Position..]);

        private DicomTag ReadTag()
        {
            Need(Position, null, 4);
            var group = ReadUInt16();
            return new DicomTag(group, ReadUInt16());
        }

        private ushort ReadUInt16()
        {
            Need(Position, null, 2);
            var span = data.Span[Position..];
            Position += 2;
            return syntax.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(span) : BinaryPrimitives.ReadUInt16BigEndian(span);
        }

        private uint ReadUInt32()
        {
            Need(Position, null, 4);
            var span = data.Span[Position..];
            Position += 4;
            return syntax.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(span) : BinaryPrimitives.ReadUInt32BigEndian(span);
        }

        private void Need(int start, DicomTag? tag, long count)
        {
            if (data.Length - Position < count)
            {
                throw Error(start, tag, $"the data ends after {data.Length - Position} of {count} bytes");
            }
        }

        private DtpException Error(int offset, DicomTag? tag, string problem)
        {
            var where = (tag, sequence) switch
            {
                ({ } t, _) => $" in element {t}",
                (null, { } s) => $" in sequence {s}",
                _ => string.Empty,
            };
            return new(string.Create(CultureInfo.InvariantCulture, $"Malformed DICOM data at byte {offset}{where}: {problem}."), DtpErrorKind.Local);
        }
    }
}
