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
