namespace Dtp.Conversion;

/// <summary>
/// A version of the original Python converter that compatibility mode reproduces, defects included
/// (see <c>convertor_golden/README.md</c> of the reference pack).
/// </summary>
public enum CompatVariant
{
    /// <summary><c>e5f555c</c>: the <c>Gen3Convertor</c> whose API dtp re-implements; dtp-era mappings.</summary>
    E5f555c,

    /// <summary><c>95c5155</c>: <c>MetadataConvertor</c>; as e5f555c but removes every <c>./</c> from manifest submitter ids.</summary>
    V95c5155,

    /// <summary><c>95c5155-mapping-2023-09</c>: 95c5155 with the fixed 2.0.0 mapping of 2023-09-07 (what digitaltwins 0.3.12 produced).</summary>
    V95c5155Mapping202309,
}

/// <summary>Names of <see cref="CompatVariant"/> as the CLI and the golden README spell them.</summary>
public static class CompatVariants
{
    /// <summary>Gets every variant name.</summary>
    public static IReadOnlyList<string> Names { get; } = ["e5f555c", "95c5155", "95c5155-mapping-2023-09"];

    /// <summary>Parses a variant name.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <returns>The variant.</returns>
    /// <exception cref="DtpException">The name is unknown (kind Local).</exception>
    public static CompatVariant Parse(string name) => name switch
    {
        "e5f555c" => CompatVariant.E5f555c,
        "95c5155" => CompatVariant.V95c5155,
        "95c5155-mapping-2023-09" => CompatVariant.V95c5155Mapping202309,
        _ => throw new DtpException($"Unknown compatibility variant '{name}'; use one of: {string.Join(", ", Names)}.", DtpErrorKind.Local),
    };
}
