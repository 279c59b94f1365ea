using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

/// <summary>A classification use case declares the labels it answers with, for its drift; bad lists are refused at start-up.</summary>
public sealed class OutputLabelsTests
{
    [Fact]
    public void TryGet_LabelsConfigured_AreTrimmedOnTheUseCase()
    {
        using var governance = GovernanceServices.Create(UseCases.Configured(
            "triage", 2, "active", extra: [("OutputLabels:0", "urgent "), ("OutputLabels:1", "routine")]));

        Assert.True(governance.Get<IUseCaseRegistry>().TryGet("triage", out var useCase));
        Assert.Equal(["urgent", "routine"], useCase.OutputLabels);
    }

    [Fact]
    public void TryGet_NoLabels_Empty()
    {
        using var governance = GovernanceServices.Create(UseCases.Configured("inbox-draft", 1, "active"));

        Assert.True(governance.Get<IUseCaseRegistry>().TryGet("inbox-draft", out var useCase));
        Assert.Empty(useCase.OutputLabels);
    }

    [Theory]
    [InlineData("urgent", "URGENT")]
    [InlineData("urgent", " ")]
    public void Options_DuplicateOrBlankLabels_Refused(string first, string second)
    {
        using var governance = GovernanceServices.Create(UseCases.Configured(
            "triage", 2, "active", extra: [("OutputLabels:0", first), ("OutputLabels:1", second)]));

        var error = Assert.Throws<OptionsValidationException>(() => governance.Get<IOptionsMonitor<GovernanceOptions>>().CurrentValue);

        Assert.Contains(error.Failures, f => f.StartsWith("Governance:UseCases:triage: OutputLabels must be", StringComparison.Ordinal));
    }
}
