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

    /// <summary>
    /// The controls of the use case's risk tier as resolved from the same configuration as the use case, so a call
    /// that took its use case from one configuration snapshot is judged by that snapshot's tier controls even while
    /// an edit is being applied. Null on a use case built by hand: policies then read the controls in force.
    /// </summary>
    public TierControls? TierControls { get; init; }

    /// <summary>
    /// Why the use case sends PHI as it is to vendors without a BAA, when it has opted out of de-identification
    /// (<c>Governance:UseCases:&lt;id&gt;:DeIdentification</c>); null when it has not, so it is de-identified before
    /// any vendor that does not cover PHI. Shown in its model card, and every audit record of its calls says so.
    /// </summary>
    public string? DeIdentificationOptOut { get; init; }

    /// <summary>The labels a classification use case answers with; empty for free-text use cases. Its drift watches their distribution.</summary>
    public IReadOnlyList<string> OutputLabels { get; init; } = [];

    /// <summary>
    /// Why the use case, though active, is not served under the configuration it was taken from; null when its status
    /// says all. Set by the registry for a tier-4 use case whose activation was not recorded at tier 4, or whose model
    /// card or clinical sponsor's approval no longer holds; the message says what to do about it.
    /// </summary>
    public string? ActivationRefusal { get; init; }

    /// <summary>Active, and not refused for its activation (<see cref="ActivationRefusal"/>): calls to it are served.</summary>
    public bool IsServing => Status == UseCaseStatus.Active && ActivationRefusal is null;
}

/// <summary>One risk tier's controls, resolved from configuration over the defaults of DESIGN.md.</summary>
/// <param name="RequireBaa">Only vendors under a business associate agreement (or in-process models) may serve the tier.</param>
/// <param name="DeIdentifyUnlessBaa">
/// PHI is de-identified before it reaches a vendor without a BAA. True for every tier a configuration can give; a use
/// case opts out on its own (<see cref="UseCase.DeIdentificationOptOut"/>), never through its tier.
/// </param>
/// <param name="Review">A <see cref="ReviewRequirement"/> value.</param>
/// <param name="AuditVerbatim">Input and output are audited verbatim, not only as hashes.</param>
/// <param name="MaxTokens">Most output tokens a call may ask for; null for no cap.</param>
/// <param name="RateLimit">Calls per app per use case in a fixed window; null for no limit.</param>
public sealed record TierControls(
    bool RequireBaa,
    bool DeIdentifyUnlessBaa,
    string Review,
    bool AuditVerbatim,
    int? MaxTokens,
    TierRateLimit? RateLimit)
{
    /// <summary>What a tier outside 1 to 4 gets: every control on and no lifecycle accepted, so an unknown tier fails closed.</summary>
    public static TierControls Strictest { get; } = new(true, true, ReviewRequirement.Hold, true, null, null) { ReIdentifyAnswers = false };

    /// <summary>
    /// The answer's tokens are replaced by the values they stand for before the caller sees it. Default: tiers 1 to 3;
    /// a tier-4 answer waits in the review queue, which then holds no PHI the vendor never saw.
    /// </summary>
    public bool ReIdentifyAnswers { get; init; } = true;

    /// <summary>
    /// Which texts a verbatim audit keeps, a <see cref="VerbatimAuditTexts"/> value: what the vendor saw and answered
    /// (<c>deidentified</c>, the default) or the client's request and the answer as released (<c>original</c>).
    /// </summary>
    public string VerbatimAuditText { get; init; } = VerbatimAuditTexts.DeIdentified;

    /// <summary>
    /// Lifecycles of the deployments the tier's use cases may be served by (candidate, validated, active, deprecated),
    /// lower case and in lifecycle order; never retired.
    /// </summary>
    public IReadOnlyList<string> AllowedLifecycles { get; init; } = [];
}

/// <summary>A fixed-window rate limit: <see cref="PermitLimit"/> calls per <see cref="Window"/>.</summary>
public sealed record TierRateLimit(int PermitLimit, TimeSpan Window);

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

/// <summary>
/// A registry of one configuration that can also give its use cases as configured: their tiers' controls resolved, no
/// status from the governance state store laid over them, and no read of that store (which may be down).
/// </summary>
public interface IConfiguredUseCaseRegistry : IUseCaseRegistry
{
    IReadOnlyCollection<UseCase> Configured { get; }
}
