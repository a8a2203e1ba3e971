using System.Reflection;

namespace Dtp.Conversion;

/// <summary>One row of a mapping table: an SDS element name of a category and the Gen3 property it becomes (empty = dropped).</summary>
/// <param name="Category">The SDS category: <c>dataset_description</c>, <c>subjects</c> or <c>manifest</c>.</param>
/// <param name="Element">The SDS element or column name exactly as the original's workbook has it.</param>
/// <param name="Property">The Gen3 property of the 2.0.0-shaped dictionary, or empty when the element is dropped.</param>
public sealed record ElementMappingRow(string Category, string Element, string Property);

/// <summary>
/// The original's element mapping workbooks as shipped data (<c>Conversion/Mappings/*.tsv</c>, built from the facts of its
/// <c>element_mapping.xlsx</c> files; the target is always the <c>gen3_element_2.0.0</c> column).
/// </summary>
public sealed class ElementMapping
{
    private ElementMapping(string name, IReadOnlyList<ElementMappingRow> rows)
    {
        Name = name;
        Rows = rows;
    }

    /// <summary>Gets the table for SDS 1.2.3 sources.</summary>
    public static ElementMapping V123 { get; } = Load("1.2.3");

    /// <summary>Gets the dtp-era table for SDS 2.0.0 sources (dataset_description elements indented by four spaces).</summary>
    public static ElementMapping V200 { get; } = Load("2.0.0");

    /// <summary>Gets the fixed table for SDS 2.0.0 sources of 2023-09-07 (adds the un-indented element names).</summary>
    public static ElementMapping V200Fixed202309 { get; } = Load("2.0.0-2023-09");

    /// <summary>
    /// Gets dtp's own additions for default mode: the <c>samples</c> columns of SDS 2.0.0 (as the later upstream workbook
    /// maps them) and their older names (<c>specimen type</c>, <c>experimental group</c>, ...).
    /// </summary>
    public static ElementMapping DefaultAdditions { get; } = Load("default");

    /// <summary>Gets the table's name (the resource it was loaded from).</summary>
    public string Name { get; }

    /// <summary>Gets the rows in workbook order.</summary>
    public IReadOnlyList<ElementMappingRow> Rows { get; }

    /// <summary>Returns the rows of one category in workbook order.</summary>
    /// <param name="category">The SDS category.</param>
    public IEnumerable<ElementMappingRow> For(string category) => Rows.Where(r => r.Category == category);

    private static ElementMapping Load(string name)
    {
        var resource = $"Dtp.Conversion.Mappings.{name}.tsv";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The assembly lacks the mapping resource {resource}.");
        using var reader = new StreamReader(stream);
        var rows = new List<ElementMappingRow>();
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split('\t');
            rows.Add(new ElementMappingRow(parts[0], parts[1], parts[2]));
        }

        return new ElementMapping(name, rows);
    }
}
