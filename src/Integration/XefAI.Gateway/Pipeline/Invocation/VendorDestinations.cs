using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;
using XefAI.Gateway.Configuration;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// The destinations of the vendor clusters: which one an attempt goes to (YARP's health and load balancing, minus
/// those whose circuit is open), the key it needs, and its circuit breaker. A breaker is state, not configuration: it
/// is rebuilt only when its own settings change, so an unrelated edit leaves an open circuit open.
/// </summary>
/// <param name="loadBalancers">YARP's load-balancing policies.</param>
/// <param name="time">The breakers' clock.</param>
/// <param name="transitions">Where circuit transitions are counted; none in tests that do not look.</param>
internal sealed class VendorDestinations(IEnumerable<ILoadBalancingPolicy> loadBalancers, TimeProvider time, CircuitTransitions? transitions = null)
{
    /// <summary>Cluster or destination metadata naming the environment variable that holds the vendor key.</summary>
    public const string ApiKeyVariableMetadata = "ApiKeyVariable";

    private static readonly string DefaultLoadBalancingPolicy = LoadBalancingPolicies.PowerOfTwoChoices;

    private readonly Dictionary<string, ILoadBalancingPolicy> _loadBalancers = loadBalancers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
    private readonly CircuitBreakers<AttemptOutcome> _breakers = new(o => o.Result is { Retryable: true }, time, transitions is null ? null : transitions.Record);

    public DestinationState? Pick(HttpContext httpContext, ClusterState cluster, ResilienceOptions settings)
    {
        // YARP's own list when no circuit is open, the usual case; a copy without the open ones otherwise.
        var healthy = cluster.DestinationsState.AvailableDestinations;
        List<DestinationState>? usable = null;
        for (var i = 0; i < healthy.Count; i++)
        {
            if (BreakerFor(cluster, healthy[i], settings).IsOpen)
            {
                usable ??= [.. healthy.Take(i)];
            }
            else
            {
                usable?.Add(healthy[i]);
            }
        }

        IReadOnlyList<DestinationState> available = usable ?? healthy;
        if (available.Count <= 1)
        {
            return available.Count == 1 ? available[0] : null;
        }

        var policyName = cluster.Model.Config.LoadBalancingPolicy ?? DefaultLoadBalancingPolicy;
        return _loadBalancers.TryGetValue(policyName, out var policy)
            ? policy.PickDestination(httpContext, cluster, available)
            : available[0];
    }

    /// <summary>
    /// When <see cref="Pick"/> found no destination: how long until the first open circuit among the cluster's healthy
    /// destinations lets a trial through, for the client's <c>Retry-After</c>; null when none is open on a clock (every
    /// destination is unhealthy, or isolated).
    /// </summary>
    public TimeSpan? UntilACircuitCloses(ClusterState cluster, ResilienceOptions settings)
    {
        TimeSpan? earliest = null;
        var healthy = cluster.DestinationsState.AvailableDestinations;
        for (var i = 0; i < healthy.Count; i++)
        {
            if (BreakerFor(cluster, healthy[i], settings).RemainingBreak is { } remaining && (earliest is null || remaining < earliest))
            {
                earliest = remaining;
            }
        }

        return earliest;
    }

    /// <summary>"cluster/destination"; made once per destination, not on every attempt.</summary>
    public static string NameOf(ClusterState cluster, DestinationState destination) => Resolve(cluster, destination).Name;

    /// <summary>
    /// The host of a destination's address (OpenTelemetry's <c>server.address</c>), worked out once per configuration;
    /// null when the address is not an absolute URI.
    /// </summary>
    public static string? HostOf(ClusterState cluster, DestinationState destination) => Resolve(cluster, destination).Host;

    /// <summary>The destination's circuit for <c>xefai_circuit_state</c>: 0 closed, 1 half-open, 2 open.</summary>
    public int CircuitStateOf(ClusterState cluster, DestinationState destination) => _breakers.StateOf(NameOf(cluster, destination));

    /// <summary>The endpoint of a destination, with its key read from the environment variable its metadata names.</summary>
    public static bool TryResolveEndpoint(
        ClusterState cluster, DestinationState destination, out VendorEndpoint endpoint, out CallError? error)
    {
        var resolved = Resolve(cluster, destination);
        error = null;
        if (resolved.Endpoint is { } known)
        {
            endpoint = known;
            return true;
        }

        string? apiKey = null;
        if (resolved.KeyVariable is { } variable)
        {
            apiKey = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(apiKey))
            {
                // Not remembered: a key set later is found by the next call.
                endpoint = null!;
                error = CallError.Unavailable(
                    "vendor_key_missing", $"needs its key in environment variable {variable}, which is not set.");
                return false;
            }
        }

        endpoint = new VendorEndpoint(resolved.Name, apiKey, resolved.Metadata);
        resolved.Endpoint = endpoint;
        return true;
    }

    /// <summary>
    /// What a destination's configuration says of it, worked out once per configuration: YARP gives a destination a new
    /// model (and a cluster a new one) whenever its configuration changes, so an edit is picked up by the next call.
    /// </summary>
    private static ResolvedDestination Resolve(ClusterState cluster, DestinationState destination)
    {
        if (Resolved.TryGetValue(destination, out var resolved)
            && ReferenceEquals(resolved.ClusterModel, cluster.Model)
            && ReferenceEquals(resolved.DestinationModel, destination.Model))
        {
            return resolved;
        }

        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var source in new[] { cluster.Model.Config.Metadata, destination.Model.Config.Metadata })
        {
            foreach (var (key, value) in source ?? new Dictionary<string, string>())
            {
                metadata[key] = value;
            }
        }

        var variable = metadata.TryGetValue(ApiKeyVariableMetadata, out var named) && !string.IsNullOrWhiteSpace(named) ? named : null;
        var host = Uri.TryCreate(destination.Model.Config.Address, UriKind.Absolute, out var address) ? address.IdnHost : null;
        resolved = new ResolvedDestination(cluster.Model, destination.Model, $"{cluster.ClusterId}/{destination.DestinationId}", metadata, variable, host);
        Resolved.AddOrUpdate(destination, resolved);
        return resolved;
    }

    private static readonly ConditionalWeakTable<DestinationState, ResolvedDestination> Resolved = new();

    private sealed record ResolvedDestination(
        ClusterModel ClusterModel, DestinationModel DestinationModel, string Name, IReadOnlyDictionary<string, string> Metadata, string? KeyVariable, string? Host)
    {
        /// <summary>The endpoint once its key was found (a process's environment does not change under it).</summary>
        public VendorEndpoint? Endpoint { get; set; }
    }

    /// <summary>The breaker of one destination under this call's settings; rebuilt only if its settings or address changed.</summary>
    public CircuitBreaker<AttemptOutcome> BreakerFor(ClusterState cluster, DestinationState destination, ResilienceOptions options) =>
        _breakers.BreakerFor(NameOf(cluster, destination), BreakerSettings.Of(options), destination.Model.Config.Address);
}
