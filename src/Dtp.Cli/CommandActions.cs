using System.CommandLine;

namespace Dtp.Cli;

/// <summary>Wires a command's action so that expected failures become one error line and an exit code.</summary>
internal static class CommandActions
{
    /// <summary>
    /// Sets <paramref name="action"/> as the command's action: <see cref="DtpException"/> becomes exit 3 (remote) or 4 (local),
    /// <see cref="HttpRequestException"/> exit 3, file-system and argument errors exit 4, cancellation exit 130;
    /// anything else is a bug and propagates (exit 1 with its stack trace).
    /// </summary>
    public static void SetGuardedAction(this Command command, GlobalOptions global, Func<CommandContext, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var context = new CommandContext(parse, global, cancellationToken);
            return await RunGuardedAsync(context.Error, () => action(context), cancellationToken).ConfigureAwait(false);
        });

    /// <summary>Runs an action and turns expected failures into an error line on <paramref name="error"/> and an exit code.</summary>
    public static async Task<int> RunGuardedAsync(TextWriter error, Func<Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (DtpException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ex.Kind == DtpErrorKind.Local ? ExitCodes.LocalInput : ExitCodes.Remote;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Remote;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.LocalInput;
        }
    }
}
