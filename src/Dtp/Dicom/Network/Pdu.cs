using System.Buffers.Binary;
using System.Text;

namespace Dtp.Dicom.Network;

/// <summary>PDU types of the DICOM upper layer (PS3.8 9.3).</summary>
internal enum PduType : byte
{
    AssociateRequest = 1,
    AssociateAccept = 2,
    AssociateReject = 3,
    Data = 4,
    ReleaseRequest = 5,
    ReleaseResponse = 6,
    Abort = 7,
}

/// <summary>One received PDU: its type and body (after the 6-byte header).</summary>
internal readonly record struct Pdu(PduType Type, byte[] Body);

/// <summary>The content of an A-ASSOCIATE-RQ or -AC PDU.</summary>
internal sealed class AssociateData
{
    public required string CalledAeTitle { get; init; }

    public required string CallingAeTitle { get; init; }

    public List<DicomPresentationContext> Contexts { get; } = [];

    public uint MaxPduLength { get; set; }

    public string ImplementationClassUid { get; set; } = DicomUid.ImplementationClassUid;

    public string? ImplementationVersionName { get; set; } = DicomUid.ImplementationVersionName;

    /// <summary>Role selection items: SOP class → (SCU role, SCP role).</summary>
    public Dictionary<string, (bool Scu, bool Scp)> Roles { get; } = [];

    public byte[] Encode(bool accept)
    {
        var body = new List<byte>(512);
        body.AddRange([0, 1, 0, 0]);
        body.AddRange(AeTitleBytes(CalledAeTitle));
        body.AddRange(AeTitleBytes(CallingAeTitle));
        body.AddRange(new byte[32]);
        AddItem(body, 0x10, Encoding.ASCII.GetBytes(DicomNetworkUids.ApplicationContext));
        foreach (var context in Contexts)
        {
            var item = new List<byte> { context.Id, 0, accept ? context.Result : (byte)0, 0 };
            if (accept)
            {
                AddItem(item, 0x40, Encoding.ASCII.GetBytes(context.AcceptedTransferSyntax ?? DicomUid.ImplicitVRLittleEndian));
            }
            else
            {
                AddItem(item, 0x30, Encoding.ASCII.GetBytes(context.AbstractSyntax));
                foreach (var syntax in context.TransferSyntaxes)
                {
                    AddItem(item, 0x40, Encoding.ASCII.GetBytes(syntax));
                }
            }

            AddItem(body, accept ? (byte)0x21 : (byte)0x20, [.. item]);
        }

        var user = new List<byte>();
        var max = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(max, MaxPduLength);
        AddItem(user, 0x51, max);
        AddItem(user, 0x52, Encoding.ASCII.GetBytes(ImplementationClassUid));
        foreach (var (sopClass, (scu, scp)) in Roles)
        {
            var uid = Encoding.ASCII.GetBytes(sopClass);
            var role = new byte[2 + uid.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(role, (ushort)uid.Length);
            uid.CopyTo(role, 2);
            role[^2] = scu ? (byte)1 : (byte)0;
            role[^1] = scp ? (byte)1 : (byte)0;
            AddItem(user, 0x54, role);
        }

        if (ImplementationVersionName is { } version)
        {
            AddItem(user, 0x55, Encoding.ASCII.GetBytes(version));
        }

        AddItem(body, 0x50, [.. user]);
        return [.. body];
    }

    public static AssociateData Decode(byte[] body, bool accept)
    {
        if (body.Length < 68)
        {
            throw new InvalidDataException($"A-ASSOCIATE PDU of {body.Length} bytes is too short.");
        }

        var data = new AssociateData
        {
            CalledAeTitle = Encoding.ASCII.GetString(body, 4, 16).Trim(' ', '\0'),
            CallingAeTitle = Encoding.ASCII.GetString(body, 20, 16).Trim(' ', '\0'),
            ImplementationVersionName = null,
        };
        foreach (var (type, value) in Items(body.AsMemory(68)))
        {
            switch (type)
            {
                case 0x20 or 0x21 when value.Length >= 4:
                    var span = value.Span;
                    string? abstractSyntax = null;
                    var syntaxes = new List<string>();
                    foreach (var (subType, subValue) in Items(value[4..]))
                    {
                        var text = Encoding.ASCII.GetString(subValue.Span).TrimEnd('\0', ' ');
                        if (subType == 0x30)
                        {
                            abstractSyntax = text;
                        }
                        else if (subType == 0x40)
                        {
                            syntaxes.Add(text);
                        }
                    }

                    data.Contexts.Add(new DicomPresentationContext(span[0], abstractSyntax ?? string.Empty, syntaxes)
                    {
                        Result = accept ? span[2] : (byte)0,
                        AcceptedTransferSyntax = accept && span[2] == 0 ? syntaxes.FirstOrDefault() : null,
                    });
                    break;
                case 0x50:
                    foreach (var (subType, subValue) in Items(value))
                    {
                        var sub = subValue.Span;
                        switch (subType)
                        {
                            case 0x51 when sub.Length >= 4:
                                data.MaxPduLength = BinaryPrimitives.ReadUInt32BigEndian(sub);
                                break;
                            case 0x52:
                                data.ImplementationClassUid = Encoding.ASCII.GetString(sub).TrimEnd('\0', ' ');
                                break;
                            case 0x55:
                                data.ImplementationVersionName = Encoding.ASCII.GetString(sub).TrimEnd('\0', ' ');
                                break;
                            case 0x54 when sub.Length >= 4:
                                var length = BinaryPrimitives.ReadUInt16BigEndian(sub);
                                if (sub.Length >= 2 + length + 2)
                                {
                                    data.Roles[Encoding.ASCII.GetString(sub.Slice(2, length)).TrimEnd('\0', ' ')] = (sub[2 + length] == 1, sub[3 + length] == 1);
                                }

                                break;
                        }
                    }

                    break;
            }
        }

        return data;
    }

    private static byte[] AeTitleBytes(string aeTitle)
    {
        var bytes = Enumerable.Repeat((byte)' ', 16).ToArray();
        Encoding.ASCII.GetBytes(aeTitle.AsSpan(0, Math.Min(16, aeTitle.Length)), bytes);
        return bytes;
    }

    private static void AddItem(List<byte> target, byte type, byte[] value)
    {
        target.Add(type);
        target.Add(0);
        target.Add((byte)(value.Length >> 8));
        target.Add((byte)value.Length);
        target.AddRange(value);
    }

    private static IEnumerable<(byte Type, ReadOnlyMemory<byte> Value)> Items(ReadOnlyMemory<byte> data)
    {
        var offset = 0;
        while (offset + 4 <= data.Length)
        {
            var type = data.Span[offset];
            var length = BinaryPrimitives.ReadUInt16BigEndian(data.Span[(offset + 2)..]);
            if (offset + 4 + length > data.Length)
            {
                throw new InvalidDataException($"An A-ASSOCIATE item of type 0x{type:X2} runs past the end of its PDU.");
            }

            yield return (type, data.Slice(offset + 4, length));
            offset += 4 + length;
        }
    }
}
