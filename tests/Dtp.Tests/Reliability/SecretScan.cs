namespace Dtp.Tests.Reliability;

/// <summary>Collects everything dtp showed (stdout, stderr, log lines, exception texts) and asserts that no secret is among it.</summary>
internal sealed class SecretScan
{
    private readonly List<(string Source, string Text)> seen = [];

    /// <summary>Gets how many texts were scanned.</summary>
    public int Count => seen.Count;

    public void Add(string source, string text) => seen.Add((source, text));

    public void Add(string source, Exception exception) => seen.Add((source, exception.ToString()));

    public void AddLines(string source, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            Add(source, line);
        }
    }

    /// <summary>Fails naming the first text that holds a secret, or any JWT (every Gen3 key and token is one: its header starts "eyJ").</summary>
    public void AssertNoSecret(params string[] secrets)
    {
        Assert.NotEmpty(seen);
        foreach (var (source, text) in seen)
        {
            foreach (var secret in secrets.Where(s => s.Length >= 8))
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{source} shows a secret ({secret[..4]}...): {text}");
            }

            Assert.False(text.Contains("eyJ", StringComparison.Ordinal), $"{source} shows a JWT: {text}");
        }
    }
}
