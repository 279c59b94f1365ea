namespace XefAI.Governance;

/// <summary>
/// Runs every registered policy and collects all denials, so a developer sees every reason at once; attaches
/// the obligations of the use case's risk tier to the decision.
/// </summary>
/// <remarks>
/// Stage-agnostic: the host calls it once for the call (<see cref="PolicyContext.Deployment"/> null) and once
/// per candidate deployment, and each policy answers only the stage it judges. At the call stage the vendor is
/// not known yet, so the obligations assume it has no BAA; the deployment stage has the final word.
/// </remarks>
internal sealed class PolicyEngine(IEnumerable<IPolicy> policies, RiskTierControlsSource? tiers = null) : IPolicyEngine
{
    private readonly IPolicy[] _policies = [.. policies.Where(p => p is not IQuotaPolicy)];
    private readonly IPolicy[] _quotas = [.. policies.OfType<IQuotaPolicy>()];

    public PolicyDecision Evaluate(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // A policy that throws fails the call rather than letting it through.
        List<PolicyDenial>? denials = null;
        foreach (var policy in _policies)
        {
            if (policy.Evaluate(context) is { } denial)
            {
                (denials ??= []).Add(denial);
            }
        }

        // Quotas are spent only by calls that would otherwise go through.
        for (var i = 0; denials is null && i < _quotas.Length; i++)
        {
            if (_quotas[i].Evaluate(context) is { } denial)
            {
                (denials ??= []).Add(denial);
            }
        }

        // A use case taken from a configuration snapshot carries its tier's controls: the call is judged by that
        // snapshot, not by an edit applied while it runs.
        var obligations = context.UseCase.TierControls is { } carried
            ? RiskTierControls.ObligationsFor(carried, context.Deployment)
            : tiers?.Current.ObligationsFor(context.UseCase.Tier, context.Deployment) ?? PolicyObligations.None;

        // A use case that opted out sends PHI as it is wherever its tier would have it de-identified.
        if (context.UseCase.DeIdentificationOptOut is not null)
        {
            obligations = RiskTierControls.OptedOut(obligations);
        }
        if (denials is null && ReferenceEquals(obligations, PolicyObligations.None))
        {
            return PolicyDecision.Allow;
        }

        return new PolicyDecision((IReadOnlyList<PolicyDenial>?)denials ?? []) { Obligations = obligations };
    }
}
