using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace XefAI.Governance.Tests;

public sealed class DeploymentLifecyclePolicyTests
{
    // 00:30 UTC on 1 July: still 30 June in the Americas, so the policy must not use local time.
    private static readonly DateTimeOffset Now = new(2025, 7, 1, 0, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Evaluate_CallStage_ReturnsNull()
    {
        using var policy = Policy.Create();

        Assert.Equal("deployment-lifecycle", policy.Instance.Name);
        Assert.Null(policy.Instance.Evaluate(new PolicyContext(UseCase(RiskTier.ClinicalDecisionSupport), "ed-board")));
    }

    [Theory]
    [InlineData(RiskTier.Administrative, "candidate", false)]
    [InlineData(RiskTier.Administrative, "validated", true)]
    [InlineData(RiskTier.Administrative, "active", true)]
    [InlineData(RiskTier.Administrative, "deprecated", true)]
    [InlineData(RiskTier.Operational, "candidate", false)]
    [InlineData(RiskTier.Operational, "validated", true)]
    [InlineData(RiskTier.Operational, "active", true)]
    [InlineData(RiskTier.Operational, "deprecated", true)]
    [InlineData(RiskTier.ClinicalAssistive, "candidate", false)]
    [InlineData(RiskTier.ClinicalAssistive, "validated", false)]
    [InlineData(RiskTier.ClinicalAssistive, "active", true)]
    [InlineData(RiskTier.ClinicalAssistive, "deprecated", true)]
    [InlineData(RiskTier.ClinicalDecisionSupport, "candidate", false)]
    [InlineData(RiskTier.ClinicalDecisionSupport, "validated", false)]
    [InlineData(RiskTier.ClinicalDecisionSupport, "active", true)]
    [InlineData(RiskTier.ClinicalDecisionSupport, "deprecated", false)]
    public void Evaluate_NothingConfigured_AppliesTheDesignDefaults(RiskTier tier, string lifecycle, bool allowed)
    {
        using var policy = Policy.Create();

        var denial = policy.Evaluate(tier, new DeploymentFacts("gpt-eu-1", lifecycle, HasBaa: true));

        Assert.Equal(allowed ? null : "model_lifecycle_not_allowed", denial?.ReasonCode);
    }

    [Fact]
    public void Evaluate_CandidateDeploymentOnTier3_DeniesNamingAllowedLifecycles()
    {
        using var policy = Policy.Create();

        var denial = policy.Evaluate(RiskTier.ClinicalAssistive, new DeploymentFacts("gpt-next", "candidate", HasBaa: true));

        Assert.Equal(
            new PolicyDenial(
                "model_lifecycle_not_allowed",
                "Deployment 'gpt-next' is 'candidate'; tier 3 (clinical assistive) use cases accept only active, deprecated deployments."),
            denial);
    }

    [Fact]
    public void Evaluate_DeprecatedDeploymentOnTier4_DeniesNamingOnlyActive()
    {
        using var policy = Policy.Create();

        var denial = policy.Evaluate(RiskTier.ClinicalDecisionSupport, new DeploymentFacts("triage-v1", "Deprecated", HasBaa: true, new DateOnly(2026, 1, 1)));

        Assert.Equal(
            new PolicyDenial(
                "model_lifecycle_not_allowed",
                "Deployment 'triage-v1' is 'deprecated'; tier 4 (clinical decision support) use cases accept only active deployments."),
            denial);
    }

    [Theory]
    [InlineData(RiskTier.Administrative)]
    [InlineData(RiskTier.ClinicalDecisionSupport)]
    public void Evaluate_RetiredDeployment_DeniesAsRetired(RiskTier tier)
    {
        using var policy = Policy.Create(new() { ["Governance:RiskTiers:1:AllowedLifecycles:0"] = "candidate" });

        var denial = policy.Evaluate(tier, new DeploymentFacts("gpt-4-0613", "retired", HasBaa: true));

        Assert.Equal(new PolicyDenial("model_retired", "Deployment 'gpt-4-0613' is retired and is no longer served."), denial);
    }

    [Theory]
    [InlineData(RiskTier.Administrative)]
    [InlineData(RiskTier.ClinicalDecisionSupport)]
    public void Evaluate_DeprecatedDeploymentPastItsSunset_DeniesAsPastSunset(RiskTier tier)
    {
        using var policy = Policy.Create();

        var denial = policy.Evaluate(tier, new DeploymentFacts("gpt-4o-2024", "deprecated", HasBaa: true, new DateOnly(2025, 6, 30)));

        Assert.Equal(
            new PolicyDenial(
                "model_past_sunset",
                "Deployment 'gpt-4o-2024' is deprecated and its sunset date 2025-06-30 has passed; it is treated as retired."),
            denial);
    }

    [Theory]
    [InlineData(2025, 7, 1)]
    [InlineData(2025, 12, 31)]
    public void Evaluate_DeprecatedDeploymentOnOrBeforeItsSunset_IsServed(int year, int month, int day)
    {
        using var policy = Policy.Create();

        Assert.Null(policy.Evaluate(RiskTier.ClinicalAssistive, new DeploymentFacts("gpt-4o-2024", "deprecated", HasBaa: true, new DateOnly(year, month, day))));
    }

    [Fact]
    public void Evaluate_ClockPassesTheSunset_DeniesFromTheNextUtcDay()
    {
        using var policy = Policy.Create();
        var deployment = new DeploymentFacts("gpt-4o-2024", "deprecated", HasBaa: true, new DateOnly(2025, 7, 1));

        policy.Clock.Now = new DateTimeOffset(2025, 7, 1, 23, 59, 59, TimeSpan.Zero);
        Assert.Null(policy.Evaluate(RiskTier.Operational, deployment));

        policy.Clock.Now = new DateTimeOffset(2025, 7, 2, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal("model_past_sunset", policy.Evaluate(RiskTier.Operational, deployment)?.ReasonCode);
    }

    [Fact]
    public void Evaluate_ActiveDeploymentWithPastSunsetDate_IsServed()
    {
        using var policy = Policy.Create();

        // Only a deprecation sets a sunset; on an active deployment the date has no meaning yet.
        Assert.Null(policy.Evaluate(RiskTier.ClinicalDecisionSupport, new DeploymentFacts("gpt-eu-1", "active", HasBaa: true, new DateOnly(2020, 1, 1))));
    }

    [Theory]
    [InlineData("Active")]
    [InlineData(" ACTIVE ")]
    public void Evaluate_LifecycleInAnyCase_IsRecognized(string lifecycle)
    {
        using var policy = Policy.Create();

        Assert.Null(policy.Evaluate(RiskTier.ClinicalDecisionSupport, new DeploymentFacts("gpt-eu-1", lifecycle, HasBaa: true)));
    }

    [Theory]
    [InlineData("beta")]
    [InlineData("")]
    [InlineData("2")]
    public void Evaluate_UnknownLifecycle_DeniesFailingClosed(string lifecycle)
    {
        using var policy = Policy.Create();

        var denial = policy.Evaluate(RiskTier.Administrative, new DeploymentFacts("gpt-eu-1", lifecycle, HasBaa: true));

        Assert.Equal(
            new PolicyDenial(
                "model_lifecycle_not_allowed",
                $"Deployment 'gpt-eu-1' has the unknown lifecycle '{lifecycle}'; only candidate, validated, active, deprecated deployments can be served."),
            denial);
    }

    [Fact]
    public void Evaluate_TierOutsideOneToFour_DeniesEveryDeployment()
    {
        using var policy = Policy.Create();

        var denial = policy.Evaluate((RiskTier)7, new DeploymentFacts("gpt-eu-1", "active", HasBaa: true));

        Assert.Equal(
            new PolicyDenial("model_lifecycle_not_allowed", "Deployment 'gpt-eu-1' is 'active'; tier 7 (unknown) use cases accept no deployments."),
            denial);
    }

    [Fact]
    public void Evaluate_ConfiguredTier_ReplacesThatTiersDefaultOnly()
    {
        using var policy = Policy.Create(new()
        {
            ["Governance:RiskTiers:4:AllowedLifecycles:0"] = "Active",
            ["Governance:RiskTiers:4:AllowedLifecycles:1"] = "validated",
        });

        Assert.Null(policy.Evaluate(RiskTier.ClinicalDecisionSupport, new DeploymentFacts("triage-v2", "validated", HasBaa: true)));
        Assert.Equal(
            "Deployment 'triage-v1' is 'deprecated'; tier 4 (clinical decision support) use cases accept only validated, active deployments.",
            policy.Evaluate(RiskTier.ClinicalDecisionSupport, new DeploymentFacts("triage-v1", "deprecated", HasBaa: true))?.Message);
        Assert.Equal(
            "Deployment 'gpt-next' is 'validated'; tier 3 (clinical assistive) use cases accept only active, deprecated deployments.",
            policy.Evaluate(RiskTier.ClinicalAssistive, new DeploymentFacts("gpt-next", "validated", HasBaa: true))?.Message);
    }

    [Fact]
    public void Reload_ValidEdit_AppliesTheNewTiers()
    {
        var source = new ReloadableConfigurationSource(new Dictionary<string, string?>());
        using var policy = Policy.Watching(source);
        var candidate = new DeploymentFacts("gpt-next", "candidate", HasBaa: false);
        Assert.NotNull(policy.Evaluate(RiskTier.Administrative, candidate));

        source.Replace(new Dictionary<string, string?> { ["Governance:RiskTiers:1:AllowedLifecycles:0"] = "candidate" });

        Assert.Null(policy.Evaluate(RiskTier.Administrative, candidate));
        Assert.Equal(
            "Deployment 'gpt-eu-1' is 'active'; tier 1 (administrative) use cases accept only candidate deployments.",
            policy.Evaluate(RiskTier.Administrative, new DeploymentFacts("gpt-eu-1", "active", HasBaa: false))?.Message);
    }

    [Fact]
    public void Reload_InvalidEdit_KeepsTheLastValidTiers()
    {
        var source = new ReloadableConfigurationSource(new Dictionary<string, string?> { ["Governance:RiskTiers:1:AllowedLifecycles:0"] = "candidate" });
        using var policy = Policy.Watching(source);

        // OptionsMonitor rethrows the validation failure from the change callback; a file watcher swallows it.
        _ = Record.Exception(() => source.Replace(new Dictionary<string, string?>
        {
            ["Governance:RiskTiers:1:AllowedLifecycles:0"] = "active",
            ["Governance:RiskTiers:1:AllowedLifecycles:1"] = "retired",
        }));

        Assert.Null(policy.Evaluate(RiskTier.Administrative, new DeploymentFacts("gpt-next", "candidate", HasBaa: false)));
        Assert.Equal(
            "model_retired",
            policy.Evaluate(RiskTier.Administrative, new DeploymentFacts("gpt-4-0613", "retired", HasBaa: false))?.ReasonCode);
    }

    private static UseCase UseCase(RiskTier tier) =>
        new("discharge-summary", "Discharge summary draft", "Hospital medicine", null, null, tier, UseCaseStatus.Active, ["openai"]);

    /// <summary>The policy as the host builds it: resolved from AddXefAIGovernance's services, with a manual clock.</summary>
    private sealed class Policy : IDisposable
    {
        private readonly ServiceProvider _services;

        private Policy(IConfigurationSource source)
        {
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(Clock);
            services.AddXefAIGovernance(new ConfigurationBuilder().Add(source).Build()).AddPolicy<DeploymentLifecyclePolicy>();
            _services = services.BuildServiceProvider();
            Instance = Assert.IsType<DeploymentLifecyclePolicy>(Assert.Single(_services.GetServices<IPolicy>()));
        }

        public ManualClock Clock { get; } = new(Now);

        public DeploymentLifecyclePolicy Instance { get; }

        public static Policy Create(Dictionary<string, string?>? configuration = null) =>
            new(new ReloadableConfigurationSource(configuration ?? []));

        public static Policy Watching(ReloadableConfigurationSource source) => new(source);

        public PolicyDenial? Evaluate(RiskTier tier, DeploymentFacts deployment) =>
            Instance.Evaluate(new PolicyContext(UseCase(tier), "epic-addon", deployment));

        public void Dispose() => _services.Dispose();
    }
}
