using XefAI.Data;
using XefAI.Data.Configuration;
using XefAI.Gateway.Hosting;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// Every layer's configuration as one call sees it. A call takes the current snapshot when it starts and reads only
/// that one until it ends, so it never mixes settings from before and after an edit.
/// </summary>
/// <remarks>
/// Built whole from one read of the configuration and cross-checked before any call sees it; never changed after.
/// The options objects are the snapshot's own (bound afresh, shared with no options cache): nothing may modify them.
/// Use-case statuses are governance state, not configuration: <see cref="UseCases"/> shows a suspension the moment
/// it is recorded, while the use cases themselves and their tiers' controls stay those of this snapshot.
/// </remarks>
internal sealed class GatewaySnapshot(
    long version,
    GatewayOptions gateway,
    ResilienceOptions resilience,
    ApiKeyDirectory keys,
    IUseCaseRegistry useCases,
    IModelRegistry models)
{
    /// <summary>Increases with each accepted reload; for logs and tests.</summary>
    public long Version { get; } = version;

    public GatewayOptions Gateway { get; } = gateway;

    public ResilienceOptions Resilience { get; } = resilience;

    /// <summary>The client apps and administrators of <see cref="Gateway"/>.</summary>
    public ApiKeyDirectory Keys { get; } = keys;

    /// <summary>
    /// The use cases of <see cref="Governance"/>, each carrying its tier's controls (<see cref="UseCase.TierControls"/>),
    /// so the policy engine judges a call by this snapshot's tiers too.
    /// </summary>
    public IUseCaseRegistry UseCases { get; } = useCases;

    /// <summary>The model deployments of the <c>Models</c> section.</summary>
    public IModelRegistry Models { get; } = models;

    /// <summary>The limits on traffic without a valid key.</summary>
    public UnauthenticatedOptions Unauthenticated { get; init; } = new();

    /// <summary>The <c>Governance</c> section the use cases were built from.</summary>
    public GovernanceOptions Governance { get; init; } = new();

    /// <summary>The <c>Data</c> section.</summary>
    public DataOptions Data { get; init; } = new();

    /// <summary>The <c>CdsHooks</c> section: the CDS services offered, each naming its use case.</summary>
    public CdsHooksOptions CdsHooks { get; init; } = new();

    /// <summary>
    /// The prompt templates of <see cref="Data"/>'s <c>PromptsPath</c>, loaded for this snapshot and checked against its
    /// use cases: a call renders with these, whatever the folder holds by the time it composes its prompt. Null only in a
    /// snapshot built by hand (a test), whose reader then uses the catalog it was given.
    /// </summary>
    public IPromptTemplateCatalog? Prompts { get; init; }

    /// <summary>
    /// The governance-relevant configuration of this snapshot, canonical, and its SHA-256: what the audit trail's
    /// configuration record holds, and what each call's record names. Null only in a snapshot built by hand (a test).
    /// </summary>
    public GovernedConfiguration? Governed { get; private set; }

    /// <summary>
    /// The destination addresses of the <c>ReverseProxy</c> section this snapshot was judged with, by cluster and then
    /// destination id (case-insensitive, as configuration keys are): what YARP was given when it was put in force. A call
    /// forwards only to a destination whose address is still the one named here: YARP's clusters are live, and a call
    /// that started under this snapshot (its de-identification decided by its deployments' BAA flags) must not be sent
    /// where a later edit repointed the cluster. Null in a snapshot built by hand (a test).
    /// </summary>
    private Dictionary<string, Dictionary<string, string?>>? _destinations;

    /// <summary>Computed once, when the snapshot is built, never per call.</summary>
    internal GatewaySnapshot Describe(IReadOnlyDictionary<string, string?>? clusters)
    {
        Governed = GovernedConfiguration.Of(this, clusters);
        _destinations = clusters is null ? null : DestinationsOf(clusters);
        return this;
    }

    /// <summary>
    /// Whether this snapshot names <paramref name="address"/> as the address of destination
    /// <paramref name="destinationId"/> of cluster <paramref name="clusterId"/>; always true for a hand-built snapshot.
    /// A lookup, no allocation: it runs on every attempt.
    /// </summary>
    public bool NamesDestination(string clusterId, string destinationId, string? address) =>
        _destinations is null
        || (_destinations.TryGetValue(clusterId, out var destinations)
            && destinations.TryGetValue(destinationId, out var named)
            && string.Equals(named, address, StringComparison.Ordinal));

    // Keys are full configuration paths: ReverseProxy:Clusters:{cluster}:Destinations:{destination}:Address.
    private static Dictionary<string, Dictionary<string, string?>> DestinationsOf(IReadOnlyDictionary<string, string?> proxy)
    {
        var destinations = new Dictionary<string, Dictionary<string, string?>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in proxy)
        {
            var parts = key.Split(ConfigurationPath.KeyDelimiter);
            if (parts is [var root, var clusters, var cluster, var named, var destination, var address]
                && root.Equals("ReverseProxy", StringComparison.OrdinalIgnoreCase)
                && clusters.Equals("Clusters", StringComparison.OrdinalIgnoreCase)
                && named.Equals("Destinations", StringComparison.OrdinalIgnoreCase)
                && address.Equals("Address", StringComparison.OrdinalIgnoreCase))
            {
                if (!destinations.TryGetValue(cluster, out var ofCluster))
                {
                    destinations[cluster] = ofCluster = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                }

                ofCluster[destination] = value;
            }
        }

        return destinations;
    }
}

