using System.Diagnostics;
using XefAI.Testing;
using Xunit.Abstractions;

namespace XefAI.Governance.Tests;

/// <summary>
/// Governance layers sharing one PostgreSQL state store, as gateway replicas on several hosts do: a change made
/// through one is in force there at once and reaches the others through their poll.
/// </summary>
public sealed class PostgresGovernanceStateReplicaTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task TwoReplicas_SuspensionThroughOne_InForceThereAtOnceAndSeenByTheOtherWithinSeconds()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var configuration = schema.Configuration(UseCases.Configured("inbox-draft", 1, "active"));
        await using var first = GovernanceServices.Create(configuration);
        await using var second = GovernanceServices.Create(configuration);
        Assert.Equal(UseCaseStatus.Active, second.UseCase("inbox-draft").Status);
        Assert.False(second.Get<IDeploymentSuspensions>().IsSuspended("gpt-eu-1"));
        Assert.Equal("postgres", first.Get<GovernanceStateCache>().Store.Kind);

        var clock = Stopwatch.StartNew();
        await first.ApplyAsync("inbox-draft", UseCaseAction.Suspend, reason: "Kill switch from replica one");
        await first.Get<IDeploymentSuspensions>().SuspendAsync("gpt-eu-1", "a.admin", "Vendor outage", CancellationToken.None);
        Assert.Equal(UseCaseStatus.Suspended, first.UseCase("inbox-draft").Status);
        Assert.True(first.Get<IDeploymentSuspensions>().IsSuspended("gpt-eu-1"));
        var recorded = clock.Elapsed;

        await WaitUntilAsync(
            () => second.UseCase("inbox-draft").Status == UseCaseStatus.Suspended && second.Get<IDeploymentSuspensions>().IsSuspended("gpt-eu-1"),
            "the second replica sees the suspensions");
        output.WriteLine($"Recorded after {recorded.TotalMilliseconds:F0} ms; seen by the other replica after {clock.Elapsed.TotalMilliseconds:F0} ms.");
        Assert.Equal("Kill switch from replica one", second.UseCase("inbox-draft").StatusReason);

        // A change made there comes back here the same way.
        await second.ApplyAsync("inbox-draft", UseCaseAction.Resume);
        await second.Get<IDeploymentSuspensions>().ResumeAsync("gpt-eu-1", "a.admin", "Vendor back", CancellationToken.None);
        await WaitUntilAsync(
            () => first.UseCase("inbox-draft").Status == UseCaseStatus.Active && !first.Get<IDeploymentSuspensions>().IsSuspended("gpt-eu-1"),
            "the first replica sees the resumptions");
    }

    [PostgresFact]
    public async Task TwoReplicas_Tier4ApprovedAndActivatedThroughOne_TheOtherServesItFromThePolledApproval()
    {
        // The other replica learns the sponsor's approval only through its poll, never by observing the change itself.
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var configuration = schema.Configuration(UseCases.Configured("sepsis-risk", 4, "proposed", "Dr. B. Osei", ModelCards.Complete()));
        await using var first = GovernanceServices.Create(configuration);
        await using var second = GovernanceServices.Create(configuration);
        Assert.Equal(UseCaseStatus.Proposed, second.UseCase("sepsis-risk").Status);

        await first.ApplyAsync("sepsis-risk", UseCaseAction.Approve, "Dr. B. Osei");
        await first.ApplyAsync("sepsis-risk", UseCaseAction.Activate);
        await WaitUntilAsync(() => second.UseCase("sepsis-risk").Status == UseCaseStatus.Active, "the second replica sees the activation");

        Assert.Null(second.UseCase("sepsis-risk").ActivationRefusal);
        Assert.Equal(RiskTier.ClinicalDecisionSupport, second.Get<GovernanceStateCache>().Current.UseCases["sepsis-risk"].RiskTier);
    }

    [PostgresFact]
    public async Task TwoReplicas_SuspendingAtOnce_OneChangesTheOtherIsRefusedAsAnInvalidTransition()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var configuration = schema.Configuration(UseCases.Configured("inbox-draft", 1, "active"));
        await using var first = GovernanceServices.Create(configuration);
        await using var second = GovernanceServices.Create(configuration);

        var results = await Task.WhenAll(new[] { first, second }.Select(replica => Task.Run(async () =>
        {
            try
            {
                await replica.ApplyAsync("inbox-draft", UseCaseAction.Suspend);
                return "changed";
            }
            catch (GovernanceActionException ex)
            {
                return ex.Code;
            }
        })));

        Assert.Equal(["changed", "invalid_transition"], results.Order(StringComparer.Ordinal));
        Assert.Single(await second.Administration.GetHistoryAsync("inbox-draft", CancellationToken.None));
    }

    [PostgresFact]
    public async Task NewReplica_SameDatabase_ShowsTheRecordedStatusAndHistory()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var configuration = schema.Configuration(UseCases.Configured("inbox-draft", 1, "active"));
        UseCaseStatusChange suspension;
        await using (var before = GovernanceServices.Create(configuration))
        {
            suspension = await before.ApplyAsync("inbox-draft", UseCaseAction.Suspend, reason: "Incident INC-12");
            await before.Get<IDeploymentSuspensions>().SuspendAsync("gpt-eu-1", "a.admin", "Vendor outage", CancellationToken.None);
        }

        await using var after = GovernanceServices.Create(configuration);

        var useCase = after.UseCase("inbox-draft");
        Assert.Equal(UseCaseStatus.Suspended, useCase.Status);
        Assert.Equal("Incident INC-12", useCase.StatusReason);
        Assert.Equal([suspension], await after.Administration.GetHistoryAsync("inbox-draft", CancellationToken.None));
        Assert.True(after.Get<IDeploymentSuspensions>().IsSuspended("gpt-eu-1"));
        Assert.False(File.Exists(after.DatabasePath));
    }

    /// <summary>Polls instead of sleeping a fixed time: a loaded machine is slow, and the test must not guess how slow.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), $"{what} did not happen within 15 s.");
            await Task.Delay(20);
        }
    }
}
