using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dtp.Gen3;

/// <summary>Registers Gen3 authentication in a service collection.</summary>
public static class Gen3ServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="Auth"/> (a singleton: it caches the token) and <see cref="Gen3AuthHandler"/>, so that any
    /// HTTP client can authenticate with <c>.AddHttpMessageHandler&lt;Gen3AuthHandler&gt;()</c>. Add the handler after a
    /// resilience handler, so that every attempt gets a current token.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="create">Creates the authentication, e.g. <c>_ =&gt; new Auth(refreshFile: "credentials.json")</c>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddGen3Auth(this IServiceCollection services, Func<IServiceProvider, Auth> create)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(create);
        services.TryAddSingleton(create);
        services.TryAddTransient<Gen3AuthHandler>();
        return services;
    }
}
