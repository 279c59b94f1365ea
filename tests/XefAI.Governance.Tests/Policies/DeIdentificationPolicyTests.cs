namespace XefAI.Governance.Tests;

public sealed class DeIdentificationPolicyTests
{
    [Theory]
    [InlineData(RiskTier.Administrative)]
    [InlineData(RiskTier.Operational)]
    [InlineData(RiskTier.ClinicalAssistive)]
    public void Evaluate_VendorWithoutBaaAndNoDeIdentifier_DeniesNamingTheDeploymentWhateverTheTier(RiskTier tier)
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<DeIdentificationPolicy>());

        var denial = Evaluate(governance, tier, new DeploymentFacts("gpt-public", "active", HasBaa: false), canDeIdentify: false);

        Assert.Equal("deidentification_unavailable", denial?.ReasonCode);
        Assert.Contains("'gpt-public'", denial!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    public void Evaluate_PhiCoveredOrGatewayCanDeIdentify_Allows(bool hasBaa, bool inProcess, bool canDeIdentify)
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<DeIdentificationPolicy>());

        Assert.Null(Evaluate(governance, RiskTier.ClinicalAssistive, new DeploymentFacts("d", "active", hasBaa, InProcess: inProcess), canDeIdentify));
    }

    [Fact]
    public void Evaluate_TierRequiresBaa_LeavesTheVerdictToTheBaaPolicy()
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<DeIdentificationPolicy>());

        Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport, new DeploymentFacts("gpt-public", "active", HasBaa: false), canDeIdentify: false));
    }

    [Theory]
    [InlineData(RiskTier.Administrative)]
    [InlineData(RiskTier.ClinicalAssistive)]
    public void Evaluate_UseCaseOptedOut_AllowsTheVendorWithoutBaaThoughNothingCanDeIdentify(RiskTier tier)
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<DeIdentificationPolicy>());
        var useCase = UseCases.Active(tier) with { DeIdentificationOptOut = "Synthetic test patients only." };

        var denial = governance.Policy<DeIdentificationPolicy>().Evaluate(
            new PolicyContext(useCase, "ed-board", new DeploymentFacts("gpt-public", "active", HasBaa: false)) { CanDeIdentify = false });

        Assert.Null(denial);
    }

    [Fact]
    public void Evaluate_CallStage_ReturnsNull()
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<DeIdentificationPolicy>());

        Assert.Equal("deidentification", governance.Policy<DeIdentificationPolicy>().Name);
        Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport, deployment: null, canDeIdentify: false));
    }

    private static PolicyDenial? Evaluate(GovernanceServices governance, RiskTier tier, DeploymentFacts? deployment, bool canDeIdentify) =>
        governance.Policy<DeIdentificationPolicy>().Evaluate(new PolicyContext(UseCases.Active(tier), "ed-board", deployment) { CanDeIdentify = canDeIdentify });
}
