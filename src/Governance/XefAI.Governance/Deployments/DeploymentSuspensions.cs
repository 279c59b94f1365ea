using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace XefAI.Governance;

/// <summary>Suspends and resumes deployments through the governance state store; reads the suspensions in force from the state cache.</summary>
internal sealed partial class DeploymentSuspensions(
    GovernanceStateCache state,
    TimeProvider timeProvider,
    ILogger<DeploymentSuspensions> logger) : IDeploymentSuspensions
{
    private const int MaxAttempts = 5;

    public IReadOnlyCollection<DeploymentSuspensionChange> Suspended =>
        [.. state.Current.Deployments.Values.Where(c => c.Suspended).OrderBy(c => c.DeploymentId, StringComparer.Ordinal)];

    public ValueTask<DeploymentSuspensionChange> SuspendAsync(string deploymentId, string actor, string reason, CancellationToken cancellationToken) =>
        ApplyAsync(deploymentId, suspend: true, actor, reason, cancellationToken);

    public ValueTask<DeploymentSuspensionChange> ResumeAsync(string deploymentId, string actor, string reason, CancellationToken cancellationToken) =>
        ApplyAsync(deploymentId, suspend: false, actor, reason, cancellationToken);

    public bool IsSuspended(string deploymentId) => TryGetSuspension(deploymentId, out _);

    public bool TryGetSuspension(string deploymentId, [NotNullWhen(true)] out DeploymentSuspensionChange? suspension)
    {
        ArgumentNullException.ThrowIfNull(deploymentId);
        if (state.Current.Deployments.TryGetValue(deploymentId, out var latest) && latest.Suspended)
        {
            suspension = latest;
            return true;
        }

        suspension = null;
        return false;
    }

    private async ValueTask<DeploymentSuspensionChange> ApplyAsync(
        string deploymentId, bool suspend, string actor, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deploymentId);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);

        for (var attempt = 1; ; attempt++)
        {
            var history = await state.Store.GetDeploymentHistoryAsync(deploymentId, cancellationToken);
            var latest = history.Count > 0 ? history[^1] : null;
            var suspended = latest?.Suspended ?? false;
            if (suspended == suspend)
            {
                throw new GovernanceActionException(
                    GovernanceActionCodes.InvalidTransition,
                    suspend
                        ? $"Deployment '{deploymentId}' cannot go from suspended to suspended: it is already suspended."
                        : $"Deployment '{deploymentId}' cannot go from serving to serving: it is not suspended.");
            }

            var now = timeProvider.GetUtcNow();
            var change = new DeploymentSuspensionChange(
                GovernanceIds.New(GovernanceIds.DeploymentChange, now), deploymentId, suspend, actor.Trim(), reason.Trim(), now);
            if (await state.Store.TryAppendDeploymentChangeAsync(change, latest?.Id, cancellationToken) is { } stored)
            {
                state.Observe(stored);
                LogChanged(logger, deploymentId, suspend ? "suspended" : "resumed", stored.Actor, stored.Id);
                return stored;
            }

            if (attempt == MaxAttempts)
            {
                throw new InvalidOperationException($"Deployment '{deploymentId}' kept changing while it was {(suspend ? "suspended" : "resumed")}; try again.");
            }
        }
    }

    // The reason is free text that may name a patient: it stays in the state store and the audit trail, never in logs.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Deployment} {Change} by {Actor} (change {ChangeId}).")]
    private static partial void LogChanged(ILogger logger, string deployment, string change, string actor, string changeId);
}
