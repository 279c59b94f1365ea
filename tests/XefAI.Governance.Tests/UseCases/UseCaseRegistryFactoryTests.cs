using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

/// <summary>
/// A host that reads its configuration as snapshots builds each snapshot's use cases with the factory: they, and the
/// tier controls the policies judge a call by, are the snapshot's, whatever configuration is in force meanwhile;
/// their statuses stay live.
/// </summary>
public sealed class UseCaseRegistryFactoryTests
{
    [Fact]
    public void Create_SnapshotLowersTheTiersTokenLimit_CallJudgedByTheSnapshotsLimit()
    {
        using var governance = InForce(b => b.AddPolicy<MaxTokensPolicy>());
        var engine = governance.Get<IPolicyEngine>();

        var snapshot = Create(governance, new RiskTierOptions { MaxTokens = 50 });

        Assert.Equal(
            ["max_tokens_exceeded"],
            engine.Evaluate(new PolicyContext(UseCase(snapshot), "ed-board") { RequestedMaxTokens = 80 }).Denials.Select(d => d.ReasonCode));
        Assert.True(engine.Evaluate(new PolicyContext(governance.UseCase("triage"), "ed-board") { RequestedMaxTokens = 80 }).IsAllowed);
    }

    [Fact]
    public void Create_SnapshotAllowsCandidateDeployments_CandidateServedOnlyForTheSnapshotsUseCase()
    {
        using var governance = InForce(b => b.AddPolicy<DeploymentLifecyclePolicy>());
        var engine = governance.Get<IPolicyEngine>();
        var candidate = new DeploymentFacts("gpt-next", "candidate", HasBaa: true);

        var snapshot = Create(governance, new RiskTierOptions { AllowedLifecycles = ["candidate", "active"] });

        Assert.True(engine.Evaluate(new PolicyContext(UseCase(snapshot), "ed-board", candidate)).IsAllowed);
        Assert.Equal(
            new PolicyDenial("model_lifecycle_not_allowed", "Deployment 'gpt-next' is 'candidate'; tier 2 (operational) use cases accept only validated, active, deprecated deployments."),
            Assert.Single(engine.Evaluate(new PolicyContext(governance.UseCase("triage"), "ed-board", candidate)).Denials));
    }

    [Fact]
    public void Create_SnapshotHoldsTheTiersAnswers_ObligationsAreTheSnapshots()
    {
        using var governance = InForce();
        var engine = governance.Get<IPolicyEngine>();

        var snapshot = Create(governance, new RiskTierOptions { Review = "hold", ReIdentifyAnswers = false, VerbatimAuditText = "original" });

        Assert.Equal(
            new PolicyObligations { DeIdentify = true, ReIdentify = false, Review = ReviewRequirement.Hold, AuditVerbatim = true, AuditOriginalText = true },
            engine.Evaluate(new PolicyContext(UseCase(snapshot), "ed-board")).Obligations);
        Assert.Equal(
            new PolicyObligations { DeIdentify = true, Review = ReviewRequirement.None, AuditVerbatim = true },
            engine.Evaluate(new PolicyContext(governance.UseCase("triage"), "ed-board")).Obligations);
    }

    [Fact]
    public void Create_ConfigurationReloadedAfterwards_SnapshotsUseCasesUnchanged()
    {
        var source = new ReloadableConfigurationSource(UseCases.Configured("triage", 2, "active"));
        using var governance = GovernanceServices.Watching(source);
        var snapshot = governance.Get<IUseCaseRegistryFactory>().Create(governance.Get<IOptionsMonitor<GovernanceOptions>>().CurrentValue);

        source.Replace(UseCases.Configured("triage", 3, "active"));

        Assert.Equal(RiskTier.ClinicalAssistive, governance.UseCase("triage").Tier);
        Assert.Equal(RiskTier.Operational, UseCase(snapshot).Tier);
        Assert.Equal(ReviewRequirement.None, UseCase(snapshot).TierControls!.Review);
    }

    [Fact]
    public async Task Create_UseCaseSuspendedAfterwards_SnapshotShowsTheSuspension()
    {
        using var governance = InForce();
        var snapshot = Create(governance, new RiskTierOptions());

        await governance.ApplyAsync("triage", UseCaseAction.Suspend, reason: "Drift under review");

        Assert.Equal(UseCaseStatus.Suspended, UseCase(snapshot).Status);
        Assert.Equal("Drift under review", UseCase(snapshot).StatusReason);
        Assert.Equal(UseCaseStatus.Suspended, Assert.Single(snapshot.All).Status);
    }

    private static GovernanceServices InForce(Action<IGovernanceBuilder>? configure = null) =>
        GovernanceServices.Create(UseCases.Configured("triage", 2, "active"), configure);

    /// <summary>The use cases of a snapshot whose tier 2 is configured as given, built beside the configuration in force.</summary>
    private static IUseCaseRegistry Create(GovernanceServices governance, RiskTierOptions tier2) =>
        governance.Get<IUseCaseRegistryFactory>().Create(new GovernanceOptions
        {
            UseCases = new Dictionary<string, UseCaseOptions>(StringComparer.Ordinal)
            {
                ["triage"] = new() { Name = "triage", Owner = "Owner", Tier = 2, Status = "active", Providers = ["gpt-eu-1"] },
            },
            RiskTiers = new Dictionary<string, RiskTierOptions>(StringComparer.Ordinal) { ["2"] = tier2 },
        });

    private static UseCase UseCase(IUseCaseRegistry registry)
    {
        Assert.True(registry.TryGet("triage", out var useCase));
        return useCase;
    }
}
