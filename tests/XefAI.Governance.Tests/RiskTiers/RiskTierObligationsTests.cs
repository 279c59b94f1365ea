using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

public sealed class RiskTierObligationsTests
{
    public static TheoryData<RiskTier, bool?, bool, bool, string, bool, int?> Defaults => new()
    {
        // tier, deployment BAA (null = call stage), de-identify, re-identify, review, verbatim audit, max tokens
        { RiskTier.Administrative, null, true, true, "none", false, null },
        { RiskTier.Administrative, false, true, true, "none", false, null },
        { RiskTier.Administrative, true, false, true, "none", false, null },
        { RiskTier.Operational, null, true, true, "none", true, null },
        { RiskTier.Operational, false, true, true, "none", true, null },
        { RiskTier.Operational, true, false, true, "none", true, null },
        { RiskTier.ClinicalAssistive, null, true, true, "draft", true, null },
        { RiskTier.ClinicalAssistive, false, true, true, "draft", true, null },
        { RiskTier.ClinicalAssistive, true, false, true, "draft", true, null },
        { RiskTier.ClinicalDecisionSupport, null, true, false, "hold", true, 4096 },
        { RiskTier.ClinicalDecisionSupport, false, true, false, "hold", true, 4096 },
        { RiskTier.ClinicalDecisionSupport, true, false, false, "hold", true, 4096 },
    };

    [Theory]
    [MemberData(nameof(Defaults))]
    public void Evaluate_NothingConfigured_ObligesWhatTheDesignSays(
        RiskTier tier, bool? hasBaa, bool deIdentify, bool reIdentify, string review, bool verbatim, int? maxTokens)
    {
        using var governance = GovernanceServices.Create();

        var decision = Evaluate(governance, tier, hasBaa);

        Assert.True(decision.IsAllowed);
        Assert.Equal(
            new PolicyObligations
            {
                DeIdentify = deIdentify, ReIdentify = reIdentify, Review = review, AuditVerbatim = verbatim, AuditOriginalText = false, MaxTokens = maxTokens,
            },
            decision.Obligations);
    }

    [Fact]
    public void Evaluate_ConfiguredTier_OverridesOnlyTheSettingsGiven()
    {
        using var governance = GovernanceServices.Create(new()
        {
            ["Governance:RiskTiers:1:DeIdentifyUnlessBaa"] = "true",
            ["Governance:RiskTiers:1:Review"] = "DRAFT",
            ["Governance:RiskTiers:1:MaxTokens"] = "1000",
            ["Governance:RiskTiers:1:ReIdentifyAnswers"] = "false",
            ["Governance:RiskTiers:2:VerbatimAuditText"] = " Original ",
            ["Governance:RiskTiers:4:MaxTokens"] = "0",
            ["Governance:RiskTiers:4:AuditVerbatim"] = "false",
            ["Governance:RiskTiers:4:ReIdentifyAnswers"] = "true",
        });

        Assert.Equal(
            new PolicyObligations { DeIdentify = true, ReIdentify = false, Review = "draft", AuditVerbatim = false, MaxTokens = 1000 },
            Evaluate(governance, RiskTier.Administrative, hasBaa: false).Obligations);
        Assert.Equal(
            new PolicyObligations { DeIdentify = false, ReIdentify = true, Review = "hold", AuditVerbatim = false, MaxTokens = null },
            Evaluate(governance, RiskTier.ClinicalDecisionSupport, hasBaa: true).Obligations);
        Assert.Equal(
            new PolicyObligations { DeIdentify = true, Review = "none", AuditVerbatim = true, AuditOriginalText = true },
            Evaluate(governance, RiskTier.Operational, hasBaa: null).Obligations);
        Assert.Equal(
            new PolicyObligations { DeIdentify = true, Review = "draft", AuditVerbatim = true, AuditOriginalText = false },
            Evaluate(governance, RiskTier.ClinicalAssistive, hasBaa: false).Obligations);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(false)]
    [InlineData(true)]
    public void Evaluate_UseCaseOptedOut_NothingIsToBeDeIdentifiedAndTheOtherObligationsStay(bool? hasBaa)
    {
        using var governance = GovernanceServices.Create();
        var useCase = UseCases.Active(RiskTier.ClinicalAssistive) with { DeIdentificationOptOut = "Synthetic test patients only." };
        var deployment = hasBaa is { } baa ? new DeploymentFacts("gpt-eu-1", "active", baa) : null;

        var obligations = governance.Get<IPolicyEngine>().Evaluate(new PolicyContext(useCase, "epic-addon", deployment)).Obligations;

        Assert.Equal(new PolicyObligations { DeIdentify = false, Review = "draft", AuditVerbatim = true }, obligations);
    }

