namespace XefAI.Governance.Tests;

public sealed class MaxTokensPolicyTests
{
    [Fact]
    public void Evaluate_Tier4RequestAboveTheLimit_DeniesNamingTheLimit()
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<MaxTokensPolicy>());

        var denial = Evaluate(governance, RiskTier.ClinicalDecisionSupport, 8000);

        Assert.Equal(
            new PolicyDenial(
                "max_tokens_exceeded",
                "The request asks for up to 8000 output tokens; use case 'triage' is tier 4 (clinical decision support) and allows at most 4096. Set max_tokens to 4096 or less."),
            denial);
    }

    [Theory]
    [InlineData(RiskTier.ClinicalDecisionSupport, 4096)]
    [InlineData(RiskTier.ClinicalDecisionSupport, null)]
    [InlineData(RiskTier.Administrative, 1_000_000)]
    [InlineData(RiskTier.ClinicalAssistive, 1_000_000)]
    public void Evaluate_WithinTheTiersLimit_ReturnsNull(RiskTier tier, int? requested)
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<MaxTokensPolicy>());

        Assert.Null(Evaluate(governance, tier, requested));
    }

    [Fact]
    public void Evaluate_DeploymentStage_ReturnsNull()
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<MaxTokensPolicy>());
        var context = new PolicyContext(UseCases.Active(RiskTier.ClinicalDecisionSupport), "ed-board", new DeploymentFacts("gpt", "active", true))
        {
            RequestedMaxTokens = 100_000,
        };

        Assert.Equal("max-tokens", governance.Policy<MaxTokensPolicy>().Name);
        Assert.Null(governance.Policy<MaxTokensPolicy>().Evaluate(context));
    }

    [Fact]
    public void Evaluate_ConfiguredLimit_AppliesToThatTier()
    {
        using var governance = GovernanceServices.Create(
            new() { ["Governance:RiskTiers:2:MaxTokens"] = "1000", ["Governance:RiskTiers:4:MaxTokens"] = "0" },
            b => b.AddPolicy<MaxTokensPolicy>());

        Assert.Equal(
            "The request asks for up to 1001 output tokens; use case 'triage' is tier 2 (operational) and allows at most 1000. Set max_tokens to 1000 or less.",
            Evaluate(governance, RiskTier.Operational, 1001)?.Message);
        Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport, 100_000));
    }

    private static PolicyDenial? Evaluate(GovernanceServices governance, RiskTier tier, int? requested) =>
        governance.Policy<MaxTokensPolicy>().Evaluate(new PolicyContext(UseCases.Active(tier), "ed-board") { RequestedMaxTokens = requested });
}
