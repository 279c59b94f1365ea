using System.Diagnostics.CodeAnalysis;

namespace XefAI.Governance;

/// <summary>One recorded suspension or resumption of a model deployment; the latest one is in force.</summary>
/// <param name="Id">Change id, <c>dep_</c> and a time-ordered GUID.</param>
/// <param name="Suspended">True for a suspension, false for a resumption.</param>
public sealed record DeploymentSuspensionChange(string Id, string DeploymentId, bool Suspended, string Actor, string Reason, DateTimeOffset Time)
{
    /// <summary>Position in the state store's history of deployment changes; 0 until stored.</summary>
    public long Sequence { get; init; }
}

/// <summary>
/// The per-model kill switch: a suspended deployment serves no use case (they fall back to their other
/// deployments). Persisted like use-case changes, and seen by other replicas within <c>Governance:StatePollInterval</c>.
/// </summary>
public interface IDeploymentSuspensions
{
    /// <exception cref="GovernanceActionException"><see cref="GovernanceActionCodes.InvalidTransition"/>: already suspended.</exception>
    /// <exception cref="ArgumentException">The deployment id, actor or reason is blank.</exception>
    ValueTask<DeploymentSuspensionChange> SuspendAsync(string deploymentId, string actor, string reason, CancellationToken cancellationToken);

    /// <exception cref="GovernanceActionException"><see cref="GovernanceActionCodes.InvalidTransition"/>: not suspended.</exception>
    /// <exception cref="ArgumentException">The deployment id, actor or reason is blank.</exception>
    ValueTask<DeploymentSuspensionChange> ResumeAsync(string deploymentId, string actor, string reason, CancellationToken cancellationToken);

    bool IsSuspended(string deploymentId);

    /// <summary>The suspension in force for the deployment, if any.</summary>
    bool TryGetSuspension(string deploymentId, [NotNullWhen(true)] out DeploymentSuspensionChange? suspension);

    /// <summary>The suspensions in force, by deployment id.</summary>
    IReadOnlyCollection<DeploymentSuspensionChange> Suspended { get; }
}
