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

    /// <summary>The audit record must keep the (de-identified) input and the output verbatim, not only their hashes.</summary>
    public bool AuditVerbatim { get; init; }

    /// <summary>Most output tokens the vendor may be asked for; null for no cap.</summary>
    public int? MaxTokens { get; init; }
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
