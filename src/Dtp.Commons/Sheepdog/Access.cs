using Dtp.Commons.Storage;

namespace Dtp.Commons.Sheepdog;

/// <summary>Project permissions of a user: admins may do everything; others need a read or write grant on the project (or on <c>PROGRAM/*</c>).</summary>
internal static class Access
{
    public const string Denied = "You don't have access to this resource: user is unauthorized";

    public static bool CanRead(UserDirectory users, CommonsUser user, string program, string project) =>
        user.IsAdmin || users.Grants(user.Id).Any(g => g.Read && Matches(g, program, project));

    public static bool CanWrite(UserDirectory users, CommonsUser user, string program, string project) =>
        user.IsAdmin || users.Grants(user.Id).Any(g => g.Write && Matches(g, program, project));

    private static bool Matches(ProjectGrant grant, string program, string project) =>
        grant.Program == program && (grant.Project == project || grant.Project == "*");
}
