using System.Text;
using System.Xml;
using Dtp.Sds;

namespace Dtp.Tests.Sds;

public sealed class XlsxXmlScannerTests
{
    private static XlsxXmlScanner Scanner(string xml, Encoding? encoding = null) =>
        new(new MemoryStream([.. (encoding ?? Encoding.UTF8).GetPreamble(), .. (encoding ?? Encoding.UTF8).GetBytes(xml)]));

    private static List<string> TextsOf(XlsxXmlScanner scanner, string localName)
    {
        var texts = new List<string>();
        while (scanner.Read())
        {
            if (scanner.Node == XlsxXmlNode.Element && scanner.IsNamed(Encoding.UTF8.GetBytes(localName)))
            {
                texts.Add(scanner.ReadElementText());
            }
        }

        return texts;
    }

    [Fact]
    public void ReadElementText_EntitiesCharacterReferencesCDataAndLineEnds_DecodedLikeXmlReader()
    {
        var xml = "<?xml version=\"1.0\"?><!-- c --><w><t>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#233;&#x1F600;</t><t>x<![CDATA[<&>]]>y<!-- z --></t><t>1\r\n2\r3&#13;</t><t/><t>\U0001F600 é</t></w>";

        var texts = TextsOf(Scanner(xml), "t");

        var expected = new List<string>();
        using (var reader = XmlReader.Create(new StringReader(xml)))
        {
            // ReadElementContentAsString moves past the element, so it is not followed by Read().
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "t")
                {
                    expected.Add(reader.ReadElementContentAsString());
                }
                else
                {
                    reader.Read();
                }
            }
        }

        Assert.Equal(expected, texts);
        Assert.Equal("a <b> & \"c\" 'd' é\U0001F600", texts[0]);
        Assert.Equal("1\n2\n3\r", texts[2]);
    }

    [Fact]
    public void Read_PrefixedNamesAndQuotedGreaterThan_MatchesLocalNamesAndReadsAttributes()
    {
        var scanner = Scanner("<x:worksheet xmlns:x=\"urn:main\" xmlns:rel=\"urn:rels\"><x:c r='B7' note=\"a>b\" t=\"s\" rel:id=\"rId3\"/></x:worksheet>");

        scanner.Read();
        scanner.Read();

        Assert.True(scanner.IsNamed("c"u8));
        Assert.True(scanner.IsEmptyElement);
        Assert.Equal(1, scanner.Depth);
        Assert.Equal("B7", Encoding.UTF8.GetString(scanner.RawAttribute("r"u8)));
        Assert.Equal("a>b", scanner.GetAttribute("note"));
        Assert.Equal("rId3", scanner.GetAttribute("id", "urn:rels"));
        Assert.Null(scanner.GetAttribute("id"));
        Assert.Null(scanner.GetAttribute("id", "urn:other"));
        Assert.True(scanner.Read());
        Assert.Equal(XlsxXmlNode.EndElement, scanner.Node);
        Assert.False(scanner.Read());
    }

    [Fact]
    public void ReadElementText_ValueLongerThanTheBuffer_ReadWhole()
    {
        var value = new string('x', 300_000) + "é";

        var texts = TextsOf(Scanner($"<w><t>{value}</t><t>after</t></w>"), "t");

        Assert.Equal([value, "after"], texts);
    }

    [Fact]
    public void ReadElementText_RepeatedShortValue_ReturnsTheSameInstance()
    {
        var texts = TextsOf(Scanner("<w><v>sam-1</v><v>sam-2</v><v>sam-1</v></w>"), "v");

        Assert.Same(texts[0], texts[2]);
        Assert.Equal("sam-2", texts[1]);
    }

    [Fact]
    public void Read_Utf16WithByteOrderMark_Transcoded()
    {
        var texts = TextsOf(Scanner("<?xml version=\"1.0\" encoding=\"UTF-16\"?><w><t>ünïcode \U0001F600</t></w>", Encoding.Unicode), "t");

        Assert.Equal(["ünïcode \U0001F600"], texts);
    }

    [Fact]
    public void RawAttribute_UnquotedValue_ThrowsXmlException()
    {
        var scanner = Scanner("<w><c r=B1/></w>");
        scanner.Read();
        scanner.Read();

        Assert.Throws<XmlException>(() => scanner.RawAttribute("r"u8).Length);
    }

    [Theory]
    [InlineData("<w><t>a</x></w>")]
    [InlineData("<w><t>a</t>")]
    [InlineData("<w><t>&nbsp;</t></w>")]
    [InlineData("<!DOCTYPE w [<!ENTITY e \"x\">]><w>&e;</w>")]
    [InlineData("<w/><w/>")]
    [InlineData("text<w/>")]
    [InlineData("<w><t>a<b/></t></w>")]
    public void Read_MalformedXml_ThrowsXmlException(string xml)
    {
        var scanner = Scanner(xml);

        Assert.Throws<XmlException>(() => TextsOf(scanner, "t"));
    }

    [Fact]
    public void TryReadContentBlock_ManyRows_CutsAtRowEndsAndLeavesTheEndElement()
    {
        var rows = string.Concat(Enumerable.Range(1, 3000).Select(i => $"<x:row r=\"{i}\"><x:c><x:v>{i}</x:v></x:c></x:row>\n"));
        var scanner = Scanner($"<x:w xmlns:x=\"urn:x\"><x:sheetData>{rows}</x:sheetData><x:after/></x:w>");
        scanner.Read();
        scanner.Read();
        var blocks = new List<string>();

        while (scanner.TryReadContentBlock("row"u8, 16_384, 1 << 20, out var block, out var length))
        {
            blocks.Add(Encoding.UTF8.GetString(block, 0, length));
            System.Buffers.ArrayPool<byte>.Shared.Return(block);
        }

        Assert.True(blocks.Count > 1);
        Assert.All(blocks[..^1], b => Assert.EndsWith("</x:row>", b, StringComparison.Ordinal));
        Assert.Equal(rows, string.Concat(blocks));
        Assert.True(scanner.Read());
        Assert.Equal((XlsxXmlNode.EndElement, 1), (scanner.Node, scanner.Depth));
        Assert.True(scanner.IsNamed("sheetData"u8));
        var fragment = new XlsxXmlScanner(Encoding.UTF8.GetBytes(blocks[1]), Encoding.UTF8.GetByteCount(blocks[1]));
        Assert.Equal(blocks[1].Split("<x:v>").Skip(1).Select(v => v[..v.IndexOf('<', StringComparison.Ordinal)]), TextsOf(fragment, "v"));
    }

    [Fact]
    public void TryReadContentBlock_RowLargerThanTheLargestBlock_ReturnsFalseWithoutMoving()
    {
        var scanner = Scanner($"<w><sheetData><row><c><v>{new string('7', 5000)}</v></c></row></sheetData></w>");
        scanner.Read();
        scanner.Read();

        Assert.False(scanner.TryReadContentBlock("row"u8, 1024, 4096, out _, out _));

        Assert.Equal([new string('7', 5000)], TextsOf(scanner, "v"));
    }
}
