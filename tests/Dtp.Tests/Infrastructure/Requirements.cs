using Dtp.Testing;

namespace Dtp.Tests.Infrastructure;

/// <summary>
/// What a test needs from the machine. Outside CI a missing server, tool or reference file skips the test with a message
/// naming the Debian package; with <c>CI=true</c> it fails the test instead (a green CI must mean the test ran).
/// </summary>
public static class Requirements
{
    /// <summary>Gets whether the tests run under CI (<c>CI=true</c>).</summary>
    public static bool InCi { get; } = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (or, in CI, fails) the test unless the executable exists.</summary>
    public static void Executable(string path, string debianPackage) =>
        Run(() => TestServerUnavailableException.ThrowIfMissing(path, debianPackage));

    /// <summary>Returns a path inside <c>../shared/reference/</c>, skipping (or, in CI, failing) the test when the pack is absent.</summary>
    public static string Reference(string relativePath) => Run(() => ReferenceData.PathOf(relativePath));

    /// <summary>Runs a start-up step (a server, a tool); its <see cref="TestServerUnavailableException"/> skips or fails the test.</summary>
    public static T Run<T>(Func<T> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        try
        {
            return start();
        }
        catch (TestServerUnavailableException ex)
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>Runs a start-up step that returns nothing.</summary>
    public static void Run(Action start)
    {
        ArgumentNullException.ThrowIfNull(start);
        Run(() =>
        {
            start();
            return 0;
        });
    }

    /// <summary>Awaits an asynchronous start-up step; its <see cref="TestServerUnavailableException"/> skips or fails the test.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        try
        {
            return await start();
        }
        catch (TestServerUnavailableException ex)
        {
            throw Unavailable(ex);
        }
    }

    private static TestServerUnavailableException Unavailable(TestServerUnavailableException ex)
    {
        if (InCi)
        {
            Assert.Fail($"CI=true and a required server or tool is unavailable: {ex.Message}");
        }

        Assert.Skip(ex.Message);
        return ex; // not reached: Assert.Skip throws
    }
}
