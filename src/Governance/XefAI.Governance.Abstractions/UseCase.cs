using System.Diagnostics.CodeAnalysis;

namespace XefAI.Governance;

/// <summary>A governed AI use: what it is for, who owns it, its risk tier and the models it may use.</summary>
public sealed record UseCase(
    string Id,
    string Name,
    string Owner,
    string? ClinicalSponsor,
    string? IntendedUse,
    RiskTier Tier,
    UseCaseStatus Status,
    IReadOnlyList<string> Providers,
    string? StatusReason = null)
{
    /// <summary>Apps that may call the use case; empty means any app its API key grants the use case to.</summary>
    public IReadOnlyList<string> AllowedApps { get; init; } = [];

    /// <summary>Uses the use case must not be put to.</summary>
    public string? OutOfScopeUse { get; init; }

    /// <summary>The prompt template the use case renders, and its version; null when it sends the app's messages as they are.</summary>
    public PromptTemplateReference? PromptTemplate { get; init; }

    /// <summary>The model card; null when none is configured (which no tier-4 use case may be activated with).</summary>
    public ModelCard? ModelCard { get; init; }
}

/// <summary>A prompt template by id and version.</summary>
public sealed record PromptTemplateReference(string Id, string Version);

/// <summary>Risk tiers of ../shared/DESIGN.md: the higher the tier, the stricter the controls.</summary>
public enum RiskTier
{
    Administrative = 1,
    Operational = 2,
    ClinicalAssistive = 3,
    ClinicalDecisionSupport = 4,
}

/// <summary>Lifecycle of a use case; only <see cref="Active"/> is served.</summary>
public enum UseCaseStatus
{
    Proposed,
    Approved,
    Active,
    Suspended,
    Retired,
}

/// <summary>Reads the use-case registry.</summary>
public interface IUseCaseRegistry
{
    bool TryGet(string id, [NotNullWhen(true)] out UseCase? useCase);

    IReadOnlyCollection<UseCase> All { get; }
}
