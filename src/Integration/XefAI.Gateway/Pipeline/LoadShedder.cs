using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using XefAI.Gateway.Configuration;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// The governed pipeline's admission, in three bounds, each answered at once with 503 <c>overloaded</c> and
/// <c>Retry-After</c> in the protocol's error shape when full:
/// <list type="bullet">
/// <item><b>reading</b>: at most <c>Gateway:Overload:MaxReadingCalls</c> authenticated calls whose body is still
/// arriving. A slow sender holds a reading slot, not a processing place.</item>
/// <item><b>body bytes</b>: the bodies of the calls in flight weigh at most <c>Gateway:Overload:MaxBodyBytesInFlight</c>
/// bytes, taken when a body starts to arrive and given back when its call ends: memory follows bodies.</item>
/// <item><b>places</b>: at most <c>Gateway:Overload:MaxConcurrentCalls</c> calls processed (governed, sent to a model,
/// answered) at once, with a short queue behind them.</item>
/// </list>
/// A shed call is counted (<c>xefai.shed</c>) but leaves no audit record: when the audit store is what is overloaded, a
/// record per refusal would feed the overload. Read at start-up.
/// </summary>
internal sealed class LoadShedder : IDisposable
{
    public const string OverloadedCode = "overloaded";

    /// <summary>The bounds, as <c>xefai_shed_total</c>'s <c>bound</c> label names them.</summary>
    public const string PlacesBound = "places";

    public const string ReadingBound = "reading";

    public const string BodyBytesBound = "body_bytes";

    private static readonly RateLimitLease Unlimited = new AdmittedLease();

    private readonly ConcurrencyLimiter? _limiter;
    private readonly CallError _placesRefusal;
    private readonly CallError _readingRefusal;
    private readonly CallError _bodyBytesRefusal;
    private readonly IGatewayMetrics _metrics;

    // Calls reading their body, and body bytes held, now: claimed first and given back if over the bound, so the bound
    // holds however many calls race for the last of it.
    private int _reading;
    private long _bodyBytes;

    // Calls back from their vendor that found every place taken, and went on over the limit (see Readmit).
    private int _overLimit;

    public LoadShedder(IOptions<GatewayOptions> options, IGatewayMetrics metrics, IMeterFactory meterFactory)
        : this(options?.Value.Overload ?? new OverloadOptions(), Environment.ProcessorCount, metrics, meterFactory: meterFactory)
    {
    }

    /// <param name="availableMemoryBytes">What the GC may use, for the default body budget; null: the GC's own figure.</param>
    internal LoadShedder(
        OverloadOptions overload, int processorCount, IGatewayMetrics metrics, long? availableMemoryBytes = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(overload);
        _metrics = metrics;
        MaxConcurrentCalls = overload.EffectiveMaxConcurrentCalls(processorCount);
        MaxReadingCalls = overload.EffectiveMaxReadingCalls(processorCount);
        MaxBodyBytesInFlight = overload.EffectiveMaxBodyBytesInFlight(availableMemoryBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        if (MaxConcurrentCalls > 0)
        {
            _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = MaxConcurrentCalls,
                QueueLimit = overload.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }

        var retryAfter = overload.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        _placesRefusal = Refusal($"The gateway is at its limit of governed calls in flight; retry after {retryAfter} s.");
        _readingRefusal = Refusal($"The gateway is at its limit of request bodies arriving at once; retry after {retryAfter} s.");
        _bodyBytesRefusal = Refusal($"The gateway is at its limit of request-body bytes in flight; retry after {retryAfter} s.");

        // What each bound holds now, read at each collection (never per call).
        var meter = meterFactory?.Create(GovernanceTelemetry.MeterName);
        meter?.CreateObservableGauge(
            "xefai.overload.calls",
            () => (Measurement<long>[])
            [
                new(ReadingCalls, new KeyValuePair<string, object?>("state", "reading")),
                new(ProcessingCalls, new KeyValuePair<string, object?>("state", "processing")),
            ],
            "{call}",
            "Governed calls reading their body (bounded by Gateway:Overload:MaxReadingCalls) and holding a processing place (Gateway:Overload:MaxConcurrentCalls).");
        meter?.CreateObservableGauge(
            "xefai.overload.body",
            () => BodyBytesInFlight,
            "By",
            "Request-body bytes held by governed calls in flight; bounded by Gateway:Overload:MaxBodyBytesInFlight.");

        CallError Refusal(string message) => new(StatusCodes.Status503ServiceUnavailable, OverloadedCode, message)
        {
            RetryAfter = TimeSpan.FromSeconds(overload.RetryAfterSeconds),
        };
    }

    /// <summary>The reading bound in force; 0 is none.</summary>
    public int MaxReadingCalls { get; }

    /// <summary>The body budget in force, in bytes; 0 is none.</summary>
    public long MaxBodyBytesInFlight { get; }

    /// <summary>Calls reading their body now.</summary>
    public int ReadingCalls => Volatile.Read(ref _reading);

    /// <summary>Calls holding a processing place now (not those waiting in the queue).</summary>
    public long ProcessingCalls =>
        (_limiter?.GetStatistics() is { } statistics ? MaxConcurrentCalls - statistics.CurrentAvailablePermits : 0) + Volatile.Read(ref _overLimit);

    /// <summary>Request-body bytes held by calls in flight now.</summary>
    public long BodyBytesInFlight => Interlocked.Read(ref _bodyBytes);

    /// <summary>The limit in force; 0 is none.</summary>
    public int MaxConcurrentCalls { get; }

    /// <summary>
    /// A place for one call, waited for in the queue if there is room; disposing it frees the place. A lease that is
    /// not <see cref="RateLimitLease.IsAcquired"/> means the call is to be shed (<see cref="ShedAsync"/>).
    /// </summary>
    public ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken) =>
        _limiter is null ? ValueTask.FromResult(Unlimited) : _limiter.AcquireAsync(1, cancellationToken);

