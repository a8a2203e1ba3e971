using Dtp.Storage;
using Spectre.Console;

namespace Dtp.Cli;

/// <summary>Shows a transfer's progress as a bar on stderr when stderr is a terminal; elsewhere shows nothing.</summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/>, handing it a progress sink that draws a bar, or <see langword="null"/> when not on a terminal.</summary>
    public static async Task<T> RunAsync<T>(CommandContext context, string title, Func<IProgress<TransferProgress>?, Task<T>> work)
    {
        if (!context.IsTerminal)
        {
            return await work(null).ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async display =>
            {
                var task = display.AddTask(Markup.Escape(title));
                return await work(new Sink(task, title)).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <summary>Updates the bar synchronously (no captured context), from whatever thread reports.</summary>
    private sealed class Sink(ProgressTask task, string title) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            task.Description = Markup.Escape($"{title}: {value.FilesDone}/{value.FilesTotal} files, {value.BytesDone / (1024.0 * 1024):F1} MB");
            if (value.BytesTotal is { } total)
            {
                task.MaxValue = Math.Max(total, 1);
                task.Value = value.BytesDone;
            }
            else
            {
                task.MaxValue = Math.Max(value.FilesTotal, 1);
                task.Value = value.FilesDone;
            }
        }
    }
}
