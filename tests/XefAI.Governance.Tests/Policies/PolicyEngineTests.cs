using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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

    [Fact]
    public void Evaluate_BothStages_EachPolicyAnswersOnlyItsOwnStage()
    {
        using var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(new ManualClock(new DateTimeOffset(2025, 7, 1, 12, 0, 0, TimeSpan.Zero)))
            .AddXefAIGovernance(new ConfigurationBuilder().Build())
            .AddPolicy<UseCaseStatusPolicy>()
            .AddPolicy<DeploymentLifecyclePolicy>()
            .Services.BuildServiceProvider();
        var engine = services.GetRequiredService<IPolicyEngine>();

        var call = engine.Evaluate(Context);
        var candidate = engine.Evaluate(Context with { Deployment = new DeploymentFacts("triage-next", "candidate", HasBaa: true) });
        var sunset = engine.Evaluate(Context with { Deployment = new DeploymentFacts("triage-v1", "deprecated", HasBaa: true, new DateOnly(2025, 6, 1)) });
        var active = engine.Evaluate(Context with { Deployment = new DeploymentFacts("triage-v2", "active", HasBaa: true) });

        Assert.Equal([new PolicyDenial("use_case_suspended", "Use case 'triage' is suspended: Drift alert.")], call.Denials);
        Assert.Equal(
            [new PolicyDenial("model_lifecycle_not_allowed", "Deployment 'triage-next' is 'candidate'; tier 4 (clinical decision support) use cases accept only active deployments.")],
            candidate.Denials);
        Assert.Equal(["model_past_sunset"], sunset.Denials.Select(d => d.ReasonCode));
        Assert.True(active.IsAllowed);
        Assert.Equal(new PolicyObligations { ReIdentify = false, Review = "hold", AuditVerbatim = true, MaxTokens = 4096 }, active.Obligations);
    }

    [Fact]
    public void Evaluate_DeploymentStage_CollectsEveryDenialInOrder()
    {
        var baa = new PolicyDenial("vendor_without_baa", "Tier 4 needs a BAA.");
        var engine = new PolicyEngine([new UseCaseStatusPolicy(), new FixedPolicy("baa", baa), new FixedPolicy("quiet", null), new FixedPolicy("baa-again", baa)]);

        var decision = engine.Evaluate(Context with { Deployment = new DeploymentFacts("triage-v2", "active", HasBaa: false) });

        Assert.Equal([baa, baa], decision.Denials);
    }

    [Fact]
    public void Evaluate_CallRefusedByAnotherPolicy_QuotaIsNotSpent()
    {
        var quota = new CountingQuota();
        var engine = new PolicyEngine([quota, new FixedPolicy("status", new PolicyDenial("use_case_suspended", "Suspended."))]);

        var decision = engine.Evaluate(Context);

        Assert.Equal(["use_case_suspended"], decision.Denials.Select(d => d.ReasonCode));
        Assert.Equal(0, quota.Spent);
    }

    [Fact]
    public void Evaluate_CallOtherwiseAllowed_QuotaIsSpentAndCanRefuse()
    {
        var quota = new CountingQuota { Refuse = true };
        var engine = new PolicyEngine([quota, new FixedPolicy("quiet", null)]);

        var decision = engine.Evaluate(Context);

        Assert.Equal(1, quota.Spent);
        Assert.Equal(["rate_limited"], decision.Denials.Select(d => d.ReasonCode));
    }

    /// <summary>A quota that counts how often it was asked, as a rate limiter spends a permit.</summary>
    private sealed class CountingQuota : IQuotaPolicy
    {
        public string Name => "quota";

        public bool Refuse { get; init; }

        public int Spent { get; private set; }

        public PolicyDenial? Evaluate(PolicyContext context)
        {
            Spent++;
            return Refuse ? new PolicyDenial("rate_limited", "Too many calls.") : null;
        }
    }

    private sealed class FixedPolicy(string name, PolicyDenial? denial) : IPolicy
    {
        public string Name { get; } = name;

        public PolicyDenial? Evaluate(PolicyContext context) => denial;
    }
}