    /// <summary>
    /// A place for a call back from its vendor, which gave its own back while it waited (<c>CallAttempts.LeavePlace</c>):
    /// a free one if there is one, else one over the limit. The call is answered (or failed) already: shedding it would
    /// throw away what the vendor did, and such calls are bounded by <c>Gateway:Overload:MaxCallsPerVendor</c>. New
    /// calls are shed while the places are over the limit.
    /// </summary>
    public RateLimitLease Readmit()
    {
        if (_limiter is null)
        {
            return Unlimited;
        }

        var lease = _limiter.AttemptAcquire(1);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        Interlocked.Increment(ref _overLimit);
        return new OverLimitLease(this);
    }

    /// <summary>A reading slot for a call whose body is about to be read; false: shed it. Give it back with <see cref="EndReading"/>.</summary>
    public bool TryStartReading()
    {
        if (MaxReadingCalls == 0)
        {
            return true;
        }

        if (Interlocked.Increment(ref _reading) <= MaxReadingCalls)
        {
            return true;
        }

        Interlocked.Decrement(ref _reading);
        return false;
    }

    /// <summary>Gives back the slot <see cref="TryStartReading"/> gave.</summary>
    public void EndReading()
    {
        if (MaxReadingCalls != 0)
        {
            Interlocked.Decrement(ref _reading);
        }
    }

    /// <summary>
    /// Adds <paramref name="bytes"/> to what the call's body weighs (<see cref="CallContext.BodyBytes"/>), if the budget
    /// has room; false: it has not, and the call is to be shed. A call alone in flight is always let in, however large
    /// its body (within <c>Gateway:MaxRequestBodyBytes</c>), so no body the gateway accepts waits forever.
    /// </summary>
    public bool TryTakeBodyBytes(CallContext call, long bytes)
    {
        if (MaxBodyBytesInFlight == 0 || bytes <= 0)
        {
            return true;
        }

        var held = Interlocked.Add(ref _bodyBytes, bytes);
        if (held <= MaxBodyBytesInFlight || held == call.BodyBytes + bytes)
        {
            call.BodyBytes += bytes;
            return true;
        }

        Interlocked.Add(ref _bodyBytes, -bytes);
        return false;
    }

    /// <summary>Gives back what the call's body weighed; at the call's end.</summary>
    public void ReturnBodyBytes(CallContext call)
    {
        if (call.BodyBytes != 0)
        {
            Interlocked.Add(ref _bodyBytes, -call.BodyBytes);
            call.BodyBytes = 0;
        }
    }

    /// <summary>
    /// A processing place for the call (<see cref="CallContext.Place"/>), waited for in the queue if there is room; false:
    /// the call is to be shed (<see cref="CallContext.ShedBy"/>), or its client left while it waited
    /// (<see cref="CallContext.LeftWaiting"/>).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> AdmitAsync(CallContext call)
    {
        try
        {
            var lease = await EnterAsync(call.Aborted);
            if (lease.IsAcquired)
            {
                call.Place = lease;
                return true;
            }

            lease.Dispose();
            call.ShedBy = PlacesBound;
        }
        catch (OperationCanceledException) when (call.Aborted.IsCancellationRequested)
        {
            call.LeftWaiting = true;
        }

        return false;
    }

    /// <summary>Answers a call that found a bound full: 503 <c>overloaded</c> with <c>Retry-After</c>, in the adapter's error shape.</summary>
    public Task ShedAsync(HttpContext httpContext, IProtocolAdapter adapter, string bound = PlacesBound)
    {
        _metrics.RecordShed(adapter.Route, bound);
        var refusal = bound switch
        {
            ReadingBound => _readingRefusal,
            BodyBytesBound => _bodyBytesRefusal,
            _ => _placesRefusal,
        };
        var response = httpContext.Response;
        GatewayHeaders.SetTraceId(response, GatewayHeaders.ResolveTraceId(httpContext));
        GatewayHeaders.SetRetryAfter(response, refusal.RetryAfter);
        var rendered = adapter.RenderError(refusal);
        response.StatusCode = rendered.StatusCode;
        response.ContentType = rendered.ContentType;
        response.ContentLength = rendered.Body.Length;
        foreach (var (name, value) in rendered.Headers ?? new Dictionary<string, string>())
        {
            response.Headers[name] = value;
        }

        return response.Body.WriteAsync(rendered.Body, httpContext.RequestAborted).AsTask();
    }

    public void Dispose() => _limiter?.Dispose();

    // A place over the limit, for a call back from its vendor that found none free.
    private sealed class OverLimitLease(LoadShedder shedder) : RateLimitLease
    {
        private int _disposed;

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref shedder._overLimit);
            }

            base.Dispose(disposing);
        }
    }

    // The lease of a call when no limit is configured: always a place, nothing to free.
    private sealed class AdmittedLease : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
