using Microsoft.Extensions.Options;

namespace XefAI.Governance;

/// <summary>
/// Lets a use case be served only by deployments whose lifecycle its risk tier accepts
/// (<c>Governance:RiskTiers</c>); retired deployments, and deprecated ones past their sunset date, never.
/// </summary>
/// <remarks>A deployment-stage policy: it judges each candidate deployment and has nothing to say about the call as a whole.</remarks>
internal sealed class DeploymentLifecyclePolicy : IPolicy, IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly IDisposable? _subscription;

    // Read once per evaluation, never locked; a reload replaces it whole. OptionsMonitor only calls back
    // with options that passed validation, so a bad edit leaves the last good table in force.
    private RiskTierLifecycles _tiers;

    public DeploymentLifecyclePolicy(IOptionsMonitor<GovernanceOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _tiers = RiskTierLifecycles.From(options.CurrentValue);
        _subscription = options.OnChange(OnChanged);
    }

    public string Name => "deployment-lifecycle";

    public PolicyDenial? Evaluate(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Deployment is not { } deployment)
        {
            return null;
        }

        // Fail closed: a lifecycle this policy cannot name is not one any tier accepts.
        if (!DeploymentLifecycleNames.TryParse(deployment.Lifecycle, out var lifecycle))
        {
            return new PolicyDenial(
                "model_lifecycle_not_allowed",
                $"Deployment '{deployment.Id}' has the unknown lifecycle '{deployment.Lifecycle}'; only {DeploymentLifecycleNames.Allowable} deployments can be served.");
        }

        if (lifecycle == DeploymentLifecycles.Retired)
        {
            return new PolicyDenial("model_retired", $"Deployment '{deployment.Id}' is retired and is no longer served.");
        }

        // The sunset date is the last day served (UTC): from the day after, the deployment counts as retired.
        if (lifecycle == DeploymentLifecycles.Deprecated
            && deployment.SunsetDate is { } sunset
            && sunset < DateOnly.FromDateTime(_timeProvider.GetUtcNow().UtcDateTime))
        {
            return new PolicyDenial(
                "model_past_sunset",
                $"Deployment '{deployment.Id}' is deprecated and its sunset date {sunset:yyyy-MM-dd} has passed; it is treated as retired.");
        }

        var tier = context.UseCase.Tier;
        string names;
        if (context.UseCase.TierControls is { } carried)
        {
            // The lifecycles of the configuration snapshot the use case came from.
            if (Allows(carried.AllowedLifecycles, DeploymentLifecycleNames.Name(lifecycle)))
            {
                return null;
            }

            names = string.Join(", ", carried.AllowedLifecycles);
        }
        else
        {
            var tiers = Volatile.Read(ref _tiers);
            if ((tiers.Allowed(tier) & lifecycle) != 0)
            {
                return null;
            }

            names = tiers.AllowedNames(tier);
        }

        var accepted = names.Length > 0 ? $"only {names} deployments" : "no deployments";
        return new PolicyDenial(
            "model_lifecycle_not_allowed",
            $"Deployment '{deployment.Id}' is '{DeploymentLifecycleNames.Format(lifecycle)}'; tier {(int)tier} ({TierLabel(tier)}) use cases accept {accepted}.");
    }

    public void Dispose() => _subscription?.Dispose();

    private static string TierLabel(RiskTier tier) => tier switch
    {
        RiskTier.Administrative => "administrative",
        RiskTier.Operational => "operational",
        RiskTier.ClinicalAssistive => "clinical assistive",
        RiskTier.ClinicalDecisionSupport => "clinical decision support",
        _ => "unknown",
    };

    private void OnChanged(GovernanceOptions options, string? name)
    {
        if (name == Options.DefaultName)
        {
            Volatile.Write(ref _tiers, RiskTierLifecycles.From(options));
        }
    }

    // By index, not Enumerable.Contains with a comparer, which takes an enumerator per call.
    private static bool Allows(IReadOnlyList<string> allowed, string name)
    {
        for (var i = 0; i < allowed.Count; i++)
        {
            if (string.Equals(allowed[i], name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
