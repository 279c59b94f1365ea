namespace XefAI.Governance;

/// <summary>
/// One risk tier's controls as configured (<c>Governance:RiskTiers:&lt;tier&gt;</c>, tier <c>1</c> to <c>4</c>).
/// Every setting left out (null) keeps the tier's default from DESIGN.md.
/// </summary>
public sealed record RiskTierOptions
{
    /// <summary>
    /// Lifecycles of the deployments the tier's use cases may be served by: candidate, validated, active or
    /// deprecated (any case). Null keeps the tier's default; retired is never allowed.
    /// </summary>
    public IReadOnlyList<string>? AllowedLifecycles { get; init; }

    /// <summary>Only vendors under a business associate agreement may serve the tier. Default: tier 4 only.</summary>
    public bool? RequireBaa { get; init; }

    /// <summary>
    /// PHI is de-identified unless the vendor has a BAA. Default: every tier, and <c>false</c> is refused: a use case
    /// that must send PHI as it is opts out on its own (<c>Governance:UseCases:&lt;id&gt;:DeIdentification:OptOut</c>).
    /// </summary>
    public bool? DeIdentifyUnlessBaa { get; init; }

    /// <summary>The answer's tokens are restored before the caller sees it. Default: tiers 1 to 3, not tier 4.</summary>
    public bool? ReIdentifyAnswers { get; init; }

    /// <summary><c>none</c>, <c>draft</c> or <c>hold</c> (any case). Default: none for tiers 1 and 2, draft for 3, hold for 4.</summary>
    public string? Review { get; init; }

    /// <summary>Input and output are audited verbatim. Default: tiers 2, 3 and 4.</summary>
    public bool? AuditVerbatim { get; init; }

    /// <summary>
    /// Which texts a verbatim audit keeps: <c>deidentified</c> (what the vendor saw and answered) or <c>original</c>
    /// (the client's request and the answer as released), any case. Default: deidentified at every tier.
    /// </summary>
    public string? VerbatimAuditText { get; init; }

    /// <summary>Most output tokens a call may ask for; <c>0</c> removes the cap. Default: none for tiers 1-3, 4096 for tier 4.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Calls per app per use case in a fixed window. Default: none for tiers 1-3, 30 per minute for tier 4.</summary>
    public RiskTierRateLimitOptions? RateLimit { get; init; }
}

/// <summary>A tier's rate limit (<c>Governance:RiskTiers:&lt;tier&gt;:RateLimit</c>), counted per app and use case.</summary>
public sealed record RiskTierRateLimitOptions
{
    /// <summary>Calls allowed per window; <c>0</c> removes the limit. Null keeps the tier's default.</summary>
    public int? PermitLimit { get; init; }

    /// <summary>Length of the fixed window, e.g. <c>00:01:00</c>. Null keeps the tier's default, or one minute.</summary>
    public TimeSpan? Window { get; init; }
}
