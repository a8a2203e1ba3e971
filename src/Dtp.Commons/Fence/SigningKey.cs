using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dtp.Commons.Fence;

/// <summary>The commons' RSA key: signs fence JWTs (RS256) and verifies them. Kept as a PEM file in the data folder.</summary>
internal sealed class SigningKey : IDisposable
{
    private readonly RSA rsa;

    private SigningKey(RSA rsa)
    {
        this.rsa = rsa;
        var der = rsa.ExportSubjectPublicKeyInfo();
        KeyId = "dtp-" + Convert.ToHexStringLower(SHA256.HashData(der))[..16];
        PublicPem = rsa.ExportSubjectPublicKeyInfoPem();
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        Modulus = Base64Url(parameters.Modulus!);
        Exponent = Base64Url(parameters.Exponent!);
    }

    public string KeyId { get; }

    public string PublicPem { get; }

    public string Modulus { get; }

    public string Exponent { get; }

    /// <summary>Loads the key from <paramref name="path"/>, creating it (2048-bit RSA, owner-only file) on first use.</summary>
    public static SigningKey LoadOrCreate(string path)
    {
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            rsa.ImportFromPem(File.ReadAllText(path));
            return new SigningKey(rsa);
        }

        rsa.KeySize = 2048;
        var pem = rsa.ExportPkcs8PrivateKeyPem();
        var temp = path + ".tmp";
        File.WriteAllText(temp, pem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, path, overwrite: false);
        return new SigningKey(rsa);
    }

    public string Sign(JsonObject claims)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = KeyId, ["typ"] = "JWT" };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>Returns the claims of a JWT this key signed, or an error text (fence/authutils wording) when it is not one.</summary>
    public JsonObject? Verify(string token, out string error)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            error = parts.Length < 3 ? "Not enough segments" : "Too many segments";
            return null;
        }

        try
        {
            var header = JsonNode.Parse(FromBase64Url(parts[0])) as JsonObject;
            if ((string?)header?["alg"] != "RS256")
            {
                error = "The specified alg value is not allowed";
                return null;
            }

            var signature = FromBase64Url(parts[2]);
            if (!rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                error = "Signature verification failed";
                return null;
            }

            if (JsonNode.Parse(FromBase64Url(parts[1])) is not JsonObject claims)
            {
                error = "Invalid payload";
                return null;
            }

            error = "";
            return claims;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            error = "Invalid token encoding";
            return null;
        }
    }

    public void Dispose() => rsa.Dispose();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - (s.Length % 4)) % 4));
    }
}
