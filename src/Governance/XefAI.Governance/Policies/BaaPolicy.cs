namespace XefAI.Governance;

/// <summary>
/// Serves a use case whose risk tier requires a business associate agreement (<c>RequireBaa</c>; tier 4 by
/// default) only from deployments whose vendor has one, or that run inside the gateway (PHI never leaves it).
/// </summary>
/// <remarks>A deployment-stage policy: it judges each candidate deployment and has nothing to say about the call as a whole.</remarks>
internal sealed class BaaPolicy(RiskTierControlsSource tiers) : IPolicy
{
    public string Name => "baa";

    public PolicyDenial? Evaluate(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Deployment is not { } deployment || deployment.CoversPhi)
        {
            return null;
        }

        var tier = context.UseCase.Tier;
        if (!tiers.For(context.UseCase).RequireBaa)
        {
            return null;
        }

        return new PolicyDenial(
            "vendor_without_baa",
            $"Deployment '{deployment.Id}' is not covered by a business associate agreement; {RiskTierNames.Describe(tier)} use cases may only be served by vendors under a BAA.");
    }
}
