namespace XefAI.Governance;

/// <summary>What a policy sees of a call.</summary>
/// <param name="UseCase">The use case called.</param>
/// <param name="AppId">The authenticated client app.</param>
/// <param name="Deployment">The deployment the call would go to, when the policy runs per provider; null for the call as a whole.</param>
public sealed record PolicyContext(UseCase UseCase, string AppId, DeploymentFacts? Deployment = null)
{
    /// <summary>
    /// Most output tokens the request asks for (OpenAI <c>max_tokens</c> or <c>max_completion_tokens</c>); null
    /// when the request sets no limit.
    /// </summary>
    public int? RequestedMaxTokens { get; init; }

    /// <summary>
    /// Whether the gateway can de-identify PHI before a vendor sees it (the Data layer has a de-identifier). When it
    /// cannot, a tier that obliges de-identification may only be served where PHI is covered (BAA or in-process).
    /// </summary>
    public bool CanDeIdentify { get; init; }
}

/// <summary>What governance needs to know of a model deployment, mapped by the host from the Models layer.</summary>
/// <param name="Id">Deployment id.</param>
/// <param name="Lifecycle">candidate, validated, active, deprecated or retired.</param>
/// <param name="HasBaa">Whether a business associate agreement covers the vendor.</param>
/// <param name="SunsetDate">For deprecated deployments, when they stop being served.</param>
/// <param name="InProcess">The model runs inside the gateway's process: PHI never leaves the trust boundary.</param>
public sealed record DeploymentFacts(string Id, string Lifecycle, bool HasBaa, DateOnly? SunsetDate = null, bool InProcess = false)
{
    /// <summary>PHI may reach this deployment as it is: a BAA covers its vendor, or it never leaves the gateway.</summary>
    public bool CoversPhi => HasBaa || InProcess;
}

/// <summary>
/// A policy: one rule, evaluated on every call. Policies are plugins; each stands alone. The engine
/// evaluates each policy once for the call (<see cref="PolicyContext.Deployment"/> null) and once per
/// candidate deployment (set); a policy answers null for the stage it has nothing to say about.
/// </summary>
public interface IPolicy
{
    string Name { get; }

    /// <returns>A denial, or null when this policy has nothing against the call.</returns>
    PolicyDenial? Evaluate(PolicyContext context);
}

/// <summary>
/// A policy that spends a quota (a rate limit) when it lets a call through. The engine evaluates these last,
/// and only for calls no other policy refused, so a refused call never uses up an app's permits.
/// </summary>
public interface IQuotaPolicy : IPolicy
{
}

/// <summary>Why a call is refused: a bounded reason code (a metric label) and a message for the developer.</summary>
public sealed record PolicyDenial(string ReasonCode, string Message)
{
    /// <summary>When the call may be tried again (the host sends it as <c>Retry-After</c>); null when retrying will not help.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>The outcome of all policies for one call, and what the gateway must do if it answers.</summary>
public sealed record PolicyDecision(IReadOnlyList<PolicyDenial> Denials)
{
    /// <summary>No denial and no obligation.</summary>
    public static PolicyDecision Allow { get; } = new([]);

    public bool IsAllowed => Denials.Count == 0;

    /// <summary>The controls of the use case's risk tier that the host must apply to the call.</summary>
    public PolicyObligations Obligations { get; init; } = PolicyObligations.None;
}

/// <summary>Evaluates every registered policy.</summary>
public interface IPolicyEngine
{
    PolicyDecision Evaluate(PolicyContext context);
}
