using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace Dtp.Gen3;

/// <summary>Registers the Gen3 clients (<see cref="Querier"/>, <see cref="Exporter"/>, <see cref="Gen3Submitter"/>) as typed HTTP clients.</summary>
public static class Gen3ClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers the three clients with the commons' root URL of the registered <see cref="Auth"/> as base address, Gen3's
    /// resilience (GETs retried with back-off, a per-attempt timeout; PUT and POST never retried) and, inside it,
    /// <see cref="Gen3AuthHandler"/> so that every attempt carries a current token. Call
    /// <see cref="Gen3ServiceCollectionExtensions.AddGen3Auth"/> first.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the default timeouts and retries.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddGen3Clients(this IServiceCollection services, Action<Gen3ClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new Gen3ClientOptions();
        configure?.Invoke(options);
        Add<Querier>(services, options);
        Add<Exporter>(services, options);
        Add<Gen3Submitter>(services, options);
        return services;
    }

    private static void Add<TClient>(IServiceCollection services, Gen3ClientOptions options)
        where TClient : class
    {
        var builder = services.AddHttpClient<TClient>((provider, http) =>
        {
            var endpoint = provider.GetRequiredService<Auth>().Endpoint
                ?? throw new InvalidOperationException("The registered Auth knows no endpoint; give it one (workspace mode learns it only from its first token).");
            http.BaseAddress = new Uri(endpoint + "/");
            http.Timeout = Timeout.InfiniteTimeSpan;
            http.DefaultRequestHeaders.UserAgent.Add(Gen3Http.UserAgent);
        });
        builder.AddResilienceHandler("gen3", pipeline => Gen3Http.Configure(pipeline, options));
        builder.AddHttpMessageHandler(() => new Gen3BodyHandler(options.MaxResponseBodyBytes)); // inside the retry loop: a body cut off is retried
        builder.AddHttpMessageHandler<Gen3AuthHandler>(); // inside the retry loop: each attempt gets a current token
    }
}
