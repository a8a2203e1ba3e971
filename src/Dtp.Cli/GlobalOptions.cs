using System.CommandLine;

namespace Dtp.Cli;

/// <summary>Options that every <c>dtp</c> command accepts; one instance per root command.</summary>
internal sealed class GlobalOptions
{
    /// <summary>Gets the home folder for <c>~/.gen3</c> and the token cache; <see langword="null"/> for the user's own (tests set a temporary one).</summary>
    public string? HomeDirectory { get; init; }

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write the result as JSON on stdout.",
        Recursive = true,
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Write debug logs on stderr.",
        Recursive = true,
    };

    public Option<FileInfo> Credentials { get; } = new("--credentials")
    {
        Description = "A Gen3 credentials file (API key); default: gen3_cred_file of --gen3-config, GEN3_API_KEY, ~/.gen3/credentials.json.",
        Recursive = true,
    };

    public Option<string> Endpoint { get; } = new("--endpoint")
    {
        Description = "The Gen3 commons' root URL; default: gen3_endpoint of --gen3-config, else the API key's issuer.",
        Recursive = true,
    };

    public Option<FileInfo> Gen3Config { get; } = new("--gen3-config")
    {
        Description = "The original tool's gen3.json (gen3_endpoint, gen3_cred_file, gen3_ca_file).",
        Recursive = true,
    };

    public Option<FileInfo> CaFile { get; } = new("--ca-file")
    {
        Description = "A PEM file of a private certificate authority the commons' TLS certificate chains to.",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        foreach (var option in new Option[] { Json, Verbose, Credentials, Endpoint, Gen3Config, CaFile })
        {
            root.Options.Add(option);
        }
    }
}
