namespace Dtp.Download;

/// <summary>Options of one dataset download.</summary>
public sealed class DownloadOptions
{
    /// <summary>Gets or sets the Gen3 program to look for the dataset in; any program the user can read when null. The default value is null.</summary>
    public string? Program { get; set; }

    /// <summary>Gets or sets the Gen3 project (code) to look for the dataset in; any project when null. The default value is null.</summary>
    public string? Project { get; set; }

    /// <summary>Gets or sets how many files are transferred at once. The default value is 4.</summary>
    public int MaxParallelTransfers { get; set; } = 4;

    /// <summary>Gets or sets whether every file is fetched again, even one already downloaded and verified. The default value is false.</summary>
    public bool Overwrite { get; set; }

    /// <summary>Gets or sets how many attempts one file gets when the connection fails (each resumes where the last stopped). The default value is 3.</summary>
    public int TransferAttempts { get; set; } = 3;

    /// <summary>Gets or sets how many records one GraphQL page asks for. The default value is 500.</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>Gets or sets the clock for transfer rates. The default value is <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
