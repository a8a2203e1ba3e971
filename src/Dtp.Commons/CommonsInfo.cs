namespace Dtp.Commons;

/// <summary>Facts about the embedded commons that do not depend on a running server.</summary>
public static class CommonsInfo
{
    /// <summary>The port <c>dtp serve</c> listens on unless told otherwise.</summary>
    public const int DefaultPort = 8080;
}
