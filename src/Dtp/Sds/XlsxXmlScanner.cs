using System.Globalization;
using System.Text;
using System.Xml;

namespace Dtp.Sds;

/// <summary>The kind of node an <see cref="XlsxXmlScanner"/> stands on.</summary>
internal enum XlsxXmlNode
{
    None,
    Element,
    EndElement,
    Text,
}

/// <summary>
/// A forward-only XML reader over the UTF-8 bytes of a large xlsx part (a worksheet of a 100,000-row manifest is about
/// 100 MB of XML). It works on the bytes and creates a string only for the text asked for, where an <see cref="XmlReader"/>
/// decodes every character and allocates for every node; short repeated ASCII values (file types, entity ids, small
/// numbers) come back as one shared string instance. It checks what SpreadsheetML relies on (tags, matching end tags,
/// entities, and the quoting of the attributes it reads) and throws <see cref="XmlException"/> otherwise; DTDs are refused, comments and processing
/// instructions skipped. Element names are matched by local name (prefixes ignored), as the sheet readers did before.
/// </summary>
internal sealed class XlsxXmlScanner
{
    private const int CacheSize = 4096;
    private const int MaxCachedLength = 32;

    private readonly Stream _stream;
    private readonly bool _fragment;
    private readonly Dictionary<string, string> _rootNamespaces = new(StringComparer.Ordinal);
    private byte[] _openNames = new byte[256];
    private int[] _openEnds = new int[16];
    private int _openCount;
    private bool _rootRead;
    private readonly string?[] _cache = new string?[CacheSize];
    private byte[] _buffer = new byte[1 << 16];
    private int _pos;
    private int _end;
    private bool _eof;
    private long _consumed;
    private int _nameStart;
    private int _nameLength;
    private int _attributesStart;
    private int _attributesLength;
    private int _textStart;
    private int _textLength;
    private bool _textIsCData;

