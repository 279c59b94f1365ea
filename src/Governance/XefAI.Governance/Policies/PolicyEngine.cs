namespace XefAI.Governance;

/// <summary>Runs every registered policy and collects all denials, so a developer sees every reason at once.</summary>
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