/// <summary>
/// Hands each call the configuration snapshot in force, and replaces it when the configuration files change: the new
/// one is built from every layer's options at once and swapped in only if it passes every options validator and the
/// cross-layer check; otherwise the last good one stays in force.
/// </summary>
/// <remarks>A held snapshot is never changed: a reload builds a new one, so a call keeps its own until it ends.</remarks>
/// <param name="builder">Builds a snapshot from the configuration as it is.</param>
/// <param name="proxy">YARP's copy of the <c>ReverseProxy</c> section, published with each snapshot put in force.</param>
internal sealed class GatewaySnapshots(GatewaySnapshotBuilder builder, ProxyConfigurationInForce? proxy = null)
{
    private readonly Lock _gate = new();
    private volatile GatewaySnapshot? _current;

    /// <summary>The snapshot in force. Take it once per call and read only that one.</summary>
    /// <exception cref="GatewayConfigurationException">Read before start-up validated the configuration, which is invalid.</exception>
    public GatewaySnapshot Current => _current ?? StartOrThrow();

    /// <summary>Always the snapshot given, never reloaded: for tests of what reads it.</summary>
    internal static GatewaySnapshots Of(GatewaySnapshot snapshot)
    {
        var snapshots = new GatewaySnapshots(null!);
        snapshots._current = snapshot;
        return snapshots;
    }

    /// <summary>Builds the first snapshot, the one the gateway starts with.</summary>
    /// <returns>Every problem of the configuration; empty when it is good and in force.</returns>
    public IReadOnlyList<string> Start()
    {
        lock (_gate)
        {
            if (_current is not null)
            {
                return [];
            }

            var errors = new List<string>();
            var clusters = proxy?.Capture();
            _current = builder.Build(1, errors, clusters);
            if (_current is not null && clusters is not null)
            {
                proxy!.Publish(clusters);
            }

            return errors;
        }
    }

    /// <summary>Builds a snapshot from the configuration as it is now and puts it in force if it is valid.</summary>
    public SnapshotReload Reload()
    {
        lock (_gate)
        {
            var inForce = Current;
            var errors = new List<string>();

            // Taken before the build, so what YARP is given is no newer than what was judged.
            var clusters = proxy?.Capture();
            if (builder.Build(inForce.Version + 1, errors, clusters) is not { } built)
            {
                return new SnapshotReload(inForce, errors);
            }

            _current = built;
            if (clusters is not null)
            {
                proxy!.Publish(clusters);
            }

            return new SnapshotReload(built, []);
        }
    }

    private GatewaySnapshot StartOrThrow()
    {
        var errors = Start();
        return _current ?? throw new GatewayConfigurationException(errors);
    }
}

/// <summary>What a reload did: the snapshot now in force, and why a new one was refused (empty when it was taken).</summary>
internal sealed record SnapshotReload(GatewaySnapshot InForce, IReadOnlyList<string> Errors)
{
    public bool Applied => Errors.Count == 0;
}
