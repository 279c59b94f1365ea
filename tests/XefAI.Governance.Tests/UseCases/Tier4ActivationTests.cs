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

    private static Dictionary<string, string?> Tier4(string status, params (string Key, string? Value)[] card) =>
        UseCases.Configured("sepsis-risk", 4, status, Sponsor, card);
}
