namespace XefAI.Governance.Tests;

public sealed class ErrorRateMonitorTests
{
    [Fact]
    public async Task RecordOutcome_MoreThanHalfOfTwentyCallsFail_SuspendsTheUseCase()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("coding-assist", 2, "active"));

        await Record(governance, calls: 20, failures: 11);

        var useCase = governance.UseCase("coding-assist");
        Assert.Equal(UseCaseStatus.Suspended, useCase.Status);
        Assert.Equal(
            "Suspended automatically: 11 of 20 calls failed (55 %) within 5 minutes, above the 50 % threshold.",
            useCase.StatusReason);
        var change = Assert.Single(await governance.Administration.GetHistoryAsync("coding-assist", CancellationToken.None));
        Assert.Equal("system", change.Actor);
    }

    [Fact]
    public async Task RecordOutcome_ExactlyAtTheThreshold_DoesNotSuspendUntilItIsExceeded()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("coding-assist", 2, "active"));

        await Record(governance, calls: 20, failures: 10);
        Assert.Equal(UseCaseStatus.Active, governance.UseCase("coding-assist").Status);

        await Record(governance, calls: 1, failures: 1);
        Assert.Equal(UseCaseStatus.Suspended, governance.UseCase("coding-assist").Status);
    }

    [Fact]
    public async Task RecordOutcome_FewerCallsThanTheMinimum_NeverSuspends()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("coding-assist", 2, "active"));

        await Record(governance, calls: 19, failures: 19);

        Assert.Equal(UseCaseStatus.Active, governance.UseCase("coding-assist").Status);
    }

    [Fact]
    public async Task RecordOutcome_FailuresOlderThanTheWindow_DoNotCount()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("coding-assist", 2, "active"));

        await Record(governance, calls: 19, failures: 19);
        governance.Clock.Now += TimeSpan.FromMinutes(6);
        await Record(governance, calls: 20, failures: 5);

        Assert.Equal(UseCaseStatus.Active, governance.UseCase("coding-assist").Status);
    }

    [Fact]
    public async Task RecordOutcome_ConfiguredThreshold_Applies()
    {
        var configuration = UseCases.Configured("coding-assist", 2, "active");
        configuration["Governance:ErrorRate:Threshold"] = "0.2";
        configuration["Governance:ErrorRate:MinimumCalls"] = "5";
        configuration["Governance:ErrorRate:Window"] = "00:01:00";
        await using var governance = GovernanceServices.Create(configuration);

        await Record(governance, calls: 5, failures: 2);

        Assert.Equal(
            "Suspended automatically: 2 of 5 calls failed (40 %) within 1 minute, above the 20 % threshold.",
            governance.UseCase("coding-assist").StatusReason);
    }

    [Fact]
    public async Task RecordOutcome_Resumed_CountsAfresh()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("coding-assist", 2, "active"));
        await Record(governance, calls: 20, failures: 20);
        await governance.ApplyAsync("coding-assist", UseCaseAction.Resume, reason: "Vendor fixed");

        await Record(governance, calls: 19, failures: 19);

        Assert.Equal(UseCaseStatus.Active, governance.UseCase("coding-assist").Status);
    }

    [Fact]
    public async Task RecordOutcome_UnknownOrInactiveUseCase_IsIgnored()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("coding-assist", 2, "approved"));

        await Record(governance, calls: 50, failures: 50, useCase: "coding-assist");
        await Record(governance, calls: 50, failures: 50, useCase: "no-such-use-case");

        Assert.Equal(UseCaseStatus.Approved, governance.UseCase("coding-assist").Status);
        Assert.Empty(await governance.Administration.GetHistoryAsync("coding-assist", CancellationToken.None));
    }

    private static async Task Record(GovernanceServices governance, int calls, int failures, string useCase = "coding-assist")
    {
        var monitor = governance.Get<IErrorRateMonitor>();
        for (var i = 0; i < calls; i++)
        {
            // Failures first: the rate is judged after every call.
            monitor.RecordOutcome(useCase, failed: i < failures);
            governance.Clock.Now += TimeSpan.FromMilliseconds(100);
        }

        await Assert.IsType<ErrorRateMonitor>(monitor).LastSuspension;
    }
}