    /// <summary>Initializes a new instance of the <see cref="XlsxXmlScanner"/> class.</summary>
    /// <param name="stream">The part; UTF-8, or another encoding named by a byte order mark or the XML declaration.</param>
    public XlsxXmlScanner(Stream stream)
    {
        _stream = stream;
        Fill();
        var encoding = DetectEncoding();
        if (encoding is not null)
        {
            // Rare (Excel and every library we know write UTF-8): transcode the rest and start again from its first byte.
            var rest = new MemoryStream();
            rest.Write(_buffer, _pos, _end - _pos);
            stream.CopyTo(rest);
            rest.Position = 0;
            _stream = Encoding.CreateTranscodingStream(rest, encoding, Encoding.UTF8, leaveOpen: false);
            _pos = _end = 0;
            _eof = false;
            Fill();
        }
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="XlsxXmlScanner"/> class over a block that <see cref="TryReadContentBlock"/>
    /// cut from a part: UTF-8 bytes holding a sequence of sibling elements, each at depth 0.
    /// </summary>
    /// <param name="block">The block; the scanner reads it in place.</param>
    /// <param name="length">The number of bytes of <paramref name="block"/> to read.</param>
    public XlsxXmlScanner(byte[] block, int length)
    {
        _stream = Stream.Null;
        _buffer = block;
        _end = length;
        _eof = true;
        _fragment = true;
    }

    /// <summary>Gets the kind of the current node.</summary>
    public XlsxXmlNode Node { get; private set; }

    /// <summary>Gets the depth of the current node: 0 for the root element, like <see cref="XmlReader.Depth"/>.</summary>
    public int Depth { get; private set; }

    /// <summary>Gets whether the current element is written <c>&lt;name/&gt;</c> (no end element follows).</summary>
    public bool IsEmptyElement { get; private set; }

    /// <summary>Returns whether the current element or end element has the local name <paramref name="localName"/>.</summary>
    public bool IsNamed(ReadOnlySpan<byte> localName) => LocalName.SequenceEqual(localName);

    private ReadOnlySpan<byte> LocalName
    {
        get
        {
            var name = _buffer.AsSpan(_nameStart, _nameLength);
            return name[(name.IndexOf((byte)':') + 1)..];
        }
    }

    /// <summary>Moves to the next element, end element or text (CDATA included); returns false at the end of the document.</summary>
    public bool Read()
    {
        while (true)
        {
            if (!Ensure(1))
            {
                if (_openCount > 0)
                {
                    throw Malformed($"the document ends inside <{Encoding.UTF8.GetString(OpenName)}>");
                }

                Node = XlsxXmlNode.None;
                return false;
            }

            if (_buffer[_pos] != (byte)'<')
            {
                var length = Find("<"u8, 0);
                if (length < 0)
                {
                    length = _end - _pos;
                }

                if (_openCount == 0)
                {
                    if (_buffer.AsSpan(_pos, length).IndexOfAnyExcept(" \t\r\n"u8) >= 0)
                    {
                        throw Malformed("text outside the root element");
                    }

                    _pos += length;
                    continue;
                }

                SetText(_pos, length, cdata: false);
                _pos += length;
                return true;
            }

            if (!Ensure(2))
            {
                throw Malformed("the document ends inside a tag");
            }

            switch (_buffer[_pos + 1])
            {
                case (byte)'/':
                    ReadEndElement();
                    return true;
                case (byte)'?':
                    Skip("?>"u8);
                    continue;
                case (byte)'!' when StartsWith("<!--"u8):
                    Skip("-->"u8);
                    continue;
                case (byte)'!' when StartsWith("<![CDATA["u8):
                    var length = Find("]]>"u8, 9);
                    if (length < 0 || _openCount == 0)
                    {
                        throw Malformed("a CDATA section is not closed or outside the root element");
                    }

                    SetText(_pos + 9, length - 9, cdata: true);
                    _pos += length + 3;
                    return true;
                case (byte)'!':
                    throw Malformed("DTDs and declarations are not allowed in a workbook part");
                default:
                    ReadElement();
                    return true;
            }
        }
    }

    /// <summary>Skips the current element with its content; the scanner then stands on its end element (or on it, when empty).</summary>
    public void Skip()
    {
        if (Node != XlsxXmlNode.Element || IsEmptyElement)
        {
            return;
        }

        var depth = Depth;
        while (Read() && !(Node == XlsxXmlNode.EndElement && Depth == depth))
        {
        }
    }

    /// <summary>Returns the text of the current element (which must hold only text) and moves to its end element.</summary>
    public string ReadElementText()
    {
        if (IsEmptyElement)
        {
            return string.Empty;
        }

        if (TryReadPlainText() is { } plain)
        {
            return plain;
        }

        var depth = Depth;
        string? text = null;
        while (Read())
        {
            switch (Node)
            {
                case XlsxXmlNode.Text:
                    var part = Text();
                    text = text is null ? part : text + part;
                    break;
                case XlsxXmlNode.EndElement when Depth == depth:
                    return text ?? string.Empty;
                case XlsxXmlNode.Element:
                    throw Malformed($"<{Encoding.UTF8.GetString(LocalName)}> inside an element that holds text");
            }
        }

        return text ?? string.Empty;
    }

    /// <summary>
    /// The common case of <see cref="ReadElementText"/>, in one step: the element just read holds only text (no comment, CDATA
    /// or child) and its end tag follows, <c>&lt;v&gt;12&lt;/v&gt;</c>. Returns the text and stands on the end element, or
    /// returns null without moving.
    /// </summary>
    private string? TryReadPlainText()
    {
        var length = Find("<"u8, 0);
        var name = OpenName;
        if (length < 0 || !Ensure(length + name.Length + 3))
        {
            return null;
        }

        var endTag = _buffer.AsSpan(_pos + length, name.Length + 3);
        if (endTag[1] != (byte)'/' || endTag[^1] != (byte)'>' || !endTag[2..^1].SequenceEqual(name))
        {
            return null;
        }

        SetText(_pos, length, cdata: false);
        var text = Text();
        _openCount--;
        Node = XlsxXmlNode.EndElement;
        Depth = _openCount;
        _nameStart = _pos + length + 2;
        _nameLength = name.Length;
        _attributesLength = 0;
        _pos += length + name.Length + 3;
        return text;
    }

    /// <summary>
    /// Standing on a non-empty element (a worksheet's <c>&lt;sheetData&gt;</c>), cuts the next block of its content so that
    /// blocks can be scanned in parallel: the bytes from the current position to the end of the last end tag of a child
    /// named <paramref name="childLocalName"/> (with the element's prefix) found within the next
    /// <paramref name="blockSize"/> bytes or more, or to the element's own end tag when that comes first. Returns false,
    /// without moving, when no such cut exists (the element ends here, the data ends, or one child is larger than
    /// <paramref name="maxBlockSize"/>): the caller reads on with <see cref="Read"/>.
    /// </summary>
    /// <remarks>
    /// The cut is found by searching bytes, so an end tag written inside a comment or a CDATA section misplaces it; the block
    /// then ends inside that comment or section, which a scanner over the block refuses with an <see cref="XmlException"/>.
    /// The caller then reads the part again sequentially.
    /// </remarks>
    /// <param name="childLocalName">The children's local name, e.g. <c>row</c>.</param>
    /// <param name="blockSize">The size a block should reach when the data allows.</param>
    /// <param name="maxBlockSize">The largest block returned.</param>
    /// <param name="block">The block, rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>: return it when done.</param>
    /// <param name="length">The number of bytes of <paramref name="block"/> that belong to it.</param>
    /// <returns>Whether a block was cut.</returns>
    public bool TryReadContentBlock(ReadOnlySpan<byte> childLocalName, int blockSize, int maxBlockSize, out byte[] block, out int length)
    {
        block = [];
        length = 0;
        if (Node != XlsxXmlNode.Element || IsEmptyElement || _openCount == 0)
        {
            return false;
        }

        var parent = OpenName;
        if (parent.Length + childLocalName.Length > 256)
        {
            return false;
        }

        var prefixLength = parent.IndexOf((byte)':') + 1;
        Span<byte> parentEnd = stackalloc byte[parent.Length + 3];
        "</"u8.CopyTo(parentEnd);
        parent.CopyTo(parentEnd[2..]);
        parentEnd[^1] = (byte)'>';
        Span<byte> childEnd = stackalloc byte[prefixLength + childLocalName.Length + 3];
        "</"u8.CopyTo(childEnd);
        parent[..prefixLength].CopyTo(childEnd[2..]);
        childLocalName.CopyTo(childEnd[(2 + prefixLength)..]);
        childEnd[^1] = (byte)'>';

        for (var wanted = blockSize; ; wanted *= 2)
        {
            var complete = Ensure(wanted);
            var window = _buffer.AsSpan(_pos, Math.Min(_end - _pos, maxBlockSize));
            var cut = window.IndexOf(parentEnd);
            if (cut < 0 && window.LastIndexOf(childEnd) is var lastChild and >= 0)
            {
                cut = lastChild + childEnd.Length;
            }

            if (cut > 0)
            {
                length = cut;
                block = System.Buffers.ArrayPool<byte>.Shared.Rent(cut);
                window[..cut].CopyTo(block);
                _pos += cut;
                return true;
            }

            if (cut == 0 || !complete || window.Length >= maxBlockSize)
            {
                return false;
            }
        }
    }

    /// <summary>Returns the raw bytes of an attribute without a prefix (<c>r</c>, <c>t</c>, <c>s</c>), or an empty span when absent.</summary>
    /// <remarks>For short values whose text never needs decoding (cell references, types, style numbers).</remarks>
    public ReadOnlySpan<byte> RawAttribute(ReadOnlySpan<byte> name)
    {
        for (var at = 0; NextAttribute(ref at, out var attributeName, out var value);)
        {
            if (_buffer.AsSpan(attributeName.Start, attributeName.Length).SequenceEqual(name))
            {
                return _buffer.AsSpan(value.Start, value.Length);
            }
        }

        return default;
    }

    /// <summary>Returns an attribute's text; with <paramref name="namespaceUri"/>, one whose prefix is bound to it (on this element or the root).</summary>
    public string? GetAttribute(string localName, string? namespaceUri = null)
    {
        for (var at = 0; NextAttribute(ref at, out var attributeName, out var value);)
        {
            var name = Encoding.UTF8.GetString(_buffer, attributeName.Start, attributeName.Length);
            var colon = name.IndexOf(':', StringComparison.Ordinal);
            if (name[(colon + 1)..] == localName
                && (namespaceUri is null ? colon < 0 : colon > 0 && NamespaceOf(name[..colon]) == namespaceUri))
            {
                return Decode(_buffer.AsSpan(value.Start, value.Length), entities: true);
            }
        }

        return null;
    }

    private string? NamespaceOf(string prefix)
    {
        for (var at = 0; NextAttribute(ref at, out var name, out var value);)
        {
            if (Encoding.UTF8.GetString(_buffer, name.Start, name.Length) == "xmlns:" + prefix)
            {
                return Decode(_buffer.AsSpan(value.Start, value.Length), entities: true);
            }
        }

        return _rootNamespaces.GetValueOrDefault(prefix);
    }

    /// <summary>Finds the attribute of the current element that starts at or after offset <paramref name="at"/> of its attribute text.</summary>
    private bool NextAttribute(ref int at, out (int Start, int Length) name, out (int Start, int Length) value)
    {
        var span = _buffer.AsSpan(_attributesStart, _attributesLength);
        var i = at;
        while (i < span.Length && IsSpace(span[i]))
        {
            i++;
        }

        if (i == span.Length)
        {
            name = value = default;
            return false;
        }

        var nameStart = i;
        while (i < span.Length && span[i] != (byte)'=' && !IsSpace(span[i]))
        {
            i++;
        }

        var nameEnd = i;
        while (i < span.Length && IsSpace(span[i]))
        {
            i++;
        }

        if (nameEnd == nameStart || i + 1 >= span.Length || span[i] != (byte)'=')
        {
            throw Malformed("an attribute without a value");
        }

        i++;
        while (i < span.Length && IsSpace(span[i]))
        {
            i++;
        }

        if (i == span.Length || span[i] is not ((byte)'"' or (byte)'\''))
        {
            throw Malformed("an attribute value without quotes");
        }

        var close = span[(i + 1)..].IndexOf(span[i]);
        if (close < 0)
        {
            throw Malformed("an attribute value without its closing quote");
        }

        name = (_attributesStart + nameStart, nameEnd - nameStart);
        value = (_attributesStart + i + 1, close);
        at = i + close + 2;
        return true;
    }

    /// <summary>Returns the text of the current text node: entities replaced, line ends normalised to <c>\n</c>.</summary>
    private string Text()
    {
        var raw = _buffer.AsSpan(_textStart, _textLength);
        if (!_textIsCData && raw.Length <= MaxCachedLength && raw.IndexOfAny((byte)'&', (byte)'\r') < 0 && System.Text.Ascii.IsValid(raw))
        {
            var hash = default(HashCode);
            hash.AddBytes(raw);
            var slot = (int)((uint)hash.ToHashCode() % CacheSize);
            if (_cache[slot] is { } cached && System.Text.Ascii.Equals(raw, cached))
            {
                return cached;
            }

            return _cache[slot] = Encoding.ASCII.GetString(raw);
        }

        return Decode(raw, entities: !_textIsCData);
    }

    private string Decode(ReadOnlySpan<byte> raw, bool entities)
    {
        var text = Encoding.UTF8.GetString(raw);
        if (text.Contains('\r', StringComparison.Ordinal))
        {
            text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        }

        return entities && text.Contains('&', StringComparison.Ordinal) ? ReplaceEntities(text) : text;
    }

    private string ReplaceEntities(string text)
    {
        var result = new StringBuilder(text.Length);
        var i = 0;
        for (int amp; (amp = text.IndexOf('&', i)) >= 0;)
        {
            result.Append(text, i, amp - i);
            var semicolon = text.IndexOf(';', amp);
            if (semicolon < 0)
            {
                throw Malformed("an '&' that starts no entity");
            }

            var name = text.AsSpan(amp + 1, semicolon - amp - 1);
            result.Append(name switch
            {
                "lt" => "<",
                "gt" => ">",
                "amp" => "&",
                "quot" => "\"",
                "apos" => "'",
                _ when name.StartsWith("#x") && int.TryParse(name[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) => Character(code),
                _ when name.StartsWith("#") && int.TryParse(name[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var code) => Character(code),
                _ => throw Malformed($"the undefined entity &{name};"),
            });
            i = semicolon + 1;
        }

        return result.Append(text, i, text.Length - i).ToString();
    }

    private string Character(int code) =>
        code is > 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF) ? char.ConvertFromUtf32(code) : throw Malformed($"the character reference {code} is not a character");

    private void SetText(int start, int length, bool cdata)
    {
        Node = XlsxXmlNode.Text;
        IsEmptyElement = false;
        Depth = _openCount;
        _textStart = start;
        _textLength = length;
        _textIsCData = cdata;
    }

    private void ReadElement()
    {
        var length = FindTagEnd();
        var tag = _buffer.AsSpan(_pos, length);
        IsEmptyElement = tag[^1] == (byte)'/';
        var nameLength = tag[1..].IndexOfAny(" \t\r\n/"u8);
        nameLength = nameLength < 0 ? length - 1 : nameLength;
        if (nameLength == 0)
        {
            throw Malformed("a tag without a name");
        }

        if (_openCount == 0 && _rootRead && !_fragment)
        {
            throw Malformed("a second root element");
        }

        Node = XlsxXmlNode.Element;
        Depth = _openCount;
        _nameStart = _pos + 1;
        _nameLength = nameLength;
        _attributesStart = _nameStart + nameLength;
        _attributesLength = length - 1 - nameLength - (IsEmptyElement ? 1 : 0);
        if (!_rootRead && !_fragment)
        {
            _rootRead = true;
            for (var at = 0; NextAttribute(ref at, out var name, out var value);)
            {
                var attribute = Encoding.UTF8.GetString(_buffer, name.Start, name.Length);
                if (attribute.StartsWith("xmlns:", StringComparison.Ordinal))
                {
                    _rootNamespaces[attribute["xmlns:".Length..]] = Decode(_buffer.AsSpan(value.Start, value.Length), entities: true);
                }
            }
        }

        if (!IsEmptyElement)
        {
            PushOpen(tag.Slice(1, nameLength));
        }

        _pos += length + 1;
    }

    private void ReadEndElement()
    {
        var length = Find(">"u8, 2);
        if (length < 0)
        {
            throw Malformed("the document ends inside an end tag");
        }

        var name = _buffer.AsSpan(_pos + 2, length - 2).TrimEnd(" \t\r\n"u8);
        if (_openCount == 0 || !name.SequenceEqual(OpenName))
        {
            throw Malformed($"</{Encoding.UTF8.GetString(name)}> closes {(_openCount == 0 ? "no element" : $"<{Encoding.UTF8.GetString(OpenName)}>")}");
        }

        _openCount--;
        Node = XlsxXmlNode.EndElement;
        IsEmptyElement = false;
        Depth = _openCount;
        _nameStart = _pos + 2;
        _nameLength = name.Length;
        _attributesLength = 0;
        _pos += length + 1;
    }

    /// <summary>Gets the name of the innermost open element.</summary>
    private ReadOnlySpan<byte> OpenName
    {
        get
        {
            var start = _openCount > 1 ? _openEnds[_openCount - 2] : 0;
            return _openNames.AsSpan(start, _openEnds[_openCount - 1] - start);
        }
    }

    private void PushOpen(ReadOnlySpan<byte> name)
    {
        var start = _openCount > 0 ? _openEnds[_openCount - 1] : 0;
        if (start + name.Length > _openNames.Length)
        {
            Array.Resize(ref _openNames, Math.Max(_openNames.Length * 2, start + name.Length));
        }

        if (_openCount == _openEnds.Length)
        {
            Array.Resize(ref _openEnds, _openEnds.Length * 2);
        }

        name.CopyTo(_openNames.AsSpan(start));
        _openEnds[_openCount++] = start + name.Length;
    }

    /// <summary>Returns the offset from <see cref="_pos"/> of the <c>&gt;</c> that ends the tag there, skipping quoted values.</summary>
    private int FindTagEnd()
    {
        var i = 1;
        byte quote = 0;
        while (true)
        {
            var rest = _buffer.AsSpan(_pos + i, _end - _pos - i);
            var found = quote == 0 ? rest.IndexOfAny("\"'<>"u8) : rest.IndexOf(quote);
            if (found < 0)
            {
                i = _end - _pos;
                if (!Ensure(i + 1))
                {
                    throw Malformed("the document ends inside a tag");
                }

                continue;
            }

            i += found;
            var b = _buffer[_pos + i];
            if (quote != 0)
            {
                quote = 0;
            }
            else if (b == (byte)'>')
            {
                return i;
            }
            else if (b == (byte)'<')
            {
                throw Malformed("'<' inside a tag");
            }
            else
            {
                quote = b;
            }

            i++;
        }
    }

    /// <summary>Returns the offset from <see cref="_pos"/> of <paramref name="value"/>, searching from <paramref name="from"/>, or -1 at the end of the data.</summary>
    private int Find(ReadOnlySpan<byte> value, int from)
    {
        while (true)
        {
            var found = _buffer.AsSpan(_pos + from, _end - _pos - from).IndexOf(value);
            if (found >= 0)
            {
                return from + found;
            }

            from = Math.Max(from, _end - _pos - value.Length + 1);
            if (_eof)
            {
                return -1;
            }

            Compact();
            Fill();
        }
    }

    private void Skip(ReadOnlySpan<byte> terminator)
    {
        var length = Find(terminator, 2);
        if (length < 0)
        {
            throw Malformed($"a '{Encoding.ASCII.GetString(_buffer, _pos, 2)}' is not closed");
        }

        _pos += length + terminator.Length;
    }

    private bool StartsWith(ReadOnlySpan<byte> prefix) => Ensure(prefix.Length) && _buffer.AsSpan(_pos, prefix.Length).SequenceEqual(prefix);

    /// <summary>Makes at least <paramref name="count"/> bytes available from <see cref="_pos"/>, unless the data ends first.</summary>
    private bool Ensure(int count)
    {
        while (_end - _pos < count)
        {
            if (_eof)
            {
                return false;
            }

            Compact();
            Fill();
        }

        return true;
    }

    /// <summary>Moves the unread bytes to the start of the buffer, doubling it when they fill it (one token longer than the buffer).</summary>
    private void Compact()
    {
        var unread = _end - _pos;
        if (unread >= _buffer.Length / 2)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        Buffer.BlockCopy(_buffer, _pos, _buffer, 0, unread);
        _consumed += _pos;
        _textStart -= _pos;
        _nameStart -= _pos;
        _attributesStart -= _pos;
        _pos = 0;
        _end = unread;
    }

    private void Fill()
    {
        while (!_eof && _end < _buffer.Length)
        {
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            _eof = read == 0;
            _end += read;
        }
    }

    /// <summary>Returns the encoding to transcode from when the part is not UTF-8, after skipping a UTF-8 byte order mark.</summary>
    private Encoding? DetectEncoding()
    {
        var start = _buffer.AsSpan(0, _end);
        if (start is [0xEF, 0xBB, 0xBF, ..])
        {
            _pos = 3;
            return null;
        }

        if (start is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
        {
            _pos = 2;
            return start[0] == 0xFF ? Encoding.Unicode : Encoding.BigEndianUnicode;
        }

        if (!start.StartsWith("<?xml"u8))
        {
            return null;
        }

        var declarationEnd = start.IndexOf("?>"u8);
        var declaration = Encoding.ASCII.GetString(start[..Math.Max(declarationEnd, 0)]);
        var at = declaration.IndexOf("encoding", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var name = declaration[(at + "encoding".Length)..].TrimStart(' ', '=', '"', '\'').Split('"', '\'')[0];
        if (name.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException ex)
        {
            throw new XmlException($"The XML declaration names the encoding '{name}', which dtp cannot read.", ex);
        }
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private XmlException Malformed(string what) =>
        new($"{char.ToUpperInvariant(what[0])}{what[1..]} (near byte {(_consumed + _pos).ToString(CultureInfo.InvariantCulture)}).");
}
