using System.Diagnostics;

namespace XefAI.Governance.Tests;

/// <summary>State that survives a restart, and replicas sharing one store.</summary>
public sealed class GovernanceStatePersistenceTests : IDisposable
{
    private readonly string _folder = GovernanceServices.NewFolder();

    private string DatabasePath => Path.Combine(_folder, "nested", "governance.db");

    [Fact]
    public async Task NewRegistry_SameDatabase_ShowsTheRecordedStatusAndHistory()
    {
        var configuration = UseCases.Configured("inbox-draft", 1, "active");
        UseCaseStatusChange suspension;
        await using (var before = GovernanceServices.Create(configuration, databasePath: DatabasePath))
        {
            suspension = await before.ApplyAsync("inbox-draft", UseCaseAction.Suspend, reason: "Incident INC-12");
            await before.Get<IDeploymentSuspensions>().SuspendAsync("gpt-eu-1", "a.admin", "Vendor outage", CancellationToken.None);
        }

        await using var after = GovernanceServices.Create(configuration, databasePath: DatabasePath);

        var useCase = after.UseCase("inbox-draft");
        Assert.Equal(UseCaseStatus.Suspended, useCase.Status);
        Assert.Equal("Incident INC-12", useCase.StatusReason);
        Assert.Equal([suspension], await after.Administration.GetHistoryAsync("inbox-draft", CancellationToken.None));
        Assert.True(after.Get<IDeploymentSuspensions>().IsSuspended("gpt-eu-1"));
        Assert.True(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task TwoRegistries_SameDatabase_TheOtherSeesAChangeWithinThePollInterval()
    {
        var configuration = UseCases.Configured("inbox-draft", 1, "active");
        await using var first = GovernanceServices.Create(configuration, databasePath: DatabasePath);
        await using var second = GovernanceServices.Create(configuration, databasePath: DatabasePath);
        Assert.Equal(UseCaseStatus.Active, second.UseCase("inbox-draft").Status);
        Assert.False(second.Get<IDeploymentSuspensions>().IsSuspended("gpt-eu-1"));

        var stopwatch = Stopwatch.StartNew();
        await first.ApplyAsync("inbox-draft", UseCaseAction.Suspend, reason: "Kill switch from replica one");
        await first.Get<IDeploymentSuspensions>().SuspendAsync("gpt-eu-1", "a.admin", "Vendor outage", CancellationToken.None);
        Assert.Equal(UseCaseStatus.Suspended, first.UseCase("inbox-draft").Status);

        while (second.UseCase("inbox-draft").Status != UseCaseStatus.Suspended || !second.Get<IDeploymentSuspensions>().IsSuspended("gpt-eu-1"))
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), "The second registry did not see the change within 5 s.");
            await Task.Delay(50);
        }

        // Default poll interval 1 s: seen within about one interval, with room for a loaded machine.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"Seen after {stopwatch.Elapsed}.");
        Assert.Equal("Kill switch from replica one", second.UseCase("inbox-draft").StatusReason);

        // A change made there comes back here the same way.
        await second.ApplyAsync("inbox-draft", UseCaseAction.Resume);
        while (first.UseCase("inbox-draft").Status != UseCaseStatus.Active)
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), "The first registry did not see the resumption.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task TwoAdministrations_SameDatabase_TheSecondActsOnTheStoredStatusNotItsStaleCache()
    {
        var configuration = UseCases.Configured("inbox-draft", 1, "active");
        await using var first = GovernanceServices.Create(configuration, databasePath: DatabasePath);
        await using var second = GovernanceServices.Create(configuration, databasePath: DatabasePath);
        Assert.Equal(UseCaseStatus.Active, second.UseCase("inbox-draft").Status);

        await first.ApplyAsync("inbox-draft", UseCaseAction.Suspend);
        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await second.ApplyAsync("inbox-draft", UseCaseAction.Suspend));

        Assert.Equal("invalid_transition", error.Code);
        Assert.Single(await second.Administration.GetHistoryAsync("inbox-draft", CancellationToken.None));
    }

    [Fact]
    public async Task Registry_StateStoreCannotBeOpened_FailsClosed()
    {
        Directory.CreateDirectory(DatabasePath);
        await using var governance = GovernanceServices.Create(UseCases.Configured("inbox-draft", 1, "active"), databasePath: DatabasePath);

        Assert.ThrowsAny<Exception>(() => governance.Registry.TryGet("inbox-draft", out _));
    }

    [Fact]
    public async Task Registry_UnknownStateStoreKind_RefusesToResolve()
    {
        var configuration = UseCases.Configured("inbox-draft", 1, "active");
        configuration["Governance:StateStore"] = "etcd";
        await using var governance = GovernanceServices.Create(configuration, databasePath: DatabasePath);

        var error = Assert.Throws<InvalidOperationException>(() => governance.Registry);

        Assert.Equal("Governance:StateStore is 'etcd', but no governance state store of that kind exists (registered kinds: sqlite, postgres).", error.Message);
    }

    public void Dispose() => GovernanceServices.DeleteFolder(_folder);
}
