using Dtp.Testing.Commons;
using Dtp.Tests.Gen3;

namespace Dtp.Tests.Reliability;

/// <summary>The embedded commons under 20 concurrent clients that submit and query for a few seconds: no error but back-pressure, no lost record.</summary>
public sealed class LoadTests
{
    private const int Clients = 20;
    private const int BatchSize = 10;

    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(6);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Commons_TwentyClientsSubmittingAndQuerying_LoseNoRecordAndFailOnlyWithBackPressure()
    {
        await using var fixture = await Gen3ClientFixture.StartAsync(Ct);

        var result = await CommonsLoad.RunAsync(fixture.Commons, Gen3ClientFixture.Program, Gen3ClientFixture.Project, Clients, BatchSize, Duration, Ct);

        TestContext.Current.SendDiagnosticMessage($"{result.Acknowledged.Count} records acknowledged, {result.QueryMilliseconds.Count} queries, {result.BackPressure.Count} back-pressure answers in {result.Elapsed.TotalSeconds:F1} s");
        Assert.Empty(result.Failures);
        Assert.True(result.Acknowledged.Count >= Clients * BatchSize, $"only {result.Acknowledged.Count} records were acknowledged");
        Assert.Empty(result.Lost);
        Assert.Equal(result.Acknowledged.Count, result.Stored.Count);
    }
}
