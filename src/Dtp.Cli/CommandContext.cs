using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dtp.Gen3;
using Microsoft.Extensions.Logging;

namespace Dtp.Cli;

/// <summary>What a command's action works with: its parse result, its writers, its logger factory and its cancellation token.</summary>
internal sealed class CommandContext : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly GlobalOptions global;

    public CommandContext(ParseResult parse, GlobalOptions global, CancellationToken cancellationToken)
    {
        this.global = global;
        Parse = parse;
        Output = parse.InvocationConfiguration.Output;
        Error = parse.InvocationConfiguration.Error;
        Json = parse.GetValue(global.Json);
        CancellationToken = cancellationToken;
        var level = parse.GetValue(global.Verbose) ? LogLevel.Debug : LogLevel.Warning;
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(builder =>
            builder.SetMinimumLevel(level).AddProvider(new TextWriterLoggerProvider(Error)));
    }

    public ParseResult Parse { get; }

    /// <summary>Gets where the result goes (stdout).</summary>
    public TextWriter Output { get; }

    /// <summary>Gets where logs, progress and error lines go (stderr).</summary>
    public TextWriter Error { get; }

    /// <summary>Gets whether errors and progress go to an interactive terminal (then progress bars are drawn).</summary>
    public bool IsTerminal => ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>Gets whether the result is wanted as JSON.</summary>
    public bool Json { get; }

    public CancellationToken CancellationToken { get; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Writes the command's result: <paramref name="json"/> with <c>--json</c>, else <paramref name="text"/>.</summary>
    public async Task WriteResultAsync(JsonNode? json, string text)
    {
        var result = Json ? (json?.ToJsonString(Indented) ?? "null") : text;
        await Output.WriteLineAsync(result.AsMemory(), CancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the Gen3 authentication from the global options and the original's <c>gen3.json</c>: <c>--credentials</c>,
    /// <c>--endpoint</c> and <c>--ca-file</c> win over the file's keys; without either, gen3sdk's defaults apply.
    /// </summary>
    public Auth CreateAuth()
    {
        var config = Parse.GetValue(global.Gen3Config) is { } file ? Config.Gen3Config.Load(file.FullName) : null;
        foreach (var warning in config?.Warnings ?? [])
        {
            Error.WriteLine($"warning: {warning}");
        }

        var options = new Gen3AuthOptions
        {
            HomeDirectory = global.HomeDirectory ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            LoggerFactory = LoggerFactory,
            CertificateAuthorityFile = Parse.GetValue(global.CaFile)?.FullName ?? config?.CertificateAuthorityFile,
        };
        var endpoint = Parse.GetValue(global.Endpoint) ?? config?.Endpoint?.ToString();
        var credentials = Parse.GetValue(global.Credentials)?.FullName ?? config?.CredentialsFile;
        return new Auth(endpoint, credentials, options: options);
    }

    public void Dispose() => LoggerFactory.Dispose();
}
