using System.Globalization;

namespace Dtp.Sds;

/// <summary>A SPARC Dataset Structure template version, such as 1.2.3, 2.1.0 or 3.0.2.</summary>
/// <param name="Major">The major version.</param>
/// <param name="Minor">The minor version.</param>
/// <param name="Patch">The patch version.</param>
public readonly record struct SdsVersion(int Major, int Minor, int Patch) : IComparable<SdsVersion>
{
    /// <summary>SDS 1.2.3 (2019).</summary>
    public static readonly SdsVersion V123 = new(1, 2, 3);

    /// <summary>SDS 2.0.0 (2021).</summary>
    public static readonly SdsVersion V200 = new(2, 0, 0);

    /// <summary>SDS 2.1.0 (2023).</summary>
    public static readonly SdsVersion V210 = new(2, 1, 0);

    /// <summary>SDS 3.0.0 (2024).</summary>
    public static readonly SdsVersion V300 = new(3, 0, 0);

    /// <summary>SDS 3.0.1 (2024).</summary>
    public static readonly SdsVersion V301 = new(3, 0, 1);

    /// <summary>SDS 3.0.2 (2025), the newest tagged template.</summary>
    public static readonly SdsVersion V302 = new(3, 0, 2);

    /// <summary>Gets the versions whose templates ship with dtp, oldest first.</summary>
    public static IReadOnlyList<SdsVersion> Known { get; } = [V123, V200, V210, V300, V301, V302];

    /// <summary>Gets the template version whose layout and rules apply to this version (the newest known one not above it).</summary>
    public SdsVersion Template
    {
        get
        {
            var self = this;
            return Known.LastOrDefault(k => k.CompareTo(self) <= 0, V123);
        }
    }

    /// <summary>Parses <c>1.2.3</c>, <c>2.0</c>, <c>3</c> or <c>v3.0.2</c>.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="version">The version when the text is one.</param>
    /// <returns>Whether the text is a version.</returns>
    public static bool TryParse(string? text, out SdsVersion version)
    {
        version = default;
        var trimmed = text?.Trim().TrimStart('v', 'V');
        if (string.IsNullOrEmpty(trimmed))
        {
            return false;
        }

        var parts = trimmed.Split('.');
        if (parts.Length > 3)
        {
            return false;
        }

        var numbers = new int[3];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        version = new SdsVersion(numbers[0], numbers[1], numbers[2]);
        return true;
    }

    /// <summary>Parses a version, throwing when the text is not one.</summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>The version.</returns>
    /// <exception cref="ArgumentException">The text is not a version.</exception>
    public static SdsVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new ArgumentException($"'{text}' is not an SDS version (expected e.g. 2.1.0 or 3.0.2).", nameof(text));

    /// <inheritdoc />
    public int CompareTo(SdsVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor != other.Minor ? Minor.CompareTo(other.Minor) : Patch.CompareTo(other.Patch);

    /// <summary>Compares two versions.</summary>
    /// <param name="left">The first version.</param>
    /// <param name="right">The second version.</param>
    /// <returns>Whether <paramref name="left"/> is older.</returns>
    public static bool operator <(SdsVersion left, SdsVersion right) => left.CompareTo(right) < 0;

    /// <summary>Compares two versions.</summary>
    /// <param name="left">The first version.</param>
    /// <param name="right">The second version.</param>
    /// <returns>Whether <paramref name="left"/> is older or the same.</returns>
    public static bool operator <=(SdsVersion left, SdsVersion right) => left.CompareTo(right) <= 0;

    /// <summary>Compares two versions.</summary>
    /// <param name="left">The first version.</param>
    /// <param name="right">The second version.</param>
    /// <returns>Whether <paramref name="left"/> is newer.</returns>
    public static bool operator >(SdsVersion left, SdsVersion right) => left.CompareTo(right) > 0;

    /// <summary>Compares two versions.</summary>
    /// <param name="left">The first version.</param>
    /// <param name="right">The second version.</param>
    /// <returns>Whether <paramref name="left"/> is newer or the same.</returns>
    public static bool operator >=(SdsVersion left, SdsVersion right) => left.CompareTo(right) >= 0;

    /// <summary>Gets whether this version is at least <paramref name="other"/>.</summary>
    /// <param name="other">The version to compare with.</param>
    /// <returns>Whether this version is the same or newer.</returns>
    public bool AtLeast(SdsVersion other) => CompareTo(other) >= 0;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");
}
