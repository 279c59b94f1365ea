using System.Diagnostics.CodeAnalysis;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// The use cases of the configuration snapshot in force, for readers outside a call (admin endpoints, incidents,
/// use-case administration): they see an edit when a call does, and never one the cross-layer check refused.
/// </summary>
internal sealed class SnapshotUseCaseRegistry(GatewaySnapshots snapshots) : IUseCaseRegistry
{
    public IReadOnlyCollection<UseCase> All => snapshots.Current.UseCases.All;

    public bool TryGet(string id, [NotNullWhen(true)] out UseCase? useCase) => snapshots.Current.UseCases.TryGet(id, out useCase);
}

/// <summary>The model deployments of the configuration snapshot in force, for readers outside a call.</summary>
internal sealed class SnapshotModelRegistry(GatewaySnapshots snapshots) : IModelRegistry
{
    public IReadOnlyCollection<ModelDeployment> All => snapshots.Current.Models.All;

    public bool TryGet(string deploymentId, [NotNullWhen(true)] out ModelDeployment? deployment) =>
        snapshots.Current.Models.TryGet(deploymentId, out deployment);
}
