using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace XefAI.Governance.Tests;

public sealed class GovernanceControlsRegistrationTests : IDisposable
{
    private readonly string _folder = GovernanceServices.NewFolder();

    [Fact]
    public async Task AddXefAIGovernance_WithEveryPolicyScanned_ResolvesTheNewServicesAndPolicies()
    {
        var services = new ServiceCollection();

        // What the host's assembly scan adds: every IPolicy, and the built-in state store once more.
        foreach (var policy in new[]
        {
            typeof(UseCaseStatusPolicy), typeof(DeploymentLifecyclePolicy), typeof(BaaPolicy), typeof(MaxTokensPolicy),
            typeof(RateLimitPolicy), typeof(DeploymentSuspendedPolicy), typeof(AllowedAppsPolicy),
        })
        {
            services.AddSingleton(typeof(IPolicy), policy);
        }

        services.AddXefAIGovernance(Configuration());
        services.AddXefAIGovernance(Configuration());
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(7, provider.GetServices<IPolicy>().Select(p => p.Name).Distinct().Count());
        Assert.Equal(["sqlite", "postgres"], provider.GetServices<IGovernanceStateStore>().Select(s => s.Kind));
        Assert.NotNull(provider.GetRequiredService<IUseCaseAdministration>());
        Assert.NotNull(provider.GetRequiredService<IDeploymentSuspensions>());
        Assert.NotNull(provider.GetRequiredService<IIncidentReporter>());
        Assert.NotNull(provider.GetRequiredService<IErrorRateMonitor>());

        Assert.True(provider.GetRequiredService<IUseCaseRegistry>().TryGet("triage", out var useCase));
        var decision = provider.GetRequiredService<IPolicyEngine>().Evaluate(
            new PolicyContext(useCase, "ed-board", new DeploymentFacts("gpt-us-public", "active", HasBaa: false)));
        Assert.Equal(["vendor_without_baa"], decision.Denials.Select(d => d.ReasonCode));
        Assert.Equal(new PolicyObligations { DeIdentify = true, ReIdentify = false, Review = "hold", AuditVerbatim = true, MaxTokens = 4096 }, decision.Obligations);
    }

    [Fact]
    public void AddXefAIGovernance_Twice_RegistersEachNewServiceOnceAndNoPolicy()
    {
        var services = new ServiceCollection();

        services.AddXefAIGovernance(Configuration());
        services.AddXefAIGovernance(Configuration());

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IPolicy));
        foreach (var type in new[]
        {
            typeof(IUseCaseAdministration), typeof(IDeploymentSuspensions),
            typeof(IIncidentReporter), typeof(IErrorRateMonitor), typeof(GovernanceStateCache), typeof(RiskTierControlsSource),
        })
        {
            Assert.Single(services, d => d.ServiceType == type);
        }

        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(IGovernanceStateStore)));
    }

    public void Dispose() => GovernanceServices.DeleteFolder(_folder);

    private IConfiguration Configuration() => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>(UseCases.Configured("triage", 4, "proposed", "Dr. B. Osei"))
        {
            ["Governance:Sqlite:Path"] = Path.Combine(_folder, "governance.db"),
        })
        .Build();
}
