using System.Text.Json;

namespace Dtp.Gen3;

/// <summary>Who an access token belongs to, as fence's <c>/user/user</c> tells.</summary>
/// <param name="Username">The user's name.</param>
/// <param name="IsAdmin">Whether the user is an administrator.</param>
/// <param name="Resources">The authorization resources granted (e.g. <c>/programs/demo/projects/12L</c>).</param>
/// <param name="Raw">The whole answer.</param>
public sealed record Gen3User(string Username, bool IsAdmin, IReadOnlyList<string> Resources, JsonElement Raw);
