using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

public sealed class UseCaseRegistryTests : IDisposable
{
    private readonly string _folder = GovernanceServices.NewFolder();

    private const string Json = """
        {
          "Governance": {
            "UseCases": {
              "discharge-summary": {
                "Name": "Discharge summary draft",
                "Owner": "Hospital medicine",
                "ClinicalSponsor": "Dr. A. Chen",
                "IntendedUse": "Drafts a discharge summary for clinician review.",
                "Tier": 3,
                "Status": "ACTIVE",
                "StatusReason": null,
                "Providers": [ "local-extractive", " openai " ]
              },
              "coding-assist": {
                "Name": "Coding suggestions",
                "Owner": "Revenue cycle",
                "Tier": 2,
                "Status": "suspended",
                "StatusReason": "Vendor BAA under review",
                "Providers": [ "openai" ]
              }
            }
          }
        }
        """;

    [Fact]
    public void TryGet_BoundFromJson_MapsEveryField()
    {
        using var services = BuildServices(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json))).Build());
        var registry = services.GetRequiredService<IUseCaseRegistry>();

        Assert.True(registry.TryGet("discharge-summary", out var useCase));
        Assert.Equal("discharge-summary", useCase.Id);
        Assert.Equal("Discharge summary draft", useCase.Name);
        Assert.Equal("Hospital medicine", useCase.Owner);
        Assert.Equal("Dr. A. Chen", useCase.ClinicalSponsor);
        Assert.Equal("Drafts a discharge summary for clinician review.", useCase.IntendedUse);
        Assert.Equal(RiskTier.ClinicalAssistive, useCase.Tier);
        Assert.Equal(UseCaseStatus.Active, useCase.Status);
        Assert.Equal(["local-extractive", "openai"], useCase.Providers);
        Assert.Null(useCase.StatusReason);

        Assert.True(registry.TryGet("coding-assist", out var coding));
        Assert.Equal(UseCaseStatus.Suspended, coding.Status);
        Assert.Equal("Vendor BAA under review", coding.StatusReason);
        Assert.Equal(["coding-assist", "discharge-summary"], registry.All.Select(u => u.Id));
    }

    [Fact]
    public void TryGet_IdInOtherCase_IsNotFound()
    {
        using var services = BuildServices(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json))).Build());
        var registry = services.GetRequiredService<IUseCaseRegistry>();

        Assert.False(registry.TryGet("Discharge-Summary", out var useCase));
        Assert.Null(useCase);
    }

    [Fact]
    public void Options_TwoInvalidUseCases_ReportsEveryErrorOfBoth()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Governance:UseCases:triage-score:Tier"] = "5",
            ["Governance:UseCases:triage-score:Status"] = "live",
            ["Governance:UseCases:triage-score:Owner"] = "ED",
            ["Governance:UseCases:triage-score:Providers:0"] = "openai",
            ["Governance:UseCases:inbox-draft:Name"] = "Inbox reply",
            ["Governance:UseCases:inbox-draft:Tier"] = "1",
            ["Governance:UseCases:inbox-draft:Status"] = "Approved",
        }).Build();
        using var services = BuildServices(configuration);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<GovernanceOptions>>().CurrentValue);

        Assert.Equal(
            [
                "Governance:UseCases:inbox-draft: Owner is required.",
                "Governance:UseCases:inbox-draft: at least one provider is required.",
                "Governance:UseCases:triage-score: Name is required.",
                "Governance:UseCases:triage-score: Status 'live' must be one of proposed, approved, active, suspended, retired.",
                "Governance:UseCases:triage-score: Tier must be 1 to 4, not 5.",
            ],
            error.Failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Reload_ValidEdit_SwapsTheSnapshot()
    {
        var source = new ReloadableConfigurationSource(UseCase("discharge-summary", "active"));
        using var services = BuildServices(new ConfigurationBuilder().Add(source).Build());
        var registry = services.GetRequiredService<IUseCaseRegistry>();
        var before = registry.All;

        var edited = UseCase("discharge-summary", "suspended", "Incident INC-42");
        foreach (var (key, value) in UseCase("inbox-draft", "active"))
        {
            edited[key] = value;
        }

        source.Replace(edited);

        Assert.True(registry.TryGet("discharge-summary", out var useCase));
        Assert.Equal(UseCaseStatus.Suspended, useCase.Status);
        Assert.Equal("Incident INC-42", useCase.StatusReason);
        Assert.Equal(["discharge-summary", "inbox-draft"], registry.All.Select(u => u.Id));
        Assert.Equal(UseCaseStatus.Active, Assert.Single(before).Status);
    }

    [Fact]
    public void Reload_InvalidEdit_KeepsTheLastValidSnapshot()
    {
        var source = new ReloadableConfigurationSource(UseCase("discharge-summary", "active"));
        using var services = BuildServices(new ConfigurationBuilder().Add(source).Build());
        var registry = services.GetRequiredService<IUseCaseRegistry>();

        // OptionsMonitor rethrows the validation failure from the change callback; a file watcher swallows it.
        _ = Record.Exception(() => source.Replace(UseCase("discharge-summary", "paused")));

        Assert.True(registry.TryGet("discharge-summary", out var useCase));
        Assert.Equal(UseCaseStatus.Active, useCase.Status);
    }

    private static Dictionary<string, string?> UseCase(string id, string status, string? reason = null) => new()
    {
        [$"Governance:UseCases:{id}:Name"] = id,
        [$"Governance:UseCases:{id}:Owner"] = "Owner",
        [$"Governance:UseCases:{id}:Tier"] = "3",
        [$"Governance:UseCases:{id}:Status"] = status,
        [$"Governance:UseCases:{id}:StatusReason"] = reason,
        [$"Governance:UseCases:{id}:Providers:0"] = "openai",
    };

    public void Dispose() => GovernanceServices.DeleteFolder(_folder);

    private ServiceProvider BuildServices(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddXefAIGovernance(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Governance:Sqlite:Path"] = Path.Combine(_folder, "governance.db") })
            .AddConfiguration(configuration)
            .Build());
        return services.BuildServiceProvider();
    }
}
