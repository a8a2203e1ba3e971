namespace Dtp.Config;

/// <summary>A configuration file is missing, unreadable, or holds a wrong or missing value.</summary>
public sealed class ConfigException : DtpException
{
    /// <summary>Creates an error about a configuration file.</summary>
    public ConfigException()
        : this("The configuration is invalid.")
    {
    }

    /// <summary>Creates an error about a configuration file with the given message.</summary>
    public ConfigException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an error about a configuration file with the given message and cause.</summary>
    public ConfigException(string message, Exception? innerException)
        : base(message, DtpErrorKind.Local, isTransient: false, innerException)
    {
    }

    /// <summary>Creates an error that names the file and, when one is at fault, the key.</summary>
    /// <param name="file">The configuration file's path.</param>
    /// <param name="key">The key at fault, or <see langword="null"/> when the whole file is.</param>
    /// <param name="problem">What is wrong and what was expected.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public ConfigException(string file, string? key, string problem, Exception? innerException = null)
        : base(key is null ? $"{file}: {problem}" : $"{file}: key \"{key}\": {problem}", DtpErrorKind.Local, isTransient: false, innerException)
    {
        File = file;
        Key = key;
    }

    /// <summary>Gets the configuration file's path, when known.</summary>
    public string? File { get; }

    /// <summary>Gets the key at fault, or <see langword="null"/> when the whole file is.</summary>
    public string? Key { get; }
}
