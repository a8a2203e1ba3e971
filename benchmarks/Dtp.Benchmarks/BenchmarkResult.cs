namespace Dtp.Benchmarks;

/// <summary>
/// One figure of a scenario: what dtp measured (value and unit), optionally the same operation by a baseline tool, a target,
/// and the peak memory of that operation when the scenario measured it on its own. Time and memory units ("s", "MB") are
/// and counts of errors and lost records are better when lower, every other unit (rates) when higher; the ratio is always "how many times better than the baseline".
/// </summary>
internal sealed record BenchmarkResult(string Operation, double Value, string Unit)
{
    /// <summary>Gets the name of the tool or run compared with (curl, python-irodsclient, sheepdog, ...), if any.</summary>
    public string? Baseline { get; init; }

    /// <summary>Gets the baseline's figure in <see cref="Unit"/>; null when only the name is known (e.g. the tool was missing).</summary>
    public double? BaselineValue { get; init; }

    /// <summary>Gets the budget or target in <see cref="Unit"/> (an upper bound for times and memory, a lower bound for rates).</summary>
    public double? Target { get; init; }

    /// <summary>Gets the peak working set of this operation alone in MB, when the scenario measured it (otherwise the scenario's peak applies).</summary>
    public long? PeakMemoryMb { get; init; }

    /// <summary>Gets a value indicating whether a lower value is better (times and memory).</summary>
    public bool LowerIsBetter => Unit is "s" or "ms" or "MB" or "errors" or "lost records";

    /// <summary>Gets how many times better than the baseline dtp was (above 1 = dtp better), or null without a baseline figure.</summary>
    public double? Ratio => BaselineValue is > 0 and var baseline && Value > 0 ? (LowerIsBetter ? baseline / Value : Value / baseline) : null;

    /// <summary>Gets whether the target was met, or null without a target.</summary>
    public bool? TargetMet => Target is { } target ? (LowerIsBetter ? Value <= target : Value >= target) : null;

    /// <summary>Formats a figure with a precision that suits its size, followed by its unit.</summary>
    public static string Format(double value, string unit) => Math.Abs(value) switch
    {
        _ when value == Math.Floor(value) && unit is not ("s" or "ms") => FormattableString.Invariant($"{value:#,0} {unit}"),
        < 10 => FormattableString.Invariant($"{value:0.00} {unit}"),
        < 100 => FormattableString.Invariant($"{value:0.0} {unit}"),
        _ => FormattableString.Invariant($"{value:#,0} {unit}"),
    };

    /// <summary>Gets the target as text ("<= 3.00 s met"), or an empty string without one.</summary>
    public string TargetText => Target is { } target ? $"{(LowerIsBetter ? "<=" : ">=")} {Format(target, Unit)} {(TargetMet == true ? "met" : "MISSED")}" : "";
}
