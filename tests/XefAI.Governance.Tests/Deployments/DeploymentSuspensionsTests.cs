namespace XefAI.Governance.Tests;

public sealed class DeploymentSuspensionsTests
{
    [Fact]
    public async Task SuspendAsync_Deployment_IsSuspendedAndThePolicyDeniesIt()
    {
        await using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<DeploymentSuspendedPolicy>());
        var suspensions = governance.Get<IDeploymentSuspensions>();
        governance.Clock.Now = GovernanceServices.Start.AddHours(1);

        var change = await suspensions.SuspendAsync("gpt-eu-1", " a.admin ", " Vendor outage. ", CancellationToken.None);

        Assert.StartsWith("dep_", change.Id, StringComparison.Ordinal);
        Assert.Equal(new DeploymentSuspensionChange(change.Id, "gpt-eu-1", true, "a.admin", "Vendor outage.", GovernanceServices.Start.AddHours(1)) { Sequence = change.Sequence }, change);
        Assert.True(suspensions.IsSuspended("gpt-eu-1"));
        Assert.False(suspensions.IsSuspended("gpt-us-1"));
        Assert.True(suspensions.TryGetSuspension("gpt-eu-1", out var suspension));
        Assert.Equal(change, suspension);
        Assert.Equal([change], suspensions.Suspended);
        Assert.Equal(
            new PolicyDenial("deployment_suspended", "Deployment 'gpt-eu-1' is suspended: Vendor outage."),
            Evaluate(governance, "gpt-eu-1"));
        Assert.Null(Evaluate(governance, "gpt-us-1"));
    }

    [Fact]
    public async Task ResumeAsync_SuspendedDeployment_ServesAgain()
    {
        await using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<DeploymentSuspendedPolicy>());
        var suspensions = governance.Get<IDeploymentSuspensions>();
        await suspensions.SuspendAsync("gpt-eu-1", "a.admin", "Vendor outage", CancellationToken.None);

        var change = await suspensions.ResumeAsync("gpt-eu-1", "a.admin", "Vendor recovered", CancellationToken.None);

        Assert.False(change.Suspended);
        Assert.False(suspensions.IsSuspended("gpt-eu-1"));
        Assert.Empty(suspensions.Suspended);
        Assert.Null(Evaluate(governance, "gpt-eu-1"));
    }

    [Fact]
    public async Task SuspendAsync_AlreadySuspended_ThrowsInvalidTransition()
    {
        await using var governance = GovernanceServices.Create();
        var suspensions = governance.Get<IDeploymentSuspensions>();
        await suspensions.SuspendAsync("gpt-eu-1", "a.admin", "Vendor outage", CancellationToken.None);

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () =>
            await suspensions.SuspendAsync("gpt-eu-1", "b.admin", "Again", CancellationToken.None));

        Assert.Equal("invalid_transition", error.Code);
        Assert.Equal("Deployment 'gpt-eu-1' cannot go from suspended to suspended: it is already suspended.", error.Message);
        Assert.Equal("Vendor outage", Assert.Single(suspensions.Suspended).Reason);
    }

    [Fact]
    public async Task ResumeAsync_NotSuspended_ThrowsInvalidTransition()
    {
        await using var governance = GovernanceServices.Create();

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () =>
            await governance.Get<IDeploymentSuspensions>().ResumeAsync("gpt-eu-1", "a.admin", "Why not", CancellationToken.None));

        Assert.Equal("invalid_transition", error.Code);
        Assert.Equal("Deployment 'gpt-eu-1' cannot go from serving to serving: it is not suspended.", error.Message);
    }

    [Fact]
    public async Task SuspendAsync_BlankReason_ThrowsArgumentException()
    {
        await using var governance = GovernanceServices.Create();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await governance.Get<IDeploymentSuspensions>().SuspendAsync("gpt-eu-1", "a.admin", " ", CancellationToken.None));
    }

    [Fact]
    public async Task Evaluate_CallStage_ReturnsNull()
    {
        await using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<DeploymentSuspendedPolicy>());
        await governance.Get<IDeploymentSuspensions>().SuspendAsync("gpt-eu-1", "a.admin", "Vendor outage", CancellationToken.None);

        Assert.Equal("deployment-suspended", governance.Policy<DeploymentSuspendedPolicy>().Name);
        Assert.Null(governance.Policy<DeploymentSuspendedPolicy>().Evaluate(new PolicyContext(UseCases.Active(RiskTier.Operational), "epic-addon")));
    }

    private static PolicyDenial? Evaluate(GovernanceServices governance, string deployment) =>
        governance.Policy<DeploymentSuspendedPolicy>().Evaluate(
            new PolicyContext(UseCases.Active(RiskTier.Operational), "epic-addon", new DeploymentFacts(deployment, "active", true)));
}
