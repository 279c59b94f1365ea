namespace XefAI.Governance.Tests;

/// <summary>DESIGN.md, tier 4: only with a complete model card and approved by the clinical sponsor.</summary>
public sealed class Tier4ActivationTests
{
    private const string Sponsor = "Dr. B. Osei";

    [Fact]
    public async Task Activate_ModelCardIncomplete_ThrowsListingTheMissingAttributes()
    {
        await using var governance = GovernanceServices.Create(Tier4("proposed", ModelCards.Complete(
            "SourceAttributes:ExternalValidation:TestingParty", "Chai:ReleaseInfo:RegulatoryApproval")));
        await governance.ApplyAsync("sepsis-risk", UseCaseAction.Approve, Sponsor);

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("sepsis-risk", UseCaseAction.Activate));

        Assert.Equal("model_card_incomplete", error.Code);
        Assert.Equal(["SourceAttributes:ExternalValidation:TestingParty", "Chai:ReleaseInfo:RegulatoryApproval"], error.MissingAttributes);
        Assert.Equal(
            "Use case 'sepsis-risk' is tier 4 (clinical decision support) and cannot become active until its model card is complete: " +
            "2 attributes have neither a value nor a NotSupplied reason: SourceAttributes:ExternalValidation:TestingParty, Chai:ReleaseInfo:RegulatoryApproval.",
            error.Message);
        Assert.Equal(UseCaseStatus.Approved, governance.UseCase("sepsis-risk").Status);
    }

    [Fact]
    public async Task Activate_NoModelCard_ThrowsListingEveryRequiredAttribute()
    {
        await using var governance = GovernanceServices.Create(Tier4("proposed"));
        await governance.ApplyAsync("sepsis-risk", UseCaseAction.Approve, Sponsor);

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("sepsis-risk", UseCaseAction.Activate));

        Assert.Equal("model_card_incomplete", error.Code);
        Assert.Equal(new ModelCard().MissingAttributes, error.MissingAttributes);
    }

    [Fact]
    public async Task Activate_ApprovedOnlyInConfiguration_ThrowsSponsorApprovalMissing()
    {
        await using var governance = GovernanceServices.Create(Tier4("approved", ModelCards.Complete()));

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("sepsis-risk", UseCaseAction.Activate));

        Assert.Equal("sponsor_approval_missing", error.Code);
        Assert.Equal(
            "Use case 'sepsis-risk' is tier 4 (clinical decision support) and cannot become active until its clinical sponsor, Dr. B. Osei, has approved it; no recorded approval names them.",
            error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Dr. C. Someone Else")]
    public async Task Activate_ApprovedWithoutTheConfiguredSponsor_ThrowsSponsorApprovalMissing(string? approvedBy)
    {
        await using var governance = GovernanceServices.Create(Tier4("proposed", ModelCards.Complete()));
        await governance.ApplyAsync("sepsis-risk", UseCaseAction.Approve, approvedBy);

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("sepsis-risk", UseCaseAction.Activate));

        Assert.Equal("sponsor_approval_missing", error.Code);
        Assert.Equal(UseCaseStatus.Approved, governance.UseCase("sepsis-risk").Status);
    }

    [Fact]
    public async Task Activate_NoSponsorConfigured_ThrowsSponsorApprovalMissing()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("sepsis-risk", 4, "proposed", extra: ModelCards.Complete()));
        await governance.ApplyAsync("sepsis-risk", UseCaseAction.Approve, Sponsor);

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("sepsis-risk", UseCaseAction.Activate));

        Assert.Equal("sponsor_approval_missing", error.Code);
        Assert.Equal(
            "Use case 'sepsis-risk' is tier 4 (clinical decision support) and has no clinical sponsor (Governance:UseCases:sepsis-risk:ClinicalSponsor); it cannot become active until its sponsor has approved it.",
            error.Message);
    }

    [Fact]
    public async Task Activate_CompleteCardAndApprovedByTheSponsor_BecomesActive()
    {
        await using var governance = GovernanceServices.Create(Tier4("proposed", ModelCards.Complete()));

        var approval = await governance.ApplyAsync("sepsis-risk", UseCaseAction.Approve, " dr. b. osei ");
        var activation = await governance.ApplyAsync("sepsis-risk", UseCaseAction.Activate);

        Assert.Equal("dr. b. osei", approval.ClinicalSponsor);
        Assert.Equal(UseCaseStatus.Active, activation.To);
        Assert.Equal(UseCaseStatus.Active, governance.UseCase("sepsis-risk").Status);
    }

    [Fact]
    public async Task Resume_ModelCardNoLongerComplete_ThrowsModelCardIncomplete()
    {
        await using var governance = GovernanceServices.Create(Tier4("suspended", ModelCards.Complete("SourceAttributes:OngoingMaintenance:LocalFairness")));

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("sepsis-risk", UseCaseAction.Resume));

        Assert.Equal("model_card_incomplete", error.Code);
        Assert.Equal(["SourceAttributes:OngoingMaintenance:LocalFairness"], error.MissingAttributes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Activate_LowerTiers_NeedNeitherCardNorSponsor(int tier)
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("discharge-summary", tier, "approved"));

        var change = await governance.ApplyAsync("discharge-summary", UseCaseAction.Activate);

        Assert.Equal(UseCaseStatus.Active, change.To);
    }

    [Fact]
    public async Task Retire_Tier4WithIncompleteCard_IsAllowed()
    {
        // Taking a model out of service is never blocked by the checks that guard putting it into service.
        await using var governance = GovernanceServices.Create(Tier4("proposed"));

        var change = await governance.ApplyAsync("sepsis-risk", UseCaseAction.Retire);

        Assert.Equal(UseCaseStatus.Retired, change.To);
    }

    [Theory]
    [InlineData("approved")]
    [InlineData("suspended")]
    public async Task Approve_ConfiguredApprovedOrSuspendedWithoutRecordedApproval_RecordsItSoActivateSucceeds(string configured)
    {
        // Configuration cannot record the sponsor's approval, and approve used to apply only from proposed: such a use case was stuck.
        await using var governance = GovernanceServices.Create(Tier4(configured, ModelCards.Complete()));

        var approval = await governance.ApplyAsync("sepsis-risk", UseCaseAction.Approve, Sponsor);
        var activation = await governance.ApplyAsync("sepsis-risk", UseCaseAction.Activate);

        Assert.Equal(configured, UseCaseTransitions.Name(approval.From));
        Assert.Equal(UseCaseStatus.Approved, approval.To);
        Assert.Equal(Sponsor, approval.ClinicalSponsor);
        Assert.Equal(UseCaseStatus.Active, activation.To);
        Assert.Equal(UseCaseStatus.Active, governance.UseCase("sepsis-risk").Status);
    }

    [Fact]
    public async Task Approve_ApprovedEarlierByAnotherSponsor_TheConfiguredSponsorCanStillApprove()
    {
        await using var governance = GovernanceServices.Create(Tier4("proposed", ModelCards.Complete()));
        await governance.ApplyAsync("sepsis-risk", UseCaseAction.Approve, "Dr. C. Someone Else");

        var approval = await governance.ApplyAsync("sepsis-risk", UseCaseAction.Approve, Sponsor);
        var activation = await governance.ApplyAsync("sepsis-risk", UseCaseAction.Activate);

        Assert.Equal(UseCaseStatus.Approved, approval.From);
        Assert.Equal(UseCaseStatus.Active, activation.To);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Dr. C. Someone Else")]
    public async Task Approve_ConfiguredApprovedNotNamingTheSponsor_ThrowsInvalidTransitionAndRecordsNothing(string? approvedBy)
    {
        await using var governance = GovernanceServices.Create(Tier4("approved", ModelCards.Complete()));

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("sepsis-risk", UseCaseAction.Approve, approvedBy));

        Assert.Equal("invalid_transition", error.Code);
        Assert.Equal(
            "Use case 'sepsis-risk' cannot go from approved to approved (approve): a tier-4 use case that is approved can be approved only to record its clinical sponsor's approval; name Dr. B. Osei as clinicalSponsor.",
            error.Message);
        Assert.Empty(await governance.Administration.GetHistoryAsync("sepsis-risk", CancellationToken.None));
    }

    [Fact]
    public async Task Approve_ConfiguredSuspendedWithoutSponsor_ThrowsInvalidTransitionNamingTheSetting()
    {
        await using var governance = GovernanceServices.Create(UseCases.Configured("sepsis-risk", 4, "suspended", extra: ModelCards.Complete()));

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("sepsis-risk", UseCaseAction.Approve, Sponsor));

        Assert.Equal("invalid_transition", error.Code);
        Assert.Equal(
            "Use case 'sepsis-risk' cannot go from suspended to approved (approve): a tier-4 use case that is suspended can be approved only by its clinical sponsor, and none is configured (Governance:UseCases:sepsis-risk:ClinicalSponsor).",
            error.Message);
    }

    [Fact]
    public async Task Approve_RestartConfiguredSuspendedWithApprovalInTheStore_ThrowsInvalidTransitionAndResumeSucceeds()
    {
        // A replica restarting on a store that holds the history: its configured status no longer applies, it must still
        // start, and the sponsor's approval on record is not asked for again.
        var folder = GovernanceServices.NewFolder();
        try
        {
            var database = Path.Combine(folder, "governance.db");
            await using (var before = GovernanceServices.Create(Tier4("proposed", ModelCards.Complete()), databasePath: database))
            {
                await before.ApplyAsync("sepsis-risk", UseCaseAction.Approve, Sponsor);
                await before.ApplyAsync("sepsis-risk", UseCaseAction.Activate);
                await before.ApplyAsync("sepsis-risk", UseCaseAction.Suspend, reason: "Incident INC-7");
            }

            await using var after = GovernanceServices.Create(Tier4("suspended", ModelCards.Complete()), databasePath: database);
            Assert.Equal(UseCaseStatus.Suspended, after.UseCase("sepsis-risk").Status);

            var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await after.ApplyAsync("sepsis-risk", UseCaseAction.Approve, Sponsor));
            var resumption = await after.ApplyAsync("sepsis-risk", UseCaseAction.Resume);

            Assert.Equal("invalid_transition", error.Code);
            Assert.Equal(
                "Use case 'sepsis-risk' cannot go from suspended to approved (approve): its clinical sponsor, Dr. B. Osei, has already approved it; resume it.",
                error.Message);
            Assert.Equal(UseCaseStatus.Active, resumption.To);
        }
        finally
        {
            GovernanceServices.DeleteFolder(folder);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Approve_LowerTierConfiguredApproved_StillThrowsInvalidTransition(int tier)
    {
        // Only tier 4 asks for a recorded approval, so only tier 4 needs approve from approved.
        await using var governance = GovernanceServices.Create(UseCases.Configured("discharge-summary", tier, "approved", Sponsor));

        var error = await Assert.ThrowsAsync<GovernanceActionException>(async () => await governance.ApplyAsync("discharge-summary", UseCaseAction.Approve, Sponsor));

        Assert.Equal("invalid_transition", error.Code);
        Assert.Equal("Use case 'discharge-summary' cannot go from approved to approved (approve): only a proposed use case can be approved.", error.Message);
    }

    private static Dictionary<string, string?> Tier4(string status, params (string Key, string? Value)[] card) =>
        UseCases.Configured("sepsis-risk", 4, status, Sponsor, card);
}
