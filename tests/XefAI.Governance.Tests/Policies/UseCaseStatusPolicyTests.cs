namespace XefAI.Governance.Tests;

public sealed class UseCaseStatusPolicyTests
{
    private readonly UseCaseStatusPolicy _policy = new();

    [Fact]
    public void Evaluate_Active_AllowsTheCall()
    {
        Assert.Equal("use-case-status", _policy.Name);
        Assert.Null(_policy.Evaluate(Context(UseCaseStatus.Active)));
    }

    [Fact]
    public void Evaluate_ActiveWithActivationRefusal_DeniesTier4ActivationRequiredWithTheRegistrysMessage()
    {
        var useCase = UseCases.Active(RiskTier.ClinicalDecisionSupport) with { ActivationRefusal = "Use case 'triage' is tier 4 and is not served: reasons. To serve it again, do this." };

        var denial = _policy.Evaluate(new PolicyContext(useCase, "ed-board"));

        Assert.Equal(new PolicyDenial("tier4_activation_required", "Use case 'triage' is tier 4 and is not served: reasons. To serve it again, do this."), denial);
        Assert.Null(_policy.Evaluate(new PolicyContext(useCase, "ed-board", new DeploymentFacts("gpt-eu-1", "active", HasBaa: true))));
    }

    [Theory]
    [InlineData(UseCaseStatus.Suspended, "Safety review.", "use_case_suspended", "Use case 'discharge-summary' is suspended: Safety review.")]
    [InlineData(UseCaseStatus.Suspended, null, "use_case_suspended", "Use case 'discharge-summary' is suspended: no reason recorded.")]
    [InlineData(UseCaseStatus.Retired, "Replaced by v2", "use_case_retired", "Use case 'discharge-summary' is retired: Replaced by v2.")]
    [InlineData(UseCaseStatus.Retired, " ", "use_case_retired", "Use case 'discharge-summary' is retired: no reason recorded.")]
    [InlineData(UseCaseStatus.Approved, null, "use_case_not_active", "Use case 'discharge-summary' is approved but not yet active.")]
    [InlineData(UseCaseStatus.Proposed, "Awaiting committee", "use_case_not_active", "Use case 'discharge-summary' is proposed but not yet active.")]
    public void Evaluate_NotActive_DeniesWithReasonCodeAndMessage(UseCaseStatus status, string? reason, string code, string message)
    {
        var denial = _policy.Evaluate(Context(status, reason));

        Assert.Equal(new PolicyDenial(code, message), denial);
    }

    [Theory]
    [InlineData(UseCaseStatus.Suspended)]
    [InlineData(UseCaseStatus.Retired)]
    [InlineData(UseCaseStatus.Proposed)]
    public void Evaluate_DeploymentStage_ReturnsNullSoTheCallStageReportsItOnce(UseCaseStatus status)
    {
        var context = Context(status, "Safety review") with { Deployment = new DeploymentFacts("gpt-eu-1", "active", HasBaa: true) };

        Assert.Null(_policy.Evaluate(context));
        Assert.NotNull(_policy.Evaluate(context with { Deployment = null }));
    }

    private static PolicyContext Context(UseCaseStatus status, string? reason = null) =>
        new(new UseCase("discharge-summary", "Discharge summary draft", "Hospital medicine", null, null, RiskTier.ClinicalAssistive, status, ["openai"], reason), "epic-addon");
}
