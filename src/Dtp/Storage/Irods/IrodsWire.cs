using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace Dtp.Storage.Irods;

/// <summary>The header of one iRODS message: type, the lengths of its three parts and the integer it carries.</summary>
internal readonly record struct IrodsHeader(string Type, int MessageLength, int ErrorLength, int ByteStreamLength, int IntInfo);

/// <summary>
/// iRODS framing: a 4-byte big-endian header length, an XML <c>MsgHeader_PI</c>, then the message body, the error body and the
/// byte stream, in that order.
/// </summary>
internal static class IrodsWire
{
    /// <summary>The largest header a server accepts (MAX_NAME_LEN).</summary>
    public const int MaxHeaderLength = 1088;

    public const string Connect = "RODS_CONNECT";
    public const string Version = "RODS_VERSION";
    public const string Negotiation = "RODS_CS_NEG_T";
    public const string ApiRequest = "RODS_API_REQ";
    public const string ApiReply = "RODS_API_REPLY";
    public const string Disconnect = "RODS_DISCONNECT";

    private static readonly Encoding Utf8 = new UTF8Encoding(false);

    public static byte[] PackHeader(string type, int messageLength, int errorLength, int byteStreamLength, int intInfo)
    {
        var xml = string.Create(CultureInfo.InvariantCulture,
            $"<MsgHeader_PI><type>{type}</type><msgLen>{messageLength}</msgLen><errorLen>{errorLength}</errorLen><bsLen>{byteStreamLength}</bsLen><intInfo>{intInfo}</intInfo></MsgHeader_PI>");
        var length = Utf8.GetByteCount(xml);
        var bytes = new byte[4 + length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, length);
        Utf8.GetBytes(xml, bytes.AsSpan(4));
        return bytes;
    }

    /// <summary>Writes a message: header and body in one write, then the byte stream.</summary>
    public static async ValueTask WriteAsync(Stream stream, string type, string? body, ReadOnlyMemory<byte> byteStream, int intInfo, CancellationToken cancellationToken)
    {
        var bodyLength = body is null ? 0 : Utf8.GetByteCount(body);
        var header = PackHeader(type, bodyLength, 0, byteStream.Length, intInfo);
        var buffer = ArrayPool<byte>.Shared.Rent(header.Length + bodyLength);
        try
        {
            header.CopyTo(buffer, 0);
            if (body is not null)
            {
                Utf8.GetBytes(body, buffer.AsSpan(header.Length));
            }

            await stream.WriteAsync(buffer.AsMemory(0, header.Length + bodyLength), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (!byteStream.IsEmpty)
        {
            await stream.WriteAsync(byteStream, cancellationToken).ConfigureAwait(false);
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async ValueTask<IrodsHeader> ReadHeaderAsync(Stream stream, CancellationToken cancellationToken)
    {
        var lengthBytes = new byte[4];
        await stream.ReadExactlyAsync(lengthBytes, cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32BigEndian(lengthBytes);
        if (length <= 0 || length > MaxHeaderLength)
        {
            throw new IrodsException($"The iRODS server sent a message header of {length} bytes; expected 1 to {MaxHeaderLength}. Is this an iRODS port?");
        }

        var headerBytes = new byte[length];
        await stream.ReadExactlyAsync(headerBytes, cancellationToken).ConfigureAwait(false);
        var header = ParseXml(headerBytes, "MsgHeader_PI");
        return new IrodsHeader(
            IrodsXml.Str(header, "type") ?? string.Empty,
            IrodsXml.Int(header, "msgLen"),
            IrodsXml.Int(header, "errorLen"),
            IrodsXml.Int(header, "bsLen"),
            IrodsXml.Int(header, "intInfo"));
    }

    public static async ValueTask<byte[]> ReadBytesAsync(Stream stream, int length, CancellationToken cancellationToken)
    {
        if (length == 0)
        {
            return [];
        }

        var bytes = new byte[length];
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>Parses an XML body, ignoring a trailing NUL, and checks the root element's name.</summary>
    public static XElement ParseXml(ReadOnlySpan<byte> bytes, string expectedRoot)
    {
        var text = Utf8.GetString(bytes).TrimEnd('\0', '\n', ' ');
        XElement root;
        try
        {
            root = XElement.Parse(text, LoadOptions.None);
        }
        catch (System.Xml.XmlException ex)
        {
            throw new IrodsException($"The iRODS server sent a malformed {expectedRoot}: {ex.Message}", ex);
        }

        return root.Name.LocalName == expectedRoot
            ? root
            : throw new IrodsException($"The iRODS server sent a {root.Name.LocalName} where a {expectedRoot} was expected.");
    }

    /// <summary>Reads the first <c>RErrMsg_PI</c> message of an <c>RError_PI</c> error body, if any.</summary>
    public static string? ErrorMessage(byte[] error)
    {
        if (error.Length == 0)
        {
            return null;
        }

        try
        {
            return ParseXml(error, "RError_PI").Elements("RErrMsg_PI").Select(e => IrodsXml.Str(e, "msg")).FirstOrDefault(m => !string.IsNullOrWhiteSpace(m));
        }
        catch (IrodsException)
        {
            return null;
        }
    }
}

/// <summary>Packs and reads iRODS structs in the XML protocol (irodsProt 1).</summary>
internal sealed class IrodsXml
{
    private readonly StringBuilder text = new();

    private IrodsXml()
    {
    }

    /// <summary>Starts a struct; fields follow in packing-instruction order.</summary>
    public static IrodsXml Begin(string structName) => new IrodsXml().Open(structName);

    public IrodsXml Open(string structName)
    {
        text.Append('<').Append(structName).Append('>');
        return this;
    }

    public IrodsXml Close(string structName)
    {
        text.Append("</").Append(structName).Append('>');
        return this;
    }

    public IrodsXml Int(string name, long value) =>
        Element(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A string field; a <see langword="null"/> one is omitted, as iRODS omits NULL pointers in XML.</summary>
    public IrodsXml Str(string name, string? value) =>
        value is null ? this : Element(name, Escape(value));

    public IrodsXml Bin(string name, ReadOnlySpan<byte> value) => Element(name, Convert.ToBase64String(value));

    /// <summary>A <c>KeyValPair_PI</c>: the count, then every key, then every value.</summary>
    public IrodsXml KeyValues(IReadOnlyList<KeyValuePair<string, string>>? pairs)
    {
        pairs ??= [];
        Open("KeyValPair_PI").Int("ssLen", pairs.Count);
        foreach (var pair in pairs)
        {
            Str("keyWord", pair.Key);
        }

        foreach (var pair in pairs)
        {
            Str("svalue", pair.Value);
        }

        return Close("KeyValPair_PI");
    }

    public string End(string structName) => Close(structName).text.ToString();

    public static string Escape(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    public static string? Str(XElement parent, string name) => parent.Element(name)?.Value;

    public static int Int(XElement parent, string name) =>
        int.TryParse(parent.Element(name)?.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new IrodsException($"The iRODS server sent a {parent.Name.LocalName} without a whole number in <{name}>.");

    public static long Long(XElement parent, string name) =>
        long.TryParse(parent.Element(name)?.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new IrodsException($"The iRODS server sent a {parent.Name.LocalName} without a whole number in <{name}>.");

    private IrodsXml Element(string name, string escapedValue)
    {
        text.Append('<').Append(name).Append('>').Append(escapedValue).Append("</").Append(name).Append('>');
        return this;
    }
}
