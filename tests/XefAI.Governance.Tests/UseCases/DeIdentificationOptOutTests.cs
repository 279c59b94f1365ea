using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

/// <summary>A use case's explicit, reasoned opt-out of de-identification, the only way PHI reaches an uncovered vendor as it is.</summary>
public sealed class DeIdentificationOptOutTests
{
    [Fact]
    public void Registry_OptOutWithAReason_TheUseCaseCarriesTheReasonTrimmed()
    {
        using var governance = GovernanceServices.Create(UseCases.Configured(
            "synthetic-notes", 2, "active", extra: [("DeIdentification:OptOut", "true"), ("DeIdentification:Reason", "  Synthetic training notes only; no real patients. ")]));

        Assert.True(governance.Registry.TryGet("synthetic-notes", out var useCase));
        Assert.Equal("Synthetic training notes only; no real patients.", useCase.DeIdentificationOptOut);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    public void Registry_NoOptOut_TheUseCaseIsDeIdentified(string? optOut)
    {
        using var governance = GovernanceServices.Create(UseCases.Configured(
            "coding", 1, "active", extra: [("DeIdentification:OptOut", optOut), ("DeIdentification:Reason", "A reason with no opt-out changes nothing.")]));

        Assert.True(governance.Registry.TryGet("coding", out var useCase));
        Assert.Null(useCase.DeIdentificationOptOut);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_OptOutWithoutAReason_IsRefused(string? reason)
    {
        using var governance = GovernanceServices.Create(UseCases.Configured(
            "coding", 1, "active", extra: [("DeIdentification:OptOut", "true"), ("DeIdentification:Reason", reason)]));

        var error = Assert.Throws<OptionsValidationException>(() => governance.Get<IOptionsMonitor<GovernanceOptions>>().CurrentValue);

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith("Governance:UseCases:coding: DeIdentification:OptOut needs a DeIdentification:Reason", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Tier4OptsOut_IsRefusedEvenWithAReason()
    {
        using var governance = GovernanceServices.Create(UseCases.Configured(
            "sepsis-risk", 4, "proposed", "Dr. B. Osei", ("DeIdentification:OptOut", "true"), ("DeIdentification:Reason", "The vendor is trusted.")));

        var error = Assert.Throws<OptionsValidationException>(() => governance.Get<IOptionsMonitor<GovernanceOptions>>().CurrentValue);

        Assert.Equal(
            "Governance:UseCases:sepsis-risk: a tier-4 use case cannot opt out of de-identification (DeIdentification:OptOut); serve it from BAA-covered or in-process deployments instead.",
            Assert.Single(error.Failures));
    }
}
