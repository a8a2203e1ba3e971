using System.Text;

namespace Dtp.Sds;

/// <summary>Normalises header texts and element names to keys, as sparcur does.</summary>
public static class SdsNames
{
    // Older or alternative names mapped to the key of the newest template.
    private static readonly Dictionary<string, string> Renames = new(StringComparer.Ordinal)
    {
        ["metadata_version_do_not_change"] = "metadata_version",
        ["name"] = "title",
        ["contributors"] = "contributor_name",
        ["contributor_orcid_id"] = "contributor_orcid",
        ["acknowledgements"] = "acknowledgments",
        ["sparc_award_number"] = "award_number",
        ["wasderivedfromsample"] = "was_derived_from",
        ["protocol_io_location"] = "protocol_url_or_doi",
        ["experimental_log_file_name"] = "experimental_log_file_path",
        ["age_range_minimum"] = "age_range_min",
        ["age_range_maximum"] = "age_range_max",
    };

    /// <summary>
    /// Returns the key of a header or element name: trimmed, lowercase, every run of other characters than letters and digits
    /// turned into one <c>_</c>, old names mapped to new ones (<c>    Contributor ORCiD</c> and <c>Contributor ORCID ID</c>
    /// both give <c>contributor_orcid</c>).
    /// </summary>
    /// <param name="text">The header or element name.</param>
    /// <returns>The key; empty when the text has no letter or digit.</returns>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var key = new StringBuilder(text.Length);
        var pendingSeparator = false;
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c) || (char.IsLetterOrDigit(c) && c > 127))
            {
                if (pendingSeparator && key.Length > 0)
                {
                    key.Append('_');
                }

                key.Append(char.ToLowerInvariant(c));
                pendingSeparator = false;
            }
            else
            {
                pendingSeparator = true;
            }
        }

        var result = key.ToString();
        return Renames.GetValueOrDefault(result, result);
    }
}
