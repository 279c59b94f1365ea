namespace XefAI.Governance.Tests;

public sealed class AllowedAppsPolicyTests
{
    private static readonly UseCase Restricted = UseCases.Active(RiskTier.ClinicalDecisionSupport) with { AllowedApps = ["ed-board"] };

    [Fact]
    public void Evaluate_AppNotListed_DeniesNamingTheOwner()
    {
        var denial = new AllowedAppsPolicy().Evaluate(new PolicyContext(Restricted, "inbox-app"));

        Assert.Equal(
            new PolicyDenial("app_not_allowed", "App 'inbox-app' is not among the apps use case 'triage' allows; ask its owner (Emergency medicine) to add it."),
            denial);
    }

    [Fact]
    public void Evaluate_AppListedOrListEmpty_ReturnsNull()
    {
        var policy = new AllowedAppsPolicy();

        Assert.Equal("allowed-apps", policy.Name);
        Assert.Null(policy.Evaluate(new PolicyContext(Restricted, "ed-board")));
        Assert.Null(policy.Evaluate(new PolicyContext(UseCases.Active(RiskTier.ClinicalDecisionSupport), "inbox-app")));
    }

    [Fact]
    public void Evaluate_DeploymentStage_ReturnsNull()
    {
        Assert.Null(new AllowedAppsPolicy().Evaluate(new PolicyContext(Restricted, "inbox-app", new DeploymentFacts("gpt", "active", true))));
    }
}
