using System.CommandLine;
using Dtp.Cli.Commands;

namespace Dtp.Cli;

/// <summary>The <c>dtp</c> command line: parsing, global options and exit codes.</summary>
public static class DtpCli
{
    /// <summary>Parses and runs a command line.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="io">Where the result and errors are written; the console when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the command (Ctrl+C does too when <paramref name="io"/> is the console).</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static Task<int> RunAsync(string[] args, InvocationConfiguration? io = null, CancellationToken cancellationToken = default) =>
        RunAsync(new GlobalOptions(), args, io, cancellationToken);

    /// <summary>Parses and runs a command line with the given global options (tests set a temporary home folder).</summary>
    internal static async Task<int> RunAsync(GlobalOptions global, string[] args, InvocationConfiguration? io = null, CancellationToken cancellationToken = default)
    {
        var parse = BuildRootCommand(global).Parse(args);
        var exitCode = await parse.InvokeAsync(io, cancellationToken).ConfigureAwait(false);
        return parse.Errors.Count > 0 ? ExitCodes.Usage : exitCode;
    }

    /// <summary>Builds the root command with every sub-command and the global options.</summary>
    /// <returns>The root command.</returns>
    public static RootCommand BuildRootCommand() => BuildRootCommand(new GlobalOptions());

    /// <summary>Builds the root command around the given global options.</summary>
    internal static RootCommand BuildRootCommand(GlobalOptions global)
    {
        var root = new RootCommand("dtp: move digital-twin datasets between SPARC Dataset Structure folders, a Gen3 commons, PACS and iRODS.");
        global.AddTo(root);
        root.Subcommands.Add(AuthCommands.Create(global));
        root.Subcommands.Add(AuthCommands.CreateCurl(global));
        root.Subcommands.Add(PacsCommands.Create(global));
        root.Subcommands.Add(SdsCommands.Create(global));
        root.Subcommands.Add(ServeCommands.Create(global));
        root.Subcommands.Add(IrodsCommands.Create(global));
        root.Subcommands.Add(ConvertCommands.Create(global));
        root.Subcommands.Add(UploadCommands.CreateUpload(global));
        root.Subcommands.Add(UploadCommands.CreateDelete(global));
        root.Subcommands.Add(DownloadCommands.Create(global));
        root.Subcommands.Add(DemoCommands.Create(global));
        foreach (var command in Gen3Commands.Create(global))
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
