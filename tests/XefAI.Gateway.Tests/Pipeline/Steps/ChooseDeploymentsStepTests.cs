using XefAI.Data;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class ChooseDeploymentsStepTests
{
    private readonly FakeMetrics _metrics = new();
    private readonly FakeProviderCatalog _providers = new(PluginDoubles.InProcessModel("local", _ => CallContexts.Answer("local")));

    [Fact]
    public async Task Execute_EveryDeploymentAllowed_AllAreCandidatesInTheUseCasesOrder()
    {
        await using var call = CallContexts.Governed(useCase: TestConfig.VendorChat);

        await Step(new FakePolicyEngine()).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal([TestConfig.Vendor, TestConfig.Backup], call.Candidates);
    }

    [Fact]
    public async Task Execute_OneDeploymentDenied_OnlyTheOthersAreCandidates()
    {
        var policies = new FakePolicyEngine(c => c.Deployment?.Id == "vendor" ? FakePolicyEngine.Deny("deployment_suspended") : PolicyDecision.Allow);
        await using var call = CallContexts.Governed(useCase: TestConfig.VendorChat);

        await Step(policies).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal([TestConfig.Backup], call.Candidates);
        Assert.Empty(_metrics.Denials);
    }

    [Fact]
    public async Task Execute_PoliciesAreToldTheFactsOfEachDeployment()
    {
        var policies = new FakePolicyEngine();
        await using var vendorCall = CallContexts.Governed(useCase: TestConfig.VendorChat);
        await using var localCall = CallContexts.Governed(useCase: TestConfig.Summary);

        await Step(policies, new WordProtector("x", "y")).ExecuteAsync(vendorCall);
        await Step(policies, new PassThroughDataProtector()).ExecuteAsync(localCall);

        Assert.Equal(
            [
                new DeploymentFacts("vendor", "active", HasBaa: true),
                new DeploymentFacts("backup", "deprecated", HasBaa: false, new DateOnly(2030, 1, 31)),
                new DeploymentFacts("local", "active", HasBaa: false, InProcess: true),
            ],
            policies.Asked.Select(c => c.Deployment));
        Assert.Equal([true, true, false], policies.Asked.Select(c => c.CanDeIdentify));
        Assert.All(policies.Asked, c => Assert.Equal(TestConfig.AppId, c.AppId));
    }

    [Fact]
    public async Task Execute_AnAllowedDeploymentObligesDeIdentification_TheCallIsMarkedForTheProtectStep()
    {
        var obliging = new PolicyDecision([]) { Obligations = new PolicyObligations { DeIdentify = true } };
        var policies = new FakePolicyEngine(c => c.Deployment?.Id == "backup" ? obliging : PolicyDecision.Allow);
        await using var call = CallContexts.Governed(useCase: TestConfig.VendorChat);

        await Step(policies).ExecuteAsync(call);

        Assert.Equal([TestConfig.Vendor, TestConfig.Backup], call.Candidates);
        Assert.True(call.DeIdentificationObliged);
    }

    [Fact]
    public async Task Execute_OnlyADeniedDeploymentWouldHaveObligedDeIdentification_TheCallIsNotMarked()
    {
        var policies = new FakePolicyEngine(c => c.Deployment?.Id == "backup"
            ? FakePolicyEngine.Deny("deidentification_unavailable") with { Obligations = new PolicyObligations { DeIdentify = true } }
            : PolicyDecision.Allow);
        await using var call = CallContexts.Governed(useCase: TestConfig.VendorChat);

        await Step(policies).ExecuteAsync(call);

        Assert.Equal([TestConfig.Vendor], call.Candidates);
        Assert.False(call.DeIdentificationObliged);
    }

    [Fact]
    public async Task Execute_EveryDeploymentDenied_Refuses403WithTheReasonsOnceAndCountsEachDenial()
    {
        var policies = new FakePolicyEngine(_ => FakePolicyEngine.Deny("baa_required"));
        await using var call = CallContexts.Governed(useCase: TestConfig.VendorChat);

        await Step(policies).ExecuteAsync(call);

        Assert.Equal(403, call.Error?.StatusCode);
        Assert.Equal("baa_required", call.Error!.Code);
        Assert.Empty(call.Candidates);
        Assert.Equal(["baa_required", "baa_required"], _metrics.Denials);
    }

    [Fact]
    public async Task Execute_NoDeploymentOfTheUseCaseRegistered_Refuses503NoProvider()
    {
        var policies = new FakePolicyEngine();
        await using var call = CallContexts.Governed(useCase: TestConfig.Summary with { Providers = ["ghost"] });

        await Step(policies).ExecuteAsync(call);

        Assert.Equal(503, call.Error?.StatusCode);
        Assert.Equal("no_provider", call.Error!.Code);
        Assert.Empty(policies.Asked);
    }

    private ChooseDeploymentsStep Step(IPolicyEngine policies, IDataProtector? protector = null) =>
        new(policies, _providers, protector ?? new PassThroughDataProtector(), _metrics);
}
