using Dtp.Testing;
using Dtp.Testing.Orthanc;
using Dtp.Tests.Infrastructure;

namespace Dtp.Tests.Pacs;

/// <summary>One Orthanc (HTTP and DICOMweb only) shared by every test class of the "Orthanc" collection.</summary>
public sealed class OrthancFixture : IAsyncLifetime
{
    private OrthancServer? server;
    private TestServerUnavailableException? unavailable;

    /// <summary>Gets the running server; skips (or, with CI=true, fails) the test when Orthanc is not installed.</summary>
    public OrthancServer Server => Requirements.Run(() => server ?? throw unavailable!);

    public async ValueTask InitializeAsync()
    {
        try
        {
            server = await OrthancServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
            server.KeepLogAt = Path.Combine(AppContext.BaseDirectory, "orthanc-logs", "orthanc-collection.log");
        }
        catch (TestServerUnavailableException ex)
        {
            unavailable = ex;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
            TestContext.Current.SendDiagnosticMessage($"Orthanc's log is kept at {server.KeepLogAt}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class OrthancTests : ICollectionFixture<OrthancFixture>
{
    public const string Name = "Orthanc";
}
