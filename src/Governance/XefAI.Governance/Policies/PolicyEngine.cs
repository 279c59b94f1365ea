namespace XefAI.Governance;

/// <summary>Runs every registered policy and collects all denials, so a developer sees every reason at once.</summary>
/// <remarks>
/// Stage-agnostic: the host calls it once for the call (<see cref="PolicyContext.Deployment"/> null) and once
/// per candidate deployment, and each policy answers only the stage it judges.
/// </remarks>
internal sealed class PolicyEngine(IEnumerable<IPolicy> policies) : IPolicyEngine
{
    private readonly IPolicy[] _policies = [.. policies];

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

        return denials is null ? PolicyDecision.Allow : new PolicyDecision(denials);
    }
}
