using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Options;
using XefAI.Gateway.Configuration;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// The bound on calls waiting for one vendor (a YARP cluster) at once, <c>Gateway:Overload:MaxCallsPerVendor</c>, as
/// Envoy's per-cluster <c>max_requests</c>: a vendor that stops answering holds at most that many calls, and costs
/// only its own callers. A call takes its vendor's slot at its first request there and keeps it until it ends (a
/// stream: until relayed), moving it to another vendor when it falls back; while it waits for the answer it holds no
/// processing place (<see cref="LoadShedder"/>), which is for the gateway's own work. Read at start-up.
/// </summary>
internal sealed class VendorCallBounds
{
    public const string VendorOverloadedCode = "vendor_overloaded";

    // One counter per cluster of the configuration: bounded, and never removed (a cluster edited away keeps its zero).
    private readonly ConcurrentDictionary<string, InFlight> _vendors = new(StringComparer.OrdinalIgnoreCase);
    private readonly CallError _refusal;
    private readonly Counter<long>? _refused;

    public VendorCallBounds(IOptions<GatewayOptions> options, IMeterFactory meterFactory)
        : this(options?.Value.Overload ?? new OverloadOptions(), meterFactory)
    {
    }

    internal VendorCallBounds(OverloadOptions overload, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(overload);
        MaxCallsPerVendor = overload.MaxCallsPerVendor;
        var retryAfter = overload.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);

        // The message names no vendor: clusters are the operator's names (the audit record's attempts say which).
        _refusal = CallError.Unavailable(
            VendorOverloadedCode,
            $"The gateway is at its limit of calls waiting for this use case's model vendor, which is answering slowly or not at all; retry after {retryAfter} s.")
            with { RetryAfter = TimeSpan.FromSeconds(overload.RetryAfterSeconds) };

        var meter = meterFactory?.Create(GovernanceTelemetry.MeterName);
        meter?.CreateObservableGauge(
            "xefai.vendor.calls",
            () => _vendors.Values.Select(v => new Measurement<long>(Volatile.Read(ref v.Calls), new KeyValuePair<string, object?>("cluster", v.Cluster))),
            "{call}",
            "Governed calls waiting for, or answered by, each vendor cluster now; bounded by Gateway:Overload:MaxCallsPerVendor.");
        _refused = meter?.CreateCounter<long>(
            "xefai.vendor.refused",
            "{call}",
            "Attempts refused because their vendor cluster had Gateway:Overload:MaxCallsPerVendor calls already (vendor_overloaded).");
    }

    /// <summary>The bound in force per vendor; 0 is none.</summary>
    public int MaxCallsPerVendor { get; }

    /// <summary>The calls holding a slot of <paramref name="cluster"/> now; for tests and diagnostics.</summary>
    public int CallsOf(string cluster) => _vendors.TryGetValue(cluster, out var vendor) ? Volatile.Read(ref vendor.Calls) : 0;

    /// <summary>
    /// A slot of <paramref name="cluster"/> for the call: the one it holds already (a retry), else a new one, given up
    /// by the slot of the vendor it tried before; false, with the refusal to answer: the vendor has no slot free.
    /// </summary>
    public bool TryEnter(CallAttempts call, string cluster, out CallError? refusal)
    {
        ArgumentNullException.ThrowIfNull(call);
        refusal = null;
        if (call.Vendor is { } held)
        {
            if (string.Equals(held.Cluster, cluster, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            call.LeaveVendor();
        }

        var vendor = _vendors.GetOrAdd(cluster, static id => new InFlight(id));
        var calls = Interlocked.Increment(ref vendor.Calls);
        if (MaxCallsPerVendor != 0 && calls > MaxCallsPerVendor)
        {
            Interlocked.Decrement(ref vendor.Calls);
            _refused?.Add(1, new KeyValuePair<string, object?>("cluster", vendor.Cluster));
            refusal = _refusal;
            return false;
        }

        call.Vendor = vendor;
        return true;
    }

    /// <summary>The calls of one vendor cluster; the call holding a slot points at it.</summary>
    internal sealed class InFlight(string cluster)
    {
        public readonly string Cluster = cluster;

        public int Calls;

        public void Leave() => Interlocked.Decrement(ref Calls);
    }
}
