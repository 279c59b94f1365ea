namespace XefAI.Governance.Tests;

public sealed class BaaPolicyTests
{
    [Fact]
    public void Evaluate_Tier4DeploymentWithoutBaa_DeniesNamingTheDeployment()
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<BaaPolicy>());

        var denial = Evaluate(governance, RiskTier.ClinicalDecisionSupport, new DeploymentFacts("gpt-us-public", "active", HasBaa: false));

        Assert.Equal(
            new PolicyDenial(
                "vendor_without_baa",
                "Deployment 'gpt-us-public' is not covered by a business associate agreement; tier 4 (clinical decision support) use cases may only be served by vendors under a BAA."),
            denial);
    }

    [Theory]
    [InlineData(RiskTier.Administrative, false)]
    [InlineData(RiskTier.Operational, false)]
    [InlineData(RiskTier.ClinicalAssistive, false)]
    [InlineData(RiskTier.ClinicalDecisionSupport, true)]
    public void Evaluate_NothingConfigured_AllowsWhereTheDesignDoes(RiskTier tier, bool hasBaa)
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<BaaPolicy>());

        Assert.Null(Evaluate(governance, tier, new DeploymentFacts("gpt-eu-1", "active", hasBaa)));
    }

    [Fact]
    public void Evaluate_Tier4InProcessDeploymentWithoutBaa_Allows()
    {
        // An in-process model keeps PHI inside the gateway: governance counts it as covered, like a BAA vendor.
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<BaaPolicy>());

        Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport, new DeploymentFacts("local", "active", HasBaa: false, InProcess: true)));
    }

    [Fact]
    public void Evaluate_CallStage_ReturnsNull()
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<BaaPolicy>());

        Assert.Equal("baa", governance.Policy<BaaPolicy>().Name);
        Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport, deployment: null));
    }

    [Fact]
    public void Evaluate_RequireBaaConfiguredForTier2_DeniesThere()
    {
        using var governance = GovernanceServices.Create(
            new() { ["Governance:RiskTiers:2:RequireBaa"] = "true", ["Governance:RiskTiers:4:RequireBaa"] = "false" },
            b => b.AddPolicy<BaaPolicy>());

        Assert.Equal("vendor_without_baa", Evaluate(governance, RiskTier.Operational, new DeploymentFacts("gpt", "active", false))?.ReasonCode);
        Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport, new DeploymentFacts("gpt", "active", false)));
    }

    private static PolicyDenial? Evaluate(GovernanceServices governance, RiskTier tier, DeploymentFacts? deployment) =>
        governance.Policy<BaaPolicy>().Evaluate(new PolicyContext(UseCases.Active(tier), "ed-board", deployment));
}
