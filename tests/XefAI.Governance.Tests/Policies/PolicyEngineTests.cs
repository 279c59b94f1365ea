namespace XefAI.Governance.Tests;

public sealed class PolicyEngineTests
{
    private static readonly PolicyContext Context = new(
        new UseCase("triage", "Triage score", "ED", "Dr. B", null, RiskTier.ClinicalDecisionSupport, UseCaseStatus.Suspended, ["local"], "Drift alert"),
        "ed-board");

    [Fact]
    public void Evaluate_NoPolicyDenies_ReturnsSharedAllow()
    {
        var engine = new PolicyEngine([new FixedPolicy("quiet", null)]);

        var decision = engine.Evaluate(Context);

        Assert.True(decision.IsAllowed);
        Assert.Same(PolicyDecision.Allow, decision);
    }

    [Fact]
    public void Evaluate_SeveralPoliciesDeny_CollectsEveryDenialInOrder()
    {
        var tierLimit = new PolicyDenial("tier_limit", "Tier 4 needs review.");
        var engine = new PolicyEngine([new UseCaseStatusPolicy(), new FixedPolicy("quiet", null), new FixedPolicy("tier", tierLimit)]);

        var decision = engine.Evaluate(Context);

        Assert.False(decision.IsAllowed);
        Assert.Equal(
            [new PolicyDenial("use_case_suspended", "Use case 'triage' is suspended: Drift alert."), tierLimit],
            decision.Denials);
    }

    private sealed class FixedPolicy(string name, PolicyDenial? denial) : IPolicy
    {
        public string Name { get; } = name;

        public PolicyDenial? Evaluate(PolicyContext context) => denial;
    }
}
