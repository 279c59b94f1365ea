namespace XefAI.Governance;

/// <summary>
/// What the gateway must do with a call it answers, derived from the use case's risk tier (and, per
/// deployment, from the vendor's BAA). The defaults oblige nothing.
/// </summary>
public sealed record PolicyObligations
{
    /// <summary>No obligation: identifiable data may pass, no review, metadata-only audit, no token cap.</summary>
    public static PolicyObligations None { get; } = new();

    /// <summary>PHI must be de-identified before the prompt leaves the trust boundary.</summary>
    public bool DeIdentify { get; init; }

    /// <summary>
    /// How a clinician must see the answer: <see cref="ReviewRequirement.None"/>, <see cref="ReviewRequirement.Draft"/>
    /// (released marked as a draft to be signed off) or <see cref="ReviewRequirement.Hold"/> (held until reviewed).
    /// </summary>
    public string Review { get; init; } = ReviewRequirement.None;

    /// <summary>
    /// The answer's tokens are replaced by the values they stand for before the caller sees it. True unless the tier
    /// forbids it (tier 4 by default): the caller then gets the answer as the vendor wrote it, tokens and all.
    /// </summary>
    public bool ReIdentify { get; init; } = true;

    /// <summary>The audit record must keep the input and the output verbatim, not only their hashes.</summary>
    public bool AuditVerbatim { get; init; }

    /// <summary>
    /// A verbatim audit keeps the client's request as received and the answer as released; otherwise (the default)
    /// it keeps what the vendor saw and answered: the de-identified input, and the output before its tokens were restored.
    /// </summary>
    public bool AuditOriginalText { get; init; }

    /// <summary>Most output tokens the vendor may be asked for; null for no cap.</summary>
    public int? MaxTokens { get; init; }
}

/// <summary>The values of <see cref="TierControls.VerbatimAuditText"/>, as configuration writes them.</summary>
public static class VerbatimAuditTexts
{
    /// <summary>What the vendor saw and answered: the de-identified input, and the output before re-identification.</summary>
    public const string DeIdentified = "deidentified";

    /// <summary>The client's request as received, and the answer as released.</summary>
    public const string Original = "original";
}

/// <summary>The values of <see cref="AuditEntry.DeIdentification"/>: what the protect step did with a call.</summary>
public static class DeIdentificationOutcomes
{
    /// <summary>A candidate deployment does not cover PHI, so what left for the model was de-identified.</summary>
    public const string Applied = "applied";

    /// <summary>The use case has opted out of de-identification (<see cref="UseCase.DeIdentificationOptOut"/>).</summary>
    public const string OptedOut = "opted-out";

    /// <summary>Every candidate deployment covers PHI (a BAA, or in process), so nothing needed de-identifying.</summary>
    public const string NotRequired = "not-required";
}

/// <summary>The values of <see cref="PolicyObligations.Review"/>, as configuration and the <c>X-XefAI-Review</c> header write them.</summary>
public static class ReviewRequirement
{
    /// <summary>The answer is released as it is.</summary>
    public const string None = "none";

    /// <summary>The answer is released marked as a draft; a clinician signs it off.</summary>
    public const string Draft = "draft";

    /// <summary>The answer is held until a clinician has reviewed it.</summary>
    public const string Hold = "hold";
}
