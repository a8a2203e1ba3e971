namespace Dtp.Gen3;

/// <summary>The formats of sheepdog's export and of <see cref="Exporter.SaveAsync"/>.</summary>
public enum Gen3ExportFormat
{
    /// <summary>JSON: records as objects, links as <c>[{"node_id", "submitter_id"}]</c>.</summary>
    Json,

    /// <summary>Tab-separated values: a header of property names and link columns such as <c>experiments.submitter_id</c>.</summary>
    Tsv,
}

/// <summary>A dataset (an SDS <c>experiment</c>) of a project, as <see cref="Querier.GetDatasetsAsync"/> lists it.</summary>
/// <param name="Id">The experiment's node id.</param>
/// <param name="SubmitterId">The experiment's <c>submitter_id</c>, the dataset's name.</param>
/// <param name="Title">The title of its <c>dataset_description</c>, if any.</param>
/// <param name="Subjects">How many subjects (<c>case</c> records) link to it.</param>
/// <param name="Samples">How many samples link to its subjects.</param>
/// <param name="ManifestFiles">How many manifest (file) records link to it.</param>
public sealed record Gen3Dataset(string Id, string SubmitterId, string? Title, int Subjects, int Samples, int ManifestFiles);
