using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

public sealed class GovernanceStateOptionsTests
{
    [Fact]
    public void Options_SectionMissing_UsesDefaults()
    {
        using var governance = GovernanceServices.Create();

        var options = governance.Get<IOptions<GovernanceOptions>>().Value;

        Assert.Equal("sqlite", options.StateStore);
        // Half a second: a poll, a version probe and a reload fit within the 1 s promised to replicas.
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.StatePollInterval);
        Assert.Equal(5, options.Sqlite.BusyTimeoutSeconds);
        Assert.Equal("data/governance.db", new GovernanceOptions().Sqlite.Path);
        Assert.Equal(TimeSpan.FromHours(24), options.Incidents.Window);
        Assert.Equal(3, options.Incidents.SuspendAfter);
        Assert.Equal(0.5, options.ErrorRate.Threshold);
        Assert.Equal(20, options.ErrorRate.MinimumCalls);
        Assert.Equal(TimeSpan.FromMinutes(5), options.ErrorRate.Window);
    }

    [Fact]
    public void StartupValidation_BadStateSettings_ReportsEveryError()
    {
        using var governance = GovernanceServices.Create(new()
        {
            ["Governance:StateStore"] = " ",
            ["Governance:Sqlite:BusyTimeoutSeconds"] = "0",
            ["Governance:StatePollInterval"] = "00:00:00",
            ["Governance:Incidents:Window"] = "-00:00:01",
            ["Governance:Incidents:SuspendAfter"] = "-1",
            ["Governance:ErrorRate:Threshold"] = "1.5",
            ["Governance:ErrorRate:MinimumCalls"] = "0",
            ["Governance:ErrorRate:Window"] = "00:00:00",
        });

        var error = Assert.Throws<OptionsValidationException>(() => governance.Provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            [
                "Governance:ErrorRate:MinimumCalls must be at least 1, not 0.",
                "Governance:ErrorRate:Threshold must be more than 0 and at most 1, not 1.5.",
                "Governance:ErrorRate:Window must be longer than zero, not 00:00:00.",
                "Governance:Incidents:SuspendAfter must be a number of incidents, or 0 to never suspend, not -1.",
                "Governance:Incidents:Window must be longer than zero, not -00:00:01.",
                "Governance:Sqlite:BusyTimeoutSeconds must be at least 1, not 0.",
                "Governance:StatePollInterval must be longer than zero, not 00:00:00.",
                "Governance:StateStore must name a governance state store kind, such as 'sqlite'.",
            ],
            error.Failures.Order(StringComparer.Ordinal));
    }
}
