using System.Threading.RateLimiting;
using XefAI.Gateway.Configuration;
using XefAI.Governance;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// What the attempts of one call share: the time budget (a cancellation that fires when the total timeout runs out or
/// the client goes away), the attempt list for the audit record, and the HTTP context YARP forwards from. A streamed
/// answer outlives the invoker, so the call owns this and disposes it when the call ends.
/// </summary>
internal sealed class CallAttempts : IDisposable
{
    private readonly long _started;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _total;
    private readonly CancellationTokenRegistration _clientGone;
    private volatile bool _clientLeftFirst;

    public CallAttempts(HttpContext httpContext, ResilienceOptions resilience, string useCaseId, string traceId, TimeProvider time)
    {
        TraceId = traceId;
        var (totalTimeout, attemptTimeout) = resilience.TimeoutsFor(useCaseId);
        HttpContext = httpContext;
        Resilience = resilience;
        AttemptTimeout = attemptTimeout;
        TotalTimeout = totalTimeout;
        _time = time;
        _started = time.GetTimestamp();
        _total = new CancellationTokenSource(totalTimeout, time);
        _clientGone = httpContext.RequestAborted.Register(static state => ((CallAttempts)state!).OnClientGone(), this);
    }

    public HttpContext HttpContext { get; }

    /// <summary>The call's trace id, the one in its audit record.</summary>
    public string TraceId { get; }

    /// <summary>The resilience settings of the call's configuration snapshot.</summary>
    public ResilienceOptions Resilience { get; }

    public TimeSpan TotalTimeout { get; }

    /// <summary>The configured limit of one attempt; <see cref="NextAttemptTimeout"/> is what an attempt gets.</summary>
    public TimeSpan AttemptTimeout { get; }

    /// <summary>Cancelled when the call's total budget runs out or the client goes away.</summary>
    public CancellationToken Token => _total.Token;

    /// <summary>
    /// Whether the budget was cancelled because the total timeout ran out, not because the client went away first. Kestrel
    /// aborts the connection of a write the budget cancelled, so the client's token fires too, after the timeout; and
    /// <see cref="Remaining"/> can still be a hair above zero when the timer fires, as timers count coarser milliseconds.
    /// </summary>
    public bool TimedOut => _total.IsCancellationRequested && !_clientLeftFirst;

    /// <summary>What is left of the call's total budget.</summary>
    public TimeSpan Remaining => TotalTimeout - _time.GetElapsedTime(_started);

    /// <summary>An attempt gets its own limit, or what is left of the call's budget if that is less.</summary>
    public TimeSpan NextAttemptTimeout => Remaining is var left && left < AttemptTimeout ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : AttemptTimeout;

    /// <summary>A retry after <paramref name="wait"/> fits the budget only if a whole attempt still fits after it.</summary>
    public bool RetryFits(TimeSpan wait) => Remaining - wait >= AttemptTimeout;

    public List<AuditAttempt> Attempts { get; } = [];

    /// <summary>
    /// The host of the vendor destination the latest attempt went to (OpenTelemetry's <c>server.address</c>); null when
    /// it was answered in process or reached no destination.
    /// </summary>
    public string? ServerAddress { get; set; }

    /// <summary>
    /// Whether any attempt asked a model: a request went out to a vendor, or an in-process model took the call. An
    /// attempt refused before that (the provider could not translate the request, no key, no destination, an open
    /// circuit) asked none, and a call of such attempts only is no GenAI operation for the metrics.
    /// </summary>
    public bool ModelAsked { get; set; }

    /// <summary>
    /// The call's processing place while its attempts run (<see cref="LoadShedder"/>): given back when the call starts to
    /// wait for a vendor (<see cref="LeavePlace"/>), since waiting is not the work places bound.
    /// </summary>
    public RateLimitLease? Place { get; set; }

    /// <summary>Whether the call gave back its place to wait for a vendor, and needs one again for what follows.</summary>
    public bool LeftPlace { get; private set; }

    /// <summary>The vendor whose slot the call holds (<see cref="VendorCallBounds"/>), until it ends or falls back.</summary>
    internal VendorCallBounds.InFlight? Vendor { get; set; }

    /// <summary>Gives back the processing place, as the call starts waiting for a vendor.</summary>
    public void LeavePlace()
    {
        if (Place is { } place)
        {
            Place = null;
            LeftPlace = true;
            place.Dispose();
        }
    }

    /// <summary>Gives back the vendor slot the call holds, if any.</summary>
    public void LeaveVendor()
    {
        Vendor?.Leave();
        Vendor = null;
    }

    public void Dispose()
    {
        LeaveVendor();
        Place?.Dispose();
        Place = null;
        _clientGone.Dispose();
        _total.Dispose();
    }

    private void OnClientGone()
    {
        _clientLeftFirst = !_total.IsCancellationRequested;
        _total.Cancel();
    }
}
