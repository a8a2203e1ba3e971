namespace Dtp.Sds;

/// <summary>The kinds of SDS metadata files.</summary>
public enum SdsFileKind
{
    /// <summary><c>dataset_description</c>: one element per row, values from column D.</summary>
    DatasetDescription,

    /// <summary><c>submission</c>: one element per row, value in column C.</summary>
    Submission,

    /// <summary><c>subjects</c>: one subject per row.</summary>
    Subjects,

    /// <summary><c>samples</c>: one sample per row.</summary>
    Samples,

    /// <summary><c>manifest</c> of a folder: one file per row.</summary>
    Manifest,

    /// <summary><c>code_description</c> (2.0+): one element per row, values from column D.</summary>
    CodeDescription,

    /// <summary><c>code_parameters</c> (2.x): one parameter per row.</summary>
    CodeParameters,

    /// <summary><c>performances</c> (2.0+): one performance per row.</summary>
    Performances,

    /// <summary><c>resources</c> (2.0+): one resource per row.</summary>
    Resources,

    /// <summary><c>sites</c> (3.0+): one site per row.</summary>
    Sites,

    /// <summary><c>curation</c> (3.0+): one element per row, values from column B.</summary>
    Curation,
}

/// <summary>Facts about each <see cref="SdsFileKind"/>: file stem, orientation, first value column.</summary>
public static class SdsFileKinds
{
    /// <summary>Gets every kind.</summary>
    public static IReadOnlyList<SdsFileKind> All { get; } = Enum.GetValues<SdsFileKind>();

    /// <summary>Returns the lowercase file stem (<c>dataset_description</c>).</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The stem.</returns>
    public static string Stem(this SdsFileKind kind) => kind switch
    {
        SdsFileKind.DatasetDescription => "dataset_description",
        SdsFileKind.Submission => "submission",
        SdsFileKind.Subjects => "subjects",
        SdsFileKind.Samples => "samples",
        SdsFileKind.Manifest => "manifest",
        SdsFileKind.CodeDescription => "code_description",
        SdsFileKind.CodeParameters => "code_parameters",
        SdsFileKind.Performances => "performances",
        SdsFileKind.Resources => "resources",
        SdsFileKind.Sites => "sites",
        SdsFileKind.Curation => "curation",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Returns whether the file holds one element per row with values across columns.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>Whether it is column-record (dataset_description, submission, code_description, curation).</returns>
    public static bool IsElementFile(this SdsFileKind kind) =>
        kind is SdsFileKind.DatasetDescription or SdsFileKind.Submission or SdsFileKind.CodeDescription or SdsFileKind.Curation;

    /// <summary>Returns the 1-based column of the first value in the templates (D, C for submission, B for curation).</summary>
    /// <param name="kind">An element file kind.</param>
    /// <returns>The column number.</returns>
    public static int ValueColumn(this SdsFileKind kind) => kind switch
    {
        SdsFileKind.Submission => 3,
        SdsFileKind.Curation => 2,
        _ => 4,
    };

    /// <summary>Returns the kind whose stem is <paramref name="stem"/> (any case).</summary>
    /// <param name="stem">A file name without extension.</param>
    /// <param name="kind">The kind, when the stem is one.</param>
    /// <returns>Whether the stem names a metadata file.</returns>
    public static bool TryFromStem(string stem, out SdsFileKind kind)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Stem(), stem, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>Returns the versions whose templates include the kind.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="version">The dataset's version.</param>
    /// <returns>Whether the template of <paramref name="version"/> has this file.</returns>
    public static bool InTemplate(this SdsFileKind kind, SdsVersion version) => kind switch
    {
        SdsFileKind.CodeDescription or SdsFileKind.Performances or SdsFileKind.Resources => version.AtLeast(SdsVersion.V200),
        SdsFileKind.CodeParameters => version.AtLeast(SdsVersion.V200) && !version.AtLeast(SdsVersion.V300),
        SdsFileKind.Sites or SdsFileKind.Curation => version.AtLeast(SdsVersion.V300),
        _ => true,
    };
}
