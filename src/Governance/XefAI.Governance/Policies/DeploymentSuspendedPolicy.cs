namespace XefAI.Governance;

/// <summary>Never serves from a deployment that governance has suspended (<see cref="IDeploymentSuspensions"/>): the per-model kill switch.</summary>
/// <remarks>A deployment-stage policy: the use case falls back to its other deployments.</remarks>
internal sealed class DeploymentSuspendedPolicy(IDeploymentSuspensions suspensions) : IPolicy
{
    public string Name => "deployment-suspended";

    public PolicyDenial? Evaluate(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Deployment is not { } deployment || !suspensions.TryGetSuspension(deployment.Id, out var suspension))
        {
            return null;
        }

        var reason = string.IsNullOrWhiteSpace(suspension.Reason) ? "no reason recorded" : suspension.Reason.Trim().TrimEnd('.');
        return new PolicyDenial("deployment_suspended", $"Deployment '{deployment.Id}' is suspended: {reason}.");
    }
}
