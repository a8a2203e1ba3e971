namespace Dtp.Sds;

/// <summary>Which requirements apply to a dataset.</summary>
public enum SdsProfile
{
    /// <summary>Chosen from dataset_description's <c>Type</c>: computational datasets get <see cref="Computational"/>.</summary>
    Auto,

    /// <summary>Experimental data: subjects, samples and their counts are required.</summary>
    Experimental,

    /// <summary>Models and simulations: no subjects, samples, species or counts required (sparc-curation issue 61).</summary>
    Computational,
}

/// <summary>Options of <see cref="SdsValidator"/>.</summary>
public sealed class SdsValidationOptions
{
    /// <summary>Gets or sets the requirement profile. The default value is <see cref="SdsProfile.Auto"/>.</summary>
    public SdsProfile Profile { get; set; } = SdsProfile.Auto;
}
