namespace XefAI.Governance;

/// <summary>One risk tier's controls as configured (<c>Governance:RiskTiers:&lt;tier&gt;</c>, tier <c>1</c> to <c>4</c>).</summary>
public sealed record RiskTierOptions
{
    /// <summary>
    /// Lifecycles of the deployments the tier's use cases may be served by: candidate, validated, active or
    /// deprecated (any case). Null keeps the tier's default; retired is never allowed.
    /// </summary>
    public IReadOnlyList<string>? AllowedLifecycles { get; init; }
}
