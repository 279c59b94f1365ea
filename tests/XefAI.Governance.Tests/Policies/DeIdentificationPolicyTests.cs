namespace XefAI.Governance.Tests;

public sealed class DeIdentificationPolicyTests
{
    [Theory]
    [InlineData(RiskTier.Operational)]
    [InlineData(RiskTier.ClinicalAssistive)]
    public void Evaluate_TierObligesDeIdentificationVendorWithoutBaaAndNoDeIdentifier_DeniesNamingTheDeployment(RiskTier tier)
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

    [Fact]
    public void Evaluate_Tier1VendorWithoutBaa_Allows()
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<DeIdentificationPolicy>());

        Assert.Null(Evaluate(governance, RiskTier.Administrative, new DeploymentFacts("gpt-public", "active", HasBaa: false), canDeIdentify: false));
    }

    [Fact]
    public void Evaluate_TierConfiguredWithoutDeIdentification_Allows()
    {
        using var governance = GovernanceServices.Create(
            new() { ["Governance:RiskTiers:3:DeIdentifyUnlessBaa"] = "false" },
            b => b.AddPolicy<DeIdentificationPolicy>());

        Assert.Null(Evaluate(governance, RiskTier.ClinicalAssistive, new DeploymentFacts("gpt-public", "active", HasBaa: false), canDeIdentify: false));
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
