namespace XefAI.Governance;

/// <summary>The <c>Governance</c> configuration section.</summary>
public sealed record GovernanceOptions
{
    public const string SectionName = "Governance";

    /// <summary>Use cases keyed by id (<c>Governance:UseCases:&lt;id&gt;</c>); ids are case-sensitive.</summary>
    public IReadOnlyDictionary<string, UseCaseOptions> UseCases { get; init; } = new Dictionary<string, UseCaseOptions>(StringComparer.Ordinal);

    /// <summary>
    /// Risk-tier controls keyed by tier number (<c>Governance:RiskTiers:3</c>); a tier left out keeps the
    /// defaults of DESIGN.md.
    /// </summary>
    public IReadOnlyDictionary<string, RiskTierOptions> RiskTiers { get; init; } = new Dictionary<string, RiskTierOptions>(StringComparer.Ordinal);

    /// <summary>Kind of the <see cref="IGovernanceStateStore"/> that keeps status changes, suspensions and incidents (case-insensitive). Read at start-up.</summary>
    public string StateStore { get; init; } = "sqlite";

    /// <summary>The SQLite state store (<c>Governance:Sqlite</c>). Read at start-up.</summary>
    public GovernanceSqliteOptions Sqlite { get; init; } = new();

    /// <summary>The PostgreSQL state store (<c>Governance:Postgres</c>). Read at start-up.</summary>
    public GovernancePostgresOptions Postgres { get; init; } = new();

    /// <summary>How often the state store is checked for changes made by other replicas.</summary>
    public TimeSpan StatePollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Automatic suspension after repeated incidents.</summary>
    public IncidentOptions Incidents { get; init; } = new();

    /// <summary>Automatic suspension on a high failure rate.</summary>
    public ErrorRateOptions ErrorRate { get; init; } = new();
}

/// <summary>One use case as configured; <see cref="UseCaseRegistry"/> turns it into a <see cref="UseCase"/>.</summary>
public sealed record UseCaseOptions
{
    public string? Name { get; init; }

    public string? Owner { get; init; }

    public string? ClinicalSponsor { get; init; }

    public string? IntendedUse { get; init; }

    /// <summary>Risk tier 1-4 (<see cref="RiskTier"/>).</summary>
    public int Tier { get; init; }

    /// <summary>proposed, approved, active, suspended or retired (any case).</summary>
    public string? Status { get; init; }

    public string? StatusReason { get; init; }

    /// <summary>Provider or deployment names the use case may be served by.</summary>
    public IReadOnlyList<string> Providers { get; init; } = [];

    /// <summary>Client app ids that may call the use case; empty means any app its API key grants the use case to.</summary>
    public IReadOnlyList<string> AllowedApps { get; init; } = [];

    public string? OutOfScopeUse { get; init; }

    /// <summary>The prompt template and version (<c>PromptTemplate:Id</c>, <c>PromptTemplate:Version</c>).</summary>
    public PromptTemplateOptions? PromptTemplate { get; init; }

    /// <summary>
    /// HTI-1 source attributes and CHAI model-card fields (<c>ModelCard:SourceAttributes:…</c>,
    /// <c>ModelCard:Chai:…</c>); each attribute a string, or <c>{ "NotSupplied": "&lt;reason&gt;" }</c>.
    /// </summary>
    public ModelCard? ModelCard { get; init; }

    /// <summary>
    /// Whether the use case opts out of de-identification before vendors without a BAA
    /// (<c>DeIdentification:OptOut</c>, <c>DeIdentification:Reason</c>); left out, it is de-identified.
    /// </summary>
    public UseCaseDeIdentificationOptions? DeIdentification { get; init; }

    /// <summary>
    /// The labels a classification use case answers with (<c>OutputLabels</c>, e.g. <c>urgent</c>, <c>routine</c>): its
    /// drift then also watches how often each comes back. Left out for use cases that answer in free text.
    /// </summary>
    public IList<string>? OutputLabels { get; init; }

    /// <summary>Most labels a use case may declare.</summary>
    public const int MaxOutputLabels = 32;

    internal static bool TryParseStatus(string? value, out UseCaseStatus status)
    {
        // Explicit names only: Enum.TryParse would also accept "2" or "Active, Retired".
        UseCaseStatus? parsed = value?.Trim().ToLowerInvariant() switch
        {
            "proposed" => UseCaseStatus.Proposed,
            "approved" => UseCaseStatus.Approved,
            "active" => UseCaseStatus.Active,
            "suspended" => UseCaseStatus.Suspended,
            "retired" => UseCaseStatus.Retired,
            _ => null,
        };
        status = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }
}

/// <summary>A use case's prompt template (<c>Governance:UseCases:&lt;id&gt;:PromptTemplate</c>).</summary>
public sealed record PromptTemplateOptions
{
    public string? Id { get; init; }

    public string? Version { get; init; }
}

/// <summary>
/// A use case's de-identification (<c>Governance:UseCases:&lt;id&gt;:DeIdentification</c>): on unless it opts out,
/// with a reason its model card and every audit record show. A tier-4 use case cannot opt out.
/// </summary>
public sealed record UseCaseDeIdentificationOptions
{
    /// <summary>Send PHI as it is to vendors without a BAA. Default: false.</summary>
    public bool OptOut { get; init; }

    /// <summary>Why the use case opts out; required when <see cref="OptOut"/> is true.</summary>
    public string? Reason { get; init; }
}
