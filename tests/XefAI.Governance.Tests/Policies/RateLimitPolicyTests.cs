namespace XefAI.Governance.Tests;

public sealed class RateLimitPolicyTests
{
    [Fact]
    public void Evaluate_Tier4_AllowsThirtyCallsPerMinuteThenDeniesUntilTheWindowEnds()
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<RateLimitPolicy>());

        for (var i = 0; i < 30; i++)
        {
            Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport));
            governance.Clock.Now += TimeSpan.FromSeconds(1);
        }

        var denial = Evaluate(governance, RiskTier.ClinicalDecisionSupport);

        Assert.Equal(
            new PolicyDenial(
                "rate_limited",
                "App 'ed-board' has made its 30 calls per 1 minute to use case 'triage', the limit of tier 4 (clinical decision support); retry after 30 seconds.")
            {
                RetryAfter = TimeSpan.FromSeconds(30),
            },
            denial);

        governance.Clock.Now += TimeSpan.FromSeconds(29.5);
        Assert.Equal(TimeSpan.FromSeconds(1), Evaluate(governance, RiskTier.ClinicalDecisionSupport)?.RetryAfter);

        governance.Clock.Now += TimeSpan.FromSeconds(0.5);
        for (var i = 0; i < 30; i++)
        {
            Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport));
        }

        Assert.Equal(TimeSpan.FromSeconds(60), Evaluate(governance, RiskTier.ClinicalDecisionSupport)?.RetryAfter);
    }

    [Fact]
    public void Evaluate_LimitReached_CountsEachAppAndUseCaseApart()
    {
        using var governance = GovernanceServices.Create(
            new() { ["Governance:RiskTiers:4:RateLimit:PermitLimit"] = "1" },
            b => b.AddPolicy<RateLimitPolicy>());

        Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport));
        Assert.NotNull(Evaluate(governance, RiskTier.ClinicalDecisionSupport));

        Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport, app: "sepsis-board"));
        Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport, useCase: "readmission"));
    }

    [Theory]
    [InlineData(RiskTier.Administrative)]
    [InlineData(RiskTier.Operational)]
    [InlineData(RiskTier.ClinicalAssistive)]
    public void Evaluate_TiersWithoutADefaultLimit_NeverDeny(RiskTier tier)
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<RateLimitPolicy>());

        for (var i = 0; i < 500; i++)
        {
            Assert.Null(Evaluate(governance, tier));
        }
    }

    [Fact]
    public void Evaluate_ConfiguredLimits_ReplaceTheDefaults()
    {
        using var governance = GovernanceServices.Create(
            new()
            {
                ["Governance:RiskTiers:1:RateLimit:PermitLimit"] = "2",
                ["Governance:RiskTiers:1:RateLimit:Window"] = "00:00:10",
                ["Governance:RiskTiers:4:RateLimit:PermitLimit"] = "0",
            },
            b => b.AddPolicy<RateLimitPolicy>());

        Assert.Null(Evaluate(governance, RiskTier.Administrative));
        Assert.Null(Evaluate(governance, RiskTier.Administrative));
        Assert.Equal(
            "App 'ed-board' has made its 2 calls per 10 seconds to use case 'triage', the limit of tier 1 (administrative); retry after 10 seconds.",
            Evaluate(governance, RiskTier.Administrative)?.Message);
        for (var i = 0; i < 100; i++)
        {
            Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport, useCase: "sepsis"));
        }
    }

    [Fact]
    public void Evaluate_DeploymentStage_NeitherDeniesNorSpendsAPermit()
    {
        using var governance = GovernanceServices.Create(
            new() { ["Governance:RiskTiers:4:RateLimit:PermitLimit"] = "1" },
            b => b.AddPolicy<RateLimitPolicy>());
        var policy = governance.Policy<RateLimitPolicy>();
        var deployment = new PolicyContext(UseCases.Active(RiskTier.ClinicalDecisionSupport), "ed-board", new DeploymentFacts("gpt", "active", true));

        Assert.Equal("rate-limit", policy.Name);
        Assert.Null(policy.Evaluate(deployment));
        Assert.Null(policy.Evaluate(deployment));
        Assert.Null(Evaluate(governance, RiskTier.ClinicalDecisionSupport));
    }

    private static PolicyDenial? Evaluate(GovernanceServices governance, RiskTier tier, string app = "ed-board", string useCase = "triage") =>
        governance.Policy<RateLimitPolicy>().Evaluate(new PolicyContext(UseCases.Active(tier, useCase), app));
}
