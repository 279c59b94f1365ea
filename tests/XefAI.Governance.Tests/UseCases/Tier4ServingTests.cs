using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

/// <summary>
/// DESIGN.md's tier-4 rule at call time: an active use case configured tier 4 is served only if the change that made it
/// active was recorded at tier 4 and its model card and its configured sponsor's approval still hold, whatever
/// configuration was edited since.
/// </summary>
public sealed class Tier4ServingTests
{
    private const string Id = "sepsis-risk";
    private const string Sponsor = "Dr. B. Osei";

    [Fact]
    public async Task Registry_ActivatedAtTier2ThenConfiguredTier4_RefusedUntilApprovedAndActivatedAgain()
    {
        var source = new ReloadableConfigurationSource(Configured(2, "approved"));
        await using var governance = GovernanceServices.Watching(source, b => b.AddPolicy<UseCaseStatusPolicy>());
        var activation = await governance.ApplyAsync(Id, UseCaseAction.Activate);
        Assert.True(Evaluate(governance).IsAllowed);

        source.Replace(Configured(4, "approved"));

        var denial = Assert.Single(Evaluate(governance).Denials);
        Assert.Equal(RiskTier.Operational, activation.RiskTier);
        Assert.Equal(UseCaseStatus.Active, governance.UseCase(Id).Status);
        Assert.Equal("tier4_activation_required", denial.ReasonCode);
        Assert.Equal(
            "Use case 'sepsis-risk' is tier 4 (clinical decision support) and is not served: it was made active (activate) while it was tier 2, " +
            "without the tier-4 checks; its configured clinical sponsor has no recorded approval of it. To serve it again, suspend it " +
            "(POST /admin/use-cases/sepsis-risk/suspend), have its clinical sponsor approve it (POST /admin/use-cases/sepsis-risk/approve, " +
            "naming them as clinicalSponsor) and activate it again (POST /admin/use-cases/sepsis-risk/activate).",
            denial.Message);

        await governance.ApplyAsync(Id, UseCaseAction.Suspend, reason: "Raised to tier 4");
        await governance.ApplyAsync(Id, UseCaseAction.Approve, Sponsor);
        var reactivation = await governance.ApplyAsync(Id, UseCaseAction.Activate);

        Assert.Equal(RiskTier.ClinicalDecisionSupport, reactivation.RiskTier);
        Assert.Null(governance.UseCase(Id).ActivationRefusal);
        Assert.True(Evaluate(governance).IsAllowed);
    }

    [Fact]
    public async Task Registry_ActivatedAtTier2WithSponsorApprovalThenTier4_SuspendAndResumeServesAgain()
    {
        var source = new ReloadableConfigurationSource(Configured(2, "proposed"));
        await using var governance = GovernanceServices.Watching(source);
        await governance.ApplyAsync(Id, UseCaseAction.Approve, Sponsor);
        await governance.ApplyAsync(Id, UseCaseAction.Activate);

        source.Replace(Configured(4, "proposed"));
        var refusal = governance.UseCase(Id).ActivationRefusal;
        await governance.ApplyAsync(Id, UseCaseAction.Suspend, reason: "Raised to tier 4");
        var resumption = await governance.ApplyAsync(Id, UseCaseAction.Resume);

        Assert.Equal(
            "Use case 'sepsis-risk' is tier 4 (clinical decision support) and is not served: it was made active (activate) while it was tier 2, " +
            "without the tier-4 checks. To serve it again, suspend it (POST /admin/use-cases/sepsis-risk/suspend) and resume it " +
            "(POST /admin/use-cases/sepsis-risk/resume), which runs the tier-4 checks.",
            refusal);
        Assert.Equal(RiskTier.ClinicalDecisionSupport, resumption.RiskTier);
        Assert.Null(governance.UseCase(Id).ActivationRefusal);
    }

