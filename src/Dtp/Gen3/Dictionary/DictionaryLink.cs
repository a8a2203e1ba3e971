namespace Dtp.Gen3.Dictionary;

/// <summary>A link from a node to its parent node type, as declared in the node's <c>links</c>.</summary>
/// <param name="Name">The link (and record property) name, e.g. <c>experiments</c>.</param>
/// <param name="Backref">The name of the reverse link on the target, e.g. <c>cases</c>.</param>
/// <param name="Label">The edge label, e.g. <c>member_of</c>.</param>
/// <param name="TargetType">The parent node type.</param>
/// <param name="Multiplicity"><c>one_to_one</c>, <c>one_to_many</c>, <c>many_to_one</c> or <c>many_to_many</c>.</param>
/// <param name="Required">Whether a record must have this link (inside an exclusive subgroup: whether the group is required).</param>
/// <param name="Group">The index of the link's (outermost) subgroup among the node's links, or -1 for a link of its own.</param>
/// <param name="ExclusiveGroup">A number naming the innermost <c>exclusive: true</c> subgroup holding the link (at most one of its links may be given), or -1.</param>
public sealed record DictionaryLink(string Name, string Backref, string Label, string TargetType, string Multiplicity, bool Required, int Group = -1, int ExclusiveGroup = -1)
{
    /// <summary>Gets whether one record may link to at most one parent through this link (<c>one_to_one</c> or <c>many_to_one</c>).</summary>
    public bool IsToOne => Multiplicity is "one_to_one" or "many_to_one";

    /// <summary>Gets whether one parent may have at most one child through this link (<c>one_to_one</c> or <c>one_to_many</c>).</summary>
    public bool IsFromOne => Multiplicity is "one_to_one" or "one_to_many";
}
