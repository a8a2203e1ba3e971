using System.Text.Json.Nodes;
using Dtp.Gen3;
using Dtp.Testing.Commons;

namespace Dtp.Tests.Gen3;

/// <summary>An embedded commons with program <c>demo</c> and project <c>p1</c>, and an admin <see cref="Auth"/> for the Gen3 clients' tests.</summary>
public sealed class Gen3ClientFixture : IAsyncDisposable
{
    public const string Program = "demo";
    public const string Project = "p1";

    private Gen3ClientFixture(TestCommons commons, string home, Auth auth)
    {
        Commons = commons;
        Home = home;
        Auth = auth;
    }

    public TestCommons Commons { get; }

    /// <summary>Gets a temporary folder for files the test writes.</summary>
    public string Home { get; }

    public Auth Auth { get; }

    public static async Task<Gen3ClientFixture> StartAsync(CancellationToken cancellationToken)
    {
        var commons = await TestCommons.StartAsync(cancellationToken);
        await commons.CreateProjectAsync(Program, Project, cancellationToken);
        var home = Directory.CreateTempSubdirectory("dtp-gen3-client-").FullName;
        return new Gen3ClientFixture(commons, home, new Auth(refreshFile: commons.Server.CredentialsPath, options: AuthOptions(home)));
    }

    public static Gen3AuthOptions AuthOptions(string home) => new() { HomeDirectory = home, UseTokenCache = false };

    public Gen3SubmitterOptions SubmitterOptions(int initialBatchSize = 200, int maxBatchSize = 1000) =>
        new() { InitialBatchSize = initialBatchSize, MaxBatchSize = maxBatchSize, AuthOptions = AuthOptions(Home), Client = new Gen3ClientOptions { RetryDelay = TimeSpan.FromMilliseconds(10) } };

    public string PathOf(string name) => Path.Combine(Home, name);

    public static JsonObject Experiment(string submitterId) => new()
    {
        ["type"] = "experiment",
        ["submitter_id"] = submitterId,
        ["projects"] = new JsonObject { ["code"] = Project },
        ["experimental_description"] = "made by a test",
    };

    public static JsonObject Case(string submitterId, string experiment, string age = "30 years") => new()
    {
        ["type"] = "case",
        ["submitter_id"] = submitterId,
        ["experiments"] = new JsonObject { ["submitter_id"] = experiment },
        ["subject_id"] = "sub-" + submitterId,
        ["pool_id"] = "pool-1",
        ["subject_experimental_group"] = "g1",
        ["age"] = age,
        ["sex"] = "Female",
        ["species"] = "Homo sapiens",
        ["strain"] = "C57BL/6",
        ["rrid_for_strain"] = "RRID:IMSR_JAX:000664",
        ["age_category"] = "adult",
        ["also_in_dataset"] = "none",
        ["member_of"] = "none",
    };

    public static List<JsonObject> Cases(int count, string experiment) =>
        [.. Enumerable.Range(1, count).Select(i => Case($"{experiment}-sub-{i:D5}", experiment))];

    /// <summary>Submits an experiment and its cases as the admin and returns the submitter (for further calls).</summary>
    public async Task<SubmissionResult> SeedAsync(string experiment, int cases, CancellationToken cancellationToken)
    {
        using var submitter = new Gen3Submitter(Commons.BaseUrl, Auth, SubmitterOptions());
        var result = await submitter.SubmitRecordsAsync(Program, Project, [Experiment(experiment), .. Cases(cases, experiment)], cancellationToken: cancellationToken);
        Assert.True(result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        Auth.Dispose();
        await Commons.DisposeAsync();
        Directory.Delete(Home, recursive: true);
    }
}
