using Microsoft.Extensions.Logging.Abstractions;

namespace XefAI.Governance.Tests;

/// <summary>Configuration cannot take a tier-4 use case live: only the admin API's guarded activation can.</summary>
public sealed class Tier4ConfigurationTests
{
    [Theory]
    [InlineData(4, "active", true)]
    [InlineData(4, "Active", true)]
    [InlineData(4, "proposed", false)]
    // Accepted: a replica restarting on a store that holds the use case's history must start, and approve records the
    // sponsor's missing approval from these statuses (Tier4ActivationTests).
    [InlineData(4, "approved", false)]
    [InlineData(4, "suspended", false)]
    [InlineData(3, "active", false)]
    public void Validate_Tier4ConfiguredActive_RefusedWithTheGuardNamed(int tier, string status, bool refused)
    {
        var options = new GovernanceOptions
        {
            UseCases = new Dictionary<string, UseCaseOptions>
            {
                ["triage"] = new() { Name = "Triage", Owner = "ED", Tier = tier, Status = status, Providers = ["local"] },
            },
        };

        var result = new GovernanceOptionsValidator(NullLogger<GovernanceOptionsValidator>.Instance).Validate(null, options);

        Assert.Equal(refused, result.Failed);
        if (refused)
        {
            var failure = Assert.Single(result.Failures!);
            Assert.Contains("Governance:UseCases:triage", failure, StringComparison.Ordinal);
            Assert.Contains("/admin/use-cases/triage/approve", failure, StringComparison.Ordinal);
        }
    }
}
