using System.Diagnostics.Metrics;
using Polly.CircuitBreaker;
using XefAI.Governance;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// <c>xefai_circuit_transitions_total{destination,state}</c>: each time a vendor destination's circuit opens,
/// half-opens or closes. <c>xefai_circuit_state</c> says where a circuit is at a scrape; this counts the moves
/// between two scrapes too, so a circuit that opened and closed again in between still shows.
/// </summary>
internal sealed class CircuitTransitions
{
    private readonly Counter<long> _transitions;

    public CircuitTransitions(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _transitions = meterFactory.Create(GovernanceTelemetry.MeterName).CreateCounter<long>(
            "xefai.circuit.transitions",
            "{transition}",
            "Circuit breaker transitions of each vendor destination (cluster/destination), by the state entered: open, half_open, closed.");
    }

    /// <summary>A destination's circuit entered <paramref name="state"/>; the destination is a configured, bounded name.</summary>
    public void Record(string destination, CircuitState state) => _transitions.Add(
        1,
        new KeyValuePair<string, object?>("destination", destination),
        new KeyValuePair<string, object?>("state", state switch
        {
            CircuitState.Open or CircuitState.Isolated => "open",
            CircuitState.HalfOpen => "half_open",
            _ => "closed",
        }));
}
