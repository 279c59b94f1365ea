namespace XefAI.Governance.Tests;

public sealed class IncidentReporterTests
{
    [Fact]
    public async Task ReportAsync_Incident_IsStoredAndListed()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("triage", 3, "active"));
        var reporter = governance.Get<IIncidentReporter>();
        governance.Clock.Now = GovernanceServices.Start.AddMinutes(3);

        var report = await reporter.ReportAsync(" aud_01J ", "triage", " nurse.j ", " Score contradicted the chart. ", IncidentSeverity.High, CancellationToken.None);

        var incident = report.Incident;
        Assert.StartsWith("inc_", incident.Id, StringComparison.Ordinal);
        Assert.Equal(
            new Incident(incident.Id, "aud_01J", "triage", "nurse.j", "Score contradicted the chart.", IncidentSeverity.High, GovernanceServices.Start.AddMinutes(3))
            {
                Sequence = incident.Sequence,
            },
            incident);
        Assert.Null(report.Suspension);
        Assert.Equal([incident], await reporter.QueryAsync(new IncidentQuery("triage"), CancellationToken.None));
        Assert.Equal(UseCaseStatus.Active, governance.UseCase("triage").Status);
    }

    [Fact]
    public async Task ReportAsync_ThirdIncidentWithin24Hours_SuspendsTheUseCaseNamingTheIncidents()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("triage", 3, "active"), b => b.AddPolicy<UseCaseStatusPolicy>());

        var first = await Report(governance);
        governance.Clock.Now += TimeSpan.FromHours(10);
        var second = await Report(governance);
        governance.Clock.Now += TimeSpan.FromHours(13);
        var third = await Report(governance);

        Assert.Null(first.Suspension);
        Assert.Null(second.Suspension);
        var suspension = Assert.IsType<UseCaseStatusChange>(third.Suspension);
        Assert.Equal("system", suspension.Actor);
        Assert.Equal(UseCaseAction.Suspend, suspension.Action);
        Assert.Equal(
            $"Suspended automatically: 3 incidents within 24 hours ({first.Incident.Id}, {second.Incident.Id}, {third.Incident.Id}).",
            suspension.Reason);
        var useCase = governance.UseCase("triage");
        Assert.Equal(UseCaseStatus.Suspended, useCase.Status);
        Assert.Equal(
            "use_case_suspended",
            Assert.Single(governance.Get<IPolicyEngine>().Evaluate(new PolicyContext(useCase, "epic-addon")).Denials).ReasonCode);
    }

    [Fact]
    public async Task ReportAsync_IncidentsSpreadBeyondTheWindow_DoNotSuspend()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("triage", 3, "active"));

        await Report(governance);
        await Report(governance);
        governance.Clock.Now += TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1);
        var third = await Report(governance);

        Assert.Null(third.Suspension);
        Assert.Equal(UseCaseStatus.Active, governance.UseCase("triage").Status);
        Assert.Equal(3, (await governance.Get<IIncidentReporter>().QueryAsync(new IncidentQuery("triage"), CancellationToken.None)).Count);
    }

    [Fact]
    public async Task ReportAsync_AfterResume_CountsOnlyIncidentsSinceTheResumption()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("triage", 3, "active"));
        for (var i = 0; i < 3; i++)
        {
            await Report(governance);
        }

        Assert.Equal(UseCaseStatus.Suspended, governance.UseCase("triage").Status);
        governance.Clock.Now += TimeSpan.FromHours(1);
        await governance.ApplyAsync("triage", UseCaseAction.Resume, reason: "Root cause fixed");
        governance.Clock.Now += TimeSpan.FromMinutes(1);

        Assert.Null((await Report(governance)).Suspension);
        Assert.Null((await Report(governance)).Suspension);
        Assert.NotNull((await Report(governance)).Suspension);
        Assert.Equal(UseCaseStatus.Suspended, governance.UseCase("triage").Status);
    }

    [Fact]
    public async Task ReportAsync_ConfiguredThresholdAndWindow_Apply()
    {
        var configuration = UseCases.Configured("triage", 3, "active");
        configuration["Governance:Incidents:SuspendAfter"] = "2";
        configuration["Governance:Incidents:Window"] = "01:00:00";
        await using var governance = GovernanceServices.Create(configuration);

        await Report(governance);
        governance.Clock.Now += TimeSpan.FromMinutes(59);
        var second = await Report(governance);

        Assert.StartsWith("Suspended automatically: 2 incidents within 1 hour (", second.Suspension?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportAsync_SuspendAfterZero_NeverSuspends()
    {
        var configuration = UseCases.Configured("triage", 3, "active");
        configuration["Governance:Incidents:SuspendAfter"] = "0";
        await using var governance = GovernanceServices.Create(configuration);

        for (var i = 0; i < 5; i++)
        {
            Assert.Null((await Report(governance)).Suspension);
        }

        Assert.Equal(UseCaseStatus.Active, governance.UseCase("triage").Status);
    }

    [Theory]
    [InlineData("approved")]
    [InlineData("suspended")]
    [InlineData("retired")]
    public async Task ReportAsync_UseCaseNotActive_StoresTheIncidentWithoutSuspending(string status)
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("triage", 3, status));

        for (var i = 0; i < 3; i++)
        {
            Assert.Null((await Report(governance)).Suspension);
        }

        Assert.Empty(await governance.Administration.GetHistoryAsync("triage", CancellationToken.None));
    }

    [Fact]
    public async Task ReportAsync_UnknownUseCase_ThrowsUnknownUseCase()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("triage", 3, "active"));

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () =>
            await governance.Get<IIncidentReporter>().ReportAsync(null, "sepsis", "nurse.j", "Wrong", IncidentSeverity.Low, CancellationToken.None));

        Assert.Equal("unknown_use_case", error.Code);
    }

    [Fact]
    public async Task ReportAsync_BlankDescription_ThrowsArgumentException()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("triage", 3, "active"));

        await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await governance.Get<IIncidentReporter>().ReportAsync(null, "triage", "nurse.j", " ", IncidentSeverity.Low, CancellationToken.None));
    }

    private static ValueTask<IncidentReport> Report(GovernanceServices governance) =>
        governance.Get<IIncidentReporter>().ReportAsync(null, "triage", "nurse.j", "Score contradicted the chart.", IncidentSeverity.Moderate, CancellationToken.None);
}
