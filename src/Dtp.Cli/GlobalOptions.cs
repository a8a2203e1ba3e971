using System.CommandLine;

namespace Dtp.Cli;

/// <summary>Options that every <c>dtp</c> command accepts; one instance per root command.</summary>
internal sealed class GlobalOptions
{
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

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Json);
        root.Options.Add(Verbose);
    }
}
