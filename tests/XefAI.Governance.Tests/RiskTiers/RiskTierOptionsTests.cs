using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

public sealed class RiskTierOptionsTests
{
    [Fact]
    public void Options_BoundFromJson_KeepsTiersKeyedByNumber()
    {
        using var services = BuildServices(Json("""
            {
              "Governance": {
                "RiskTiers": {
                  "3": { "AllowedLifecycles": [ "Active" ] },
                  "4": { "AllowedLifecycles": [ "active", "validated" ] }
                }
              }
            }
            """));

        var tiers = services.GetRequiredService<IOptionsMonitor<GovernanceOptions>>().CurrentValue.RiskTiers;

        Assert.Equal(["3", "4"], tiers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["Active"], tiers["3"].AllowedLifecycles);
        Assert.Equal(["active", "validated"], tiers["4"].AllowedLifecycles);
    }

    [Fact]
    public void Options_SectionMissing_HasNoTiersSoEveryTierKeepsItsDefault()
    {
        using var services = BuildServices(new ConfigurationBuilder().Build());

        Assert.Empty(services.GetRequiredService<IOptionsMonitor<GovernanceOptions>>().CurrentValue.RiskTiers);
    }

    [Fact]
    public void Options_EmptyJsonArray_BindsAsNotConfigured()
    {
        using var services = BuildServices(Json("""{ "Governance": { "RiskTiers": { "4": { "AllowedLifecycles": [] } } } }"""));

        var tiers = services.GetRequiredService<IOptionsMonitor<GovernanceOptions>>().CurrentValue.RiskTiers;

        Assert.Null(Assert.Single(tiers).Value?.AllowedLifecycles);
    }

    [Fact]
    public void Options_InvalidRiskTiers_ReportsEveryError()
    {
        using var services = BuildServices(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Governance:RiskTiers:0:AllowedLifecycles:0"] = "active",
            ["Governance:RiskTiers:5:AllowedLifecycles:0"] = "active",
            ["Governance:RiskTiers:three:AllowedLifecycles:0"] = "active",
            ["Governance:RiskTiers:2:AllowedLifecycles:0"] = "validated",
            ["Governance:RiskTiers:2:AllowedLifecycles:1"] = "Retired",
            ["Governance:RiskTiers:3:AllowedLifecycles:0"] = "live",
            ["Governance:RiskTiers:3:AllowedLifecycles:1"] = "active, deprecated",
        }).Build());

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<GovernanceOptions>>().CurrentValue);

        Assert.Equal(
            [
                "Governance:RiskTiers:0: the risk tier must be 1, 2, 3 or 4.",
                "Governance:RiskTiers:2: AllowedLifecycles must not include 'retired': a retired deployment is never served.",
                "Governance:RiskTiers:3: AllowedLifecycles 'active, deprecated' must be one of candidate, validated, active, deprecated.",
                "Governance:RiskTiers:3: AllowedLifecycles 'live' must be one of candidate, validated, active, deprecated.",
                "Governance:RiskTiers:5: the risk tier must be 1, 2, 3 or 4.",
                "Governance:RiskTiers:three: the risk tier must be 1, 2, 3 or 4.",
            ],
            error.Failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_EmptyListSetInCode_IsRejected()
    {
        using var services = BuildServices(new ConfigurationBuilder().Build());
        var validator = services.GetRequiredService<IEnumerable<IValidateOptions<GovernanceOptions>>>().Single();

        var result = validator.Validate(
            Options.DefaultName,
            new GovernanceOptions { RiskTiers = new Dictionary<string, RiskTierOptions> { ["4"] = new() { AllowedLifecycles = [] } } });

        Assert.Equal(
            ["Governance:RiskTiers:4: AllowedLifecycles must name at least one lifecycle; to serve nothing, suspend the tier's use cases."],
            result.Failures);
    }

    [Fact]
    public void Validate_UseCaseAndTierErrors_AreReportedTogether()
    {
        using var services = BuildServices(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Governance:UseCases:triage:Name"] = "Triage",
            ["Governance:UseCases:triage:Tier"] = "4",
            ["Governance:UseCases:triage:Status"] = "proposed",
            ["Governance:UseCases:triage:Providers:0"] = "local",
            ["Governance:RiskTiers:4:AllowedLifecycles:0"] = "retired",
        }).Build());

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<GovernanceOptions>>().CurrentValue);

        Assert.Equal(
            [
                "Governance:RiskTiers:4: AllowedLifecycles must not include 'retired': a retired deployment is never served.",
                "Governance:UseCases:triage: Owner is required.",
            ],
            error.Failures.Order(StringComparer.Ordinal));
    }

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private static ServiceProvider BuildServices(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddXefAIGovernance(configuration);
        return services.BuildServiceProvider();
    }
}
