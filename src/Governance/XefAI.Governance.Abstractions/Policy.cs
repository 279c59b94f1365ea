namespace XefAI.Governance;

/// <summary>What a policy sees of a call.</summary>
/// <param name="UseCase">The use case called.</param>
/// <param name="AppId">The authenticated client app.</param>
/// <param name="DeploymentId">The deployment the call would go to, when the policy runs per provider.</param>
public sealed record PolicyContext(UseCase UseCase, string AppId, string? DeploymentId = null);

/// <summary>A policy: one rule, evaluated on every call. Policies are plugins; each stands alone.</summary>
public interface IPolicy
{
    string Name { get; }

    /// <returns>A denial, or null when this policy has nothing against the call.</returns>
    PolicyDenial? Evaluate(PolicyContext context);
}

/// <summary>Why a call is refused: a bounded reason code (a metric label) and a message for the developer.</summary>
public sealed record PolicyDenial(string ReasonCode, string Message);

/// <summary>The outcome of all policies for one call.</summary>
public sealed record PolicyDecision(IReadOnlyList<PolicyDenial> Denials)
{
    public static PolicyDecision Allow { get; } = new([]);

    public bool IsAllowed => Denials.Count == 0;
}

/// <summary>Evaluates every registered policy.</summary>
public interface IPolicyEngine
{
    PolicyDecision Evaluate(PolicyContext context);
}
