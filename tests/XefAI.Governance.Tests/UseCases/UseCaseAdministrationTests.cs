namespace XefAI.Governance.Tests;

public sealed class UseCaseAdministrationTests
{
    public static TheoryData<string, UseCaseAction, string> ValidTransitions => new()
    {
        { "proposed", UseCaseAction.Approve, "approved" },
        { "approved", UseCaseAction.Activate, "active" },
        { "active", UseCaseAction.Suspend, "suspended" },
        { "suspended", UseCaseAction.Resume, "active" },
        { "proposed", UseCaseAction.Retire, "retired" },
        { "approved", UseCaseAction.Retire, "retired" },
        { "active", UseCaseAction.Retire, "retired" },
        { "suspended", UseCaseAction.Retire, "retired" },
    };

    public static TheoryData<string, UseCaseAction> InvalidTransitions
    {
        get
        {
            var data = new TheoryData<string, UseCaseAction>();
            foreach (var status in new[] { "proposed", "approved", "active", "suspended", "retired" })
            {
                foreach (var action in Enum.GetValues<UseCaseAction>())
                {
                    if (!ValidTransitions.Any(row => (string)row[0] == status && (UseCaseAction)row[1] == action))
                    {
                        data.Add(status, action);
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ValidTransitions))]
    public async Task ApplyAsync_ValidTransition_RecordsTheChangeAndTheRegistryShowsIt(string from, UseCaseAction action, string to)
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("inbox-draft", 2, from));
        governance.Clock.Now = GovernanceServices.Start.AddMinutes(5);

        var change = await governance.Administration.ApplyAsync("inbox-draft", action, " a.admin ", " Reviewed 2025-06-30. ", null, CancellationToken.None);

        Assert.StartsWith("ucs_", change.Id, StringComparison.Ordinal);
        Assert.Equal("inbox-draft", change.UseCaseId);
        Assert.Equal(action, change.Action);
        Assert.Equal(from, change.From.ToString().ToLowerInvariant());
        Assert.Equal(to, change.To.ToString().ToLowerInvariant());
        Assert.Equal("a.admin", change.Actor);
        Assert.Equal("Reviewed 2025-06-30.", change.Reason);
        Assert.Equal(GovernanceServices.Start.AddMinutes(5), change.Time);
        Assert.True(change.Sequence > 0);

        var useCase = governance.UseCase("inbox-draft");
        Assert.Equal(change.To, useCase.Status);
        Assert.Equal("Reviewed 2025-06-30.", useCase.StatusReason);
        Assert.Equal([change], await governance.Administration.GetHistoryAsync("inbox-draft", CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(InvalidTransitions))]
    public async Task ApplyAsync_InvalidTransition_ThrowsNamingFromAndToAndChangesNothing(string from, UseCaseAction action)
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("inbox-draft", 2, from));

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("inbox-draft", action));

        Assert.Equal("invalid_transition", error.Code);
        var to = action switch
        {
            UseCaseAction.Approve => "approved",
            UseCaseAction.Activate or UseCaseAction.Resume => "active",
            UseCaseAction.Suspend => "suspended",
            _ => "retired",
        };
        Assert.StartsWith($"Use case 'inbox-draft' cannot go from {from} to {to} ({action.ToString().ToLowerInvariant()}): ", error.Message, StringComparison.Ordinal);
        Assert.Equal(from, governance.UseCase("inbox-draft").Status.ToString().ToLowerInvariant());
        Assert.Empty(await governance.Administration.GetHistoryAsync("inbox-draft", CancellationToken.None));
    }

    [Theory]
    [InlineData("active", UseCaseAction.Resume, "Use case 'inbox-draft' cannot go from active to active (resume): only a suspended use case can be resumed.")]
    [InlineData("suspended", UseCaseAction.Activate, "Use case 'inbox-draft' cannot go from suspended to active (activate): only an approved use case can be activated; a suspended one is resumed.")]
    [InlineData("retired", UseCaseAction.Retire, "Use case 'inbox-draft' cannot go from retired to retired (retire): retired is final.")]
    [InlineData("retired", UseCaseAction.Approve, "Use case 'inbox-draft' cannot go from retired to approved (approve): retired is final.")]
    public async Task ApplyAsync_InvalidTransition_ExplainsTheRule(string from, UseCaseAction action, string message)
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("inbox-draft", 2, from));

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("inbox-draft", action));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task ApplyAsync_WholeLifecycle_FollowsTheStateMachineAndRetiredIsFinal()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("inbox-draft", 1, "proposed"));

        foreach (var action in new[] { UseCaseAction.Approve, UseCaseAction.Activate, UseCaseAction.Suspend, UseCaseAction.Resume, UseCaseAction.Suspend, UseCaseAction.Retire })
        {
            await governance.ApplyAsync("inbox-draft", action);
        }

        var history = await governance.Administration.GetHistoryAsync("inbox-draft", CancellationToken.None);
        Assert.Equal(
            ["proposed>approved", "approved>active", "active>suspended", "suspended>active", "active>suspended", "suspended>retired"],
            history.Select(c => $"{c.From}>{c.To}".ToLowerInvariant()));
        Assert.Equal(history.Select(c => c.Sequence).Order(), history.Select(c => c.Sequence));
        Assert.Equal(UseCaseStatus.Retired, governance.UseCase("inbox-draft").Status);
        foreach (var action in Enum.GetValues<UseCaseAction>())
        {
            var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("inbox-draft", action));
            Assert.Equal("invalid_transition", error.Code);
        }
    }

    [Fact]
    public async Task ApplyAsync_UnknownUseCase_ThrowsUnknownUseCase()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("inbox-draft", 1, "active"));

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("Inbox-Draft", UseCaseAction.Suspend));

        Assert.Equal("unknown_use_case", error.Code);
        Assert.Equal("No use case 'Inbox-Draft' is configured in Governance:UseCases.", error.Message);
    }

    [Theory]
    [InlineData("", "Committee decision")]
    [InlineData("  ", "Committee decision")]
    [InlineData("a.admin", "")]
    [InlineData("a.admin", " ")]
    public async Task ApplyAsync_BlankActorOrReason_ThrowsArgumentException(string actor, string reason)
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("inbox-draft", 1, "active"));

        await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await governance.Administration.ApplyAsync("inbox-draft", UseCaseAction.Suspend, actor, reason, null, CancellationToken.None));
        Assert.Equal(UseCaseStatus.Active, governance.UseCase("inbox-draft").Status);
    }

    [Fact]
    public async Task ApplyAsync_Suspend_TheStatusPolicyRefusesCallsWithTheReasonAtOnce()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("inbox-draft", 1, "active"), b => b.AddPolicy<UseCaseStatusPolicy>());
        var engine = governance.Get<IPolicyEngine>();
        Assert.True(engine.Evaluate(new PolicyContext(governance.UseCase("inbox-draft"), "epic-addon")).IsAllowed);

        await governance.ApplyAsync("inbox-draft", UseCaseAction.Suspend, reason: "Incident INC-7 under review.");

        Assert.Equal(
            [new PolicyDenial("use_case_suspended", "Use case 'inbox-draft' is suspended: Incident INC-7 under review.")],
            engine.Evaluate(new PolicyContext(governance.UseCase("inbox-draft"), "epic-addon")).Denials);
    }

    [Fact]
    public async Task ApplyAsync_ChangeRecorded_OverridesAConfiguredStatusAfterReload()
    {
        var source = new ReloadableConfigurationSource(UseCases.Configured("inbox-draft", 1, "active"));
        await using var governance = GovernanceServices.Watching(source);
        await governance.ApplyAsync("inbox-draft", UseCaseAction.Suspend, reason: "Kill switch");

        source.Replace(UseCases.Configured("inbox-draft", 1, "active", extra: ("Name", "Inbox draft v2")));

        var useCase = governance.UseCase("inbox-draft");
        Assert.Equal("Inbox draft v2", useCase.Name);
        Assert.Equal(UseCaseStatus.Suspended, useCase.Status);
        Assert.Equal("Kill switch", useCase.StatusReason);
    }
}
