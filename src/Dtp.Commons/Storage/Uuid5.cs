using System.Security.Cryptography;
using System.Text;

namespace Dtp.Commons.Storage;

/// <summary>RFC 4122 name-based (SHA-1) UUIDs, which Gen3 uses for program and project node ids.</summary>
internal static class Uuid5
{
    /// <summary>sheepdog's namespace for program ids (uuid5 of the program name).</summary>
    public static readonly Guid ProgramNamespace = new("85b08c6a-56a6-4474-9c30-b65abfd214a8");

    /// <summary>sheepdog's namespace for project ids (uuid5 of the project code).</summary>
    public static readonly Guid ProjectNamespace = new("249b4405-2c69-45d9-96bc-7410333d5d80");

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "RFC 4122 version 5 is defined on SHA-1; an identifier, not a security use.")]
    public static string Create(Guid ns, string name)
    {
        var nsBytes = ns.ToByteArray(bigEndian: true);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var hash = SHA1.HashData([.. nsBytes, .. nameBytes]);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}
