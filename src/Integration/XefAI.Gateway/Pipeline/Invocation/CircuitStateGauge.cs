using System.Diagnostics.Metrics;
using Yarp.ReverseProxy;
using XefAI.Governance;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// <c>xefai_circuit_state{destination}</c>: every configured vendor destination's circuit, 0 closed, 1 half-open,
/// 2 open, read at each collection, so a destination is listed (closed) from start-up, before its first call.
/// </summary>
internal sealed class CircuitStateGauge
{
    private readonly IProxyStateLookup _proxyState;
    private readonly VendorDestinations _destinations;

    public CircuitStateGauge(IMeterFactory meterFactory, IProxyStateLookup proxyState, VendorDestinations destinations)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _proxyState = proxyState;
        _destinations = destinations;
        meterFactory.Create(GovernanceTelemetry.MeterName).CreateObservableGauge<int>(
            "xefai.circuit.state",
            Observe,
            unit: null,
            description: "Circuit breaker of each vendor destination (cluster/destination): 0 closed, 1 half-open, 2 open.");
    }

    /// <summary>Once per collection, not per call: the destinations as YARP holds them now, reloads included.</summary>
    private List<Measurement<int>> Observe()
    {
        var states = new List<Measurement<int>>();
        foreach (var cluster in _proxyState.GetClusters())
        {
            foreach (var destination in cluster.Destinations.Values)
            {
                states.Add(new Measurement<int>(
                    _destinations.CircuitStateOf(cluster, destination),
                    new KeyValuePair<string, object?>("destination", VendorDestinations.NameOf(cluster, destination))));
            }
        }

        return states;
    }
}