    [Fact]
    public async Task Registry_SponsorChangedToOneWhoNeverApproved_RefusedAndServedAgainOnceTheyApprove()
    {
        var source = new ReloadableConfigurationSource(Configured(4, "proposed"));
        await using var governance = GovernanceServices.Watching(source);
        await ActivateAtTier4Async(governance);
        Assert.Null(governance.UseCase(Id).ActivationRefusal);

        source.Replace(Configured(4, "proposed", sponsor: "Dr. C. Newcomer"));
        var refusal = governance.UseCase(Id).ActivationRefusal;
        await governance.ApplyAsync(Id, UseCaseAction.Suspend, reason: "New sponsor");
        await governance.ApplyAsync(Id, UseCaseAction.Approve, "Dr. C. Newcomer");
        await governance.ApplyAsync(Id, UseCaseAction.Activate);

        Assert.Equal(
            "Use case 'sepsis-risk' is tier 4 (clinical decision support) and is not served: its configured clinical sponsor has no recorded approval of it. " +
            "To serve it again, suspend it (POST /admin/use-cases/sepsis-risk/suspend), have its clinical sponsor approve it " +
            "(POST /admin/use-cases/sepsis-risk/approve, naming them as clinicalSponsor) and activate it again (POST /admin/use-cases/sepsis-risk/activate).",
            refusal);
        Assert.Null(governance.UseCase(Id).ActivationRefusal);
    }

    [Fact]
    public async Task Registry_ModelCardEditedToIncompleteThenCompletedAgain_RefusedThenServed()
    {
        var source = new ReloadableConfigurationSource(Configured(4, "proposed"));
        await using var governance = GovernanceServices.Watching(source);
        await ActivateAtTier4Async(governance);

        source.Replace(Configured(4, "proposed", card: ModelCards.Complete("SourceAttributes:OngoingMaintenance:LocalFairness")));
        var refusal = governance.UseCase(Id).ActivationRefusal;
        source.Replace(Configured(4, "proposed"));

        Assert.Equal(
            "Use case 'sepsis-risk' is tier 4 (clinical decision support) and is not served: its model card misses 1 attributes. To serve it again, " +
            "complete its model card (Governance:UseCases:sepsis-risk:ModelCard; GET /v1/use-cases/sepsis-risk/model-card lists what is missing).",
            refusal);
        Assert.Null(governance.UseCase(Id).ActivationRefusal);
    }