    [Fact]
    public void OptedOut_SameObligationsTwice_BuildsTheirOptedOutFormOnce()
    {
        var obligations = new PolicyObligations { DeIdentify = true, Review = "draft" };

        var first = RiskTierControls.OptedOut(obligations);

        Assert.False(first.DeIdentify);
        Assert.Equal("draft", first.Review);
        Assert.Same(first, RiskTierControls.OptedOut(obligations));
        Assert.Same(first, RiskTierControls.OptedOut(first));
    }

    [Fact]
    public void Evaluate_BlankReview_KeepsTheTiersDefault()
    {
        using var governance = GovernanceServices.Create(new() { ["Governance:RiskTiers:3:Review"] = "" });

        Assert.Equal("draft", Evaluate(governance, RiskTier.ClinicalAssistive, null).Obligations.Review);
    }

    [Fact]
    public void Evaluate_TierOutsideOneToFour_ObligesEverything()
    {
        using var governance = GovernanceServices.Create();

        Assert.Equal(
            new PolicyObligations { DeIdentify = true, ReIdentify = false, Review = "hold", AuditVerbatim = true },
            Evaluate(governance, (RiskTier)9, hasBaa: true).Obligations);
    }

    [Fact]
    public void Evaluate_Denied_StillCarriesTheObligations()
    {
        using var governance = GovernanceServices.Create(configure: b => b.AddPolicy<UseCaseStatusPolicy>());
        var useCase = UseCases.Active(RiskTier.ClinicalAssistive) with { Status = UseCaseStatus.Suspended };

        var decision = governance.Get<IPolicyEngine>().Evaluate(new PolicyContext(useCase, "epic-addon"));

        Assert.False(decision.IsAllowed);
        Assert.Equal("draft", decision.Obligations.Review);
    }

    [Fact]
    public void Reload_ValidEdit_ChangesTheObligations()
    {
        var source = new ReloadableConfigurationSource(new Dictionary<string, string?>());
        using var governance = GovernanceServices.Watching(source);
        Assert.Equal("none", Evaluate(governance, RiskTier.Operational, null).Obligations.Review);

        source.Replace(new Dictionary<string, string?> { ["Governance:RiskTiers:2:Review"] = "hold" });

        Assert.Equal("hold", Evaluate(governance, RiskTier.Operational, null).Obligations.Review);
    }

    [Fact]
    public void StartupValidation_BadTierControls_ReportsEveryError()
    {
        using var governance = GovernanceServices.Create(new()
        {
            ["Governance:RiskTiers:2:Review"] = "later",
            ["Governance:RiskTiers:2:MaxTokens"] = "-1",
            ["Governance:RiskTiers:2:VerbatimAuditText"] = "redacted",
            ["Governance:RiskTiers:4:RateLimit:PermitLimit"] = "-5",
            ["Governance:RiskTiers:4:RateLimit:Window"] = "00:00:00",
        });

        var error = Assert.Throws<OptionsValidationException>(() => governance.Provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            [
                "Governance:RiskTiers:2: MaxTokens must be a positive number of tokens, or 0 for no cap, not -1.",
                "Governance:RiskTiers:2: Review 'later' must be one of none, draft, hold.",
                "Governance:RiskTiers:2: VerbatimAuditText 'redacted' must be one of deidentified, original.",
                "Governance:RiskTiers:4: RateLimit:PermitLimit must be a positive number of calls, or 0 for no limit, not -5.",
                "Governance:RiskTiers:4: RateLimit:Window must be longer than zero, not 00:00:00.",
            ],
            error.Failures.Order(StringComparer.Ordinal));
    }

    private static PolicyDecision Evaluate(GovernanceServices governance, RiskTier tier, bool? hasBaa)
    {
        var deployment = hasBaa is { } baa ? new DeploymentFacts("gpt-eu-1", "active", baa) : null;
        return governance.Get<IPolicyEngine>().Evaluate(new PolicyContext(UseCases.Active(tier), "epic-addon", deployment));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("3")]
    public void StartupValidation_TierWithoutDeIdentification_IsRefusedPointingToTheUseCaseOptOut(string tier)
    {
        using var governance = GovernanceServices.Create(new() { [$"Governance:RiskTiers:{tier}:DeIdentifyUnlessBaa"] = "false" });

        var error = Assert.Throws<OptionsValidationException>(() => governance.Provider.GetRequiredService<IStartupValidator>().Validate());

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith($"Governance:RiskTiers:{tier}: DeIdentifyUnlessBaa cannot be turned off", failure, StringComparison.Ordinal);
        Assert.Contains("DeIdentification:OptOut", failure, StringComparison.Ordinal);
    }
}
