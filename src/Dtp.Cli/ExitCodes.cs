namespace Dtp.Cli;

/// <summary>The exit codes of <c>dtp</c>, documented in README.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>Something unexpected happened: a bug in dtp (the only case that shows a stack trace).</summary>
    public const int Unexpected = 1;

    /// <summary>The command line was wrong: unknown command or option, missing or invalid argument.</summary>
    public const int Usage = 2;

    /// <summary>A remote service failed or refused: unreachable, authentication, not found, rejected.</summary>
    public const int Remote = 3;

    /// <summary>Bad local input: files, configuration, values.</summary>
    public const int LocalInput = 4;

    /// <summary>The user cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
