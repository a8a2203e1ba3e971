namespace Dtp.Testing;

/// <summary>A server or tool a test needs is not installed or would not start; the message names the Debian package.</summary>
public sealed class TestServerUnavailableException : Exception
{
    public TestServerUnavailableException()
    {
    }

    public TestServerUnavailableException(string message)
        : base(message)
    {
    }

    public TestServerUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Throws unless <paramref name="path"/> exists, naming the Debian package that installs it.</summary>
    public static void ThrowIfMissing(string path, string debianPackage)
    {
        if (!File.Exists(path))
        {
            throw new TestServerUnavailableException($"{path} is missing: install the Debian package '{debianPackage}' (apt-get install {debianPackage}).");
        }
    }
}
