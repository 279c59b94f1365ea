using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

public sealed class GovernanceServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddXefAIGovernance_WithScannedPlugins_ResolvesAWorkingLayer()
    {
        await using var db = new TempAuditDatabase();
        var configuration = Configuration(new()
        {
            ["Audit:Sqlite:Path"] = db.FilePath,
            ["Governance:Sqlite:Path"] = Path.Combine(db.Folder, "governance.db"),
            ["Governance:UseCases:discharge-summary:Name"] = "Discharge summary draft",
            ["Governance:UseCases:discharge-summary:Owner"] = "Hospital medicine",
            ["Governance:UseCases:discharge-summary:Tier"] = "3",
            ["Governance:UseCases:discharge-summary:Status"] = "suspended",
            ["Governance:UseCases:discharge-summary:Providers:0"] = "openai",
        });
        var services = new ServiceCollection();

        // What the host's assembly scan adds.
        services.AddSingleton<IAuditStore, SqliteAuditStore>();
        services.AddSingleton<IPolicy, UseCaseStatusPolicy>();
        services.AddSingleton<IPolicy, DeploymentLifecyclePolicy>();
        services.AddXefAIGovernance(configuration);
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.True(provider.GetRequiredService<IUseCaseRegistry>().TryGet("discharge-summary", out var useCase));
        var engine = provider.GetRequiredService<IPolicyEngine>();
        var decision = engine.Evaluate(new PolicyContext(useCase, "epic-addon"));
        Assert.Equal("use_case_suspended", Assert.Single(decision.Denials).ReasonCode);
        var deployment = engine.Evaluate(new PolicyContext(useCase, "epic-addon", new DeploymentFacts("gpt-next", "validated", HasBaa: true)));
        Assert.Equal("model_lifecycle_not_allowed", Assert.Single(deployment.Denials).ReasonCode);

        var trail = provider.GetRequiredService<IAuditTrail>();
        var record = await trail.AppendAsync(AuditEntries.Create(1), CancellationToken.None);
        Assert.Equal("sqlite", trail.StoreKind);
        Assert.Equal(record, await trail.GetAsync(record.Id, CancellationToken.None));
        Assert.True(await trail.IsReadyAsync(CancellationToken.None));
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.NotNull(provider.GetRequiredService<IGatewayMetrics>());
    }

    [Fact]
    public void AddXefAIGovernance_RegistersNoPluginsAndAddPolicyTwiceRegistersOnce()
    {
        var services = new ServiceCollection();

        var builder = services.AddXefAIGovernance(Configuration([]));
        services.AddXefAIGovernance(Configuration([]));
        builder.AddPolicy<UseCaseStatusPolicy>().AddPolicy<UseCaseStatusPolicy>();

        Assert.Same(services, builder.Services);
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IAuditStore));
        Assert.Single(services, d => d.ServiceType == typeof(IPolicy));
        Assert.Single(services, d => d.ServiceType == typeof(IAuditTrail));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<GovernanceOptions>));
    }

    [Fact]
    public void AddXefAIGovernance_HostOverridesADefault_KeepsTheHostsService()
    {
        var services = new ServiceCollection();
        var clock = new StoppedClock();
        services.AddSingleton<TimeProvider>(clock);

        services.AddXefAIGovernance(Configuration([]));
        using var provider = services.BuildServiceProvider();

        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void StartupValidation_BadAuditSection_FailsWithEveryError()
    {
        var services = new ServiceCollection();
        services.AddXefAIGovernance(Configuration(new()
        {
            ["Audit:Store"] = "",
            ["Audit:MaxBatchSize"] = "0",
            ["Audit:Sqlite:BusyTimeoutSeconds"] = "0",
        }));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            [
                "Audit:MaxBatchSize must be at least 1, not 0.",
                "Audit:Sqlite:BusyTimeoutSeconds must be at least 1, not 0.",
                "Audit:Store must name an audit store kind, such as 'sqlite'.",
            ],
            error.Failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void StartupValidation_RetiredAllowedForATier_RefusesToStart()
    {
        var services = new ServiceCollection();
        services.AddXefAIGovernance(Configuration(new()
        {
            ["Governance:RiskTiers:1:AllowedLifecycles:0"] = "retired",
            ["Governance:RiskTiers:9:AllowedLifecycles:0"] = "active",
        }));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            [
                "Governance:RiskTiers:1: AllowedLifecycles must not include 'retired': a retired deployment is never served.",
                "Governance:RiskTiers:9: the risk tier must be 1, 2, 3 or 4.",
            ],
            error.Failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AuditOptions_SectionMissing_UsesDefaults()
    {
        var services = new ServiceCollection();
        services.AddXefAIGovernance(Configuration([]));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AuditOptions>>().Value;

        Assert.Equal("sqlite", options.Store);
        Assert.Equal(256, options.MaxBatchSize);
        Assert.Equal("data/audit.db", options.Sqlite.Path);
        Assert.Equal(5, options.Sqlite.BusyTimeoutSeconds);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private sealed class StoppedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }
}
