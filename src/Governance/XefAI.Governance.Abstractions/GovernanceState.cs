namespace XefAI.Governance;

/// <summary>
/// Where governance keeps the state that must survive restarts and be shared by replicas: use-case status
/// changes, deployment suspensions and incidents, each an append-only history. A plugin: configuration picks
/// one by <see cref="Kind"/> (<c>Governance:StateStore</c>). Every method may be called by several processes at once.
/// </summary>
public interface IGovernanceStateStore
{
    /// <summary>Name configuration selects the store by.</summary>
    string Kind { get; }

    /// <summary>
    /// A number that changes whenever a use-case or deployment change is appended (incidents do not count), so
    /// a poller can tell cheaply whether to <see cref="LoadAsync"/> again.
    /// </summary>
    ValueTask<long> GetVersionAsync(CancellationToken cancellationToken);

    /// <summary>The latest change of every use case and deployment that has one, read as one consistent snapshot.</summary>
    ValueTask<GovernanceStateSnapshot> LoadAsync(CancellationToken cancellationToken);

    /// <summary>A use case's changes, oldest first.</summary>
    ValueTask<IReadOnlyList<UseCaseStatusChange>> GetUseCaseHistoryAsync(string useCaseId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the change only if the use case's latest change is still <paramref name="expectedLatestId"/> (null:
    /// it has none), so two administrators cannot both move a use case from the same status.
    /// </summary>
    /// <returns>The change with its <see cref="UseCaseStatusChange.Sequence"/>, or null when another change came first.</returns>
    ValueTask<UseCaseStatusChange?> TryAppendUseCaseChangeAsync(UseCaseStatusChange change, string? expectedLatestId, CancellationToken cancellationToken);

    /// <summary>A deployment's suspensions and resumptions, oldest first.</summary>
    ValueTask<IReadOnlyList<DeploymentSuspensionChange>> GetDeploymentHistoryAsync(string deploymentId, CancellationToken cancellationToken);

    /// <summary>Appends the change only if the deployment's latest change is still <paramref name="expectedLatestId"/>.</summary>
    /// <returns>The change with its sequence, or null when another change came first.</returns>
    ValueTask<DeploymentSuspensionChange?> TryAppendDeploymentChangeAsync(DeploymentSuspensionChange change, string? expectedLatestId, CancellationToken cancellationToken);

    /// <returns>The incident with its sequence.</returns>
    ValueTask<Incident> AppendIncidentAsync(Incident incident, CancellationToken cancellationToken);

    /// <summary>Incidents matching the query, newest first.</summary>
    ValueTask<IReadOnlyList<Incident>> QueryIncidentsAsync(IncidentQuery query, CancellationToken cancellationToken);
}

/// <summary>The latest changes as <see cref="IGovernanceStateStore.LoadAsync"/> read them.</summary>
/// <param name="Version">The <see cref="IGovernanceStateStore.GetVersionAsync"/> value of this snapshot.</param>
public sealed record GovernanceStateSnapshot(
    long Version,
    IReadOnlyList<UseCaseStatusChange> UseCases,
    IReadOnlyList<DeploymentSuspensionChange> Deployments)
{
    /// <summary>
    /// Every recorded approval that names a clinical sponsor, of every use case, read in the same snapshot: an active
    /// tier-4 use case is served only while its configured sponsor's approval is among them. A store that leaves it
    /// empty gets no tier-4 use case served.
    /// </summary>
    public IReadOnlyList<UseCaseStatusChange> SponsorApprovals { get; init; } = [];
}

/// <summary>
/// Whether this replica can govern calls: its governance state (use-case statuses, suspensions, approvals) has been
/// read from the store, or can be now. Part of <c>/readyz</c>, beside the audit store.
/// </summary>
public interface IGovernanceReadiness
{
    /// <summary>
    /// True once the state was loaded (a later outage serves the last state read, so calls are still governed); before
    /// that, whether a load succeeds now. Never throws for a store outage.
    /// </summary>
    ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Brings this replica's governance state up to the store's now, rather than at its next poll
/// (<c>Governance:StatePollInterval</c>): for an act that must not rest on a state another replica changed a moment
/// ago, such as releasing an answer held for review while its use case's kill switch may have been pulled elsewhere.
/// </summary>
public interface IGovernanceStateSync
{
    /// <summary>Reads the store's version and, when it moved, the state. Throws what the store throws when it fails.</summary>
    Task RefreshAsync(CancellationToken cancellationToken);
}