    [Fact]
    public async Task Registry_RestartWithTier4OverStateActivatedAtTier2_Refused()
    {
        var folder = GovernanceServices.NewFolder();
        try
        {
            var database = Path.Combine(folder, "governance.db");
            await using (var before = GovernanceServices.Create(Configured(2, "proposed"), databasePath: database))
            {
                await before.ApplyAsync(Id, UseCaseAction.Approve, Sponsor);
                await before.ApplyAsync(Id, UseCaseAction.Activate);
            }

            await using var after = GovernanceServices.Create(Configured(4, "proposed"), databasePath: database);

            Assert.Equal(UseCaseStatus.Active, after.UseCase(Id).Status);
            Assert.StartsWith(
                "Use case 'sepsis-risk' is tier 4 (clinical decision support) and is not served: it was made active (activate) while it was tier 2",
                after.UseCase(Id).ActivationRefusal,
                StringComparison.Ordinal);
        }
        finally
        {
            GovernanceServices.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task Registry_RestartOverStateActivatedAtTier4_ServedFromTheApprovalsLoaded()
    {
        // The approvals come from the store's snapshot here, not from changes this process observed.
        var folder = GovernanceServices.NewFolder();
        try
        {
            var database = Path.Combine(folder, "governance.db");
            await using (var before = GovernanceServices.Create(Configured(4, "proposed"), databasePath: database))
            {
                await ActivateAtTier4Async(before);
            }

            await using var after = GovernanceServices.Create(Configured(4, "proposed", sponsor: " dr. b. OSEI"), databasePath: database);

            Assert.Equal(UseCaseStatus.Active, after.UseCase(Id).Status);
            Assert.Null(after.UseCase(Id).ActivationRefusal);
            Assert.All(
                await after.Administration.GetHistoryAsync(Id, CancellationToken.None),
                change => Assert.Equal(RiskTier.ClinicalDecisionSupport, change.RiskTier));
        }
        finally
        {
            GovernanceServices.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task Registry_ActivationRecordedWithoutTier_RefusedUntilResumed()
    {
        // A change recorded before the store kept tiers reads back without one: not proven to have passed the tier-4 checks.
        await using var governance = GovernanceServices.Create(Configured(4, "proposed"));
        var store = governance.Get<GovernanceStateCache>().Store;
        var approval = await store.TryAppendUseCaseChangeAsync(
            Change("ucs_1", UseCaseAction.Approve, UseCaseStatus.Proposed, UseCaseStatus.Approved, Sponsor), null, CancellationToken.None);
        await store.TryAppendUseCaseChangeAsync(
            Change("ucs_2", UseCaseAction.Activate, UseCaseStatus.Approved, UseCaseStatus.Active), approval!.Id, CancellationToken.None);
        await governance.Get<GovernanceStateCache>().RefreshAsync(CancellationToken.None);

        var refusal = governance.UseCase(Id).ActivationRefusal;
        await governance.ApplyAsync(Id, UseCaseAction.Suspend, reason: "Re-activation at tier 4");
        await governance.ApplyAsync(Id, UseCaseAction.Resume);

        Assert.Equal(
            "Use case 'sepsis-risk' is tier 4 (clinical decision support) and is not served: it was made active (activate) before the gateway recorded " +
            "risk tiers, so it is not known to have passed the tier-4 checks. To serve it again, suspend it (POST /admin/use-cases/sepsis-risk/suspend) " +
            "and resume it (POST /admin/use-cases/sepsis-risk/resume), which runs the tier-4 checks.",
            refusal);
        Assert.Null(governance.UseCase(Id).ActivationRefusal);
    }

    [Fact]
    public async Task Factory_SnapshotRaisedToTier4_RefusedWhileTheSnapshotInForceBeforeIsServed()
    {
        // The host's per-reload snapshots: each judges the call by its own configuration.
        await using var governance = GovernanceServices.Create(Configured(2, "approved"));
        await governance.ApplyAsync(Id, UseCaseAction.Activate);
        var factory = governance.Get<IUseCaseRegistryFactory>();
        var before = factory.Create(governance.Get<IOptionsMonitor<GovernanceOptions>>().CurrentValue);

        var after = factory.Create(Options(4));

        Assert.True(before.TryGet(Id, out var tier2));
        Assert.True(after.TryGet(Id, out var tier4));
        Assert.Null(tier2.ActivationRefusal);
        Assert.NotNull(tier4.ActivationRefusal);
        Assert.Equal(UseCaseStatus.Active, tier4.Status);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Registry_LowerTiersActivatedAtAnyTier_NeverRefusedForActivation(int tier)
    {
        var source = new ReloadableConfigurationSource(Configured(4, "proposed"));
        await using var governance = GovernanceServices.Watching(source);
        await ActivateAtTier4Async(governance);

        source.Replace(Configured(tier, "proposed", card: []));

        Assert.Equal(UseCaseStatus.Active, governance.UseCase(Id).Status);
        Assert.Null(governance.UseCase(Id).ActivationRefusal);
    }

    [Fact]
    public async Task ApplyAsync_AnyAction_RecordsTheConfiguredTier()
    {
        await using var governance = GovernanceServices.Create(Configured(3, "proposed"));

        var approval = await governance.ApplyAsync(Id, UseCaseAction.Approve, Sponsor);
        var retirement = await governance.ApplyAsync(Id, UseCaseAction.Retire);

        Assert.Equal(RiskTier.ClinicalAssistive, approval.RiskTier);
        Assert.Equal(RiskTier.ClinicalAssistive, retirement.RiskTier);
        Assert.Equal([approval, retirement], await governance.Administration.GetHistoryAsync(Id, CancellationToken.None));
    }

    private static async Task ActivateAtTier4Async(GovernanceServices governance)
    {
        await governance.ApplyAsync(Id, UseCaseAction.Approve, Sponsor);
        await governance.ApplyAsync(Id, UseCaseAction.Activate);
    }

    private static PolicyDecision Evaluate(GovernanceServices governance) =>
        governance.Get<IPolicyEngine>().Evaluate(new PolicyContext(governance.UseCase(Id), "ed-board"));

    private static Dictionary<string, string?> Configured(int tier, string status, string sponsor = Sponsor, (string Key, string? Value)[]? card = null) =>
        UseCases.Configured(Id, tier, status, sponsor, card ?? ModelCards.Complete());

    private static GovernanceOptions Options(int tier) => new()
    {
        UseCases = new Dictionary<string, UseCaseOptions>(StringComparer.Ordinal)
        {
            [Id] = new()
            {
                Name = Id, Owner = "Owner", ClinicalSponsor = Sponsor, Tier = tier, Status = "approved", Providers = ["gpt-eu-1"],
                ModelCard = new ModelCard(),
            },
        },
    };

    private static UseCaseStatusChange Change(string id, UseCaseAction action, UseCaseStatus from, UseCaseStatus to, string? sponsor = null) =>
        new(id, Id, action, from, to, "a.admin", "Before the upgrade", GovernanceServices.Start, sponsor);
}
