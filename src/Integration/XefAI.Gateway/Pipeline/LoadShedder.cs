using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using XefAI.Gateway.Configuration;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// The governed pipeline's admission: at most <c>Gateway:Overload:MaxConcurrentCalls</c> calls in flight, a short queue
/// behind them, and every call beyond answered at once with 503 <c>overloaded</c> and <c>Retry-After</c>, in its
/// protocol's error shape. A shed call is counted (<c>xefai.shed</c>) but leaves no audit record: when the audit store
/// is what is overloaded, a record per refusal would feed the overload. Read at start-up.
/// </summary>
internal sealed class LoadShedder : IDisposable
{
    public const string OverloadedCode = "overloaded";

    private static readonly RateLimitLease Unlimited = new AdmittedLease();

    private readonly ConcurrencyLimiter? _limiter;
    private readonly CallError _refusal;
    private readonly IGatewayMetrics _metrics;

    public LoadShedder(IOptions<GatewayOptions> options, IGatewayMetrics metrics)
        : this(options?.Value.Overload ?? new OverloadOptions(), Environment.ProcessorCount, metrics)
    {
    }

    internal LoadShedder(OverloadOptions overload, int processorCount, IGatewayMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(overload);
        _metrics = metrics;
        MaxConcurrentCalls = overload.EffectiveMaxConcurrentCalls(processorCount);
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
        _refusal = new CallError(
            StatusCodes.Status503ServiceUnavailable,
            OverloadedCode,
            $"The gateway is at its limit of governed calls in flight; retry after {retryAfter} s.")
        {
            RetryAfter = TimeSpan.FromSeconds(overload.RetryAfterSeconds),
        };
    }

    /// <summary>The limit in force; 0 is none.</summary>
    public int MaxConcurrentCalls { get; }

    /// <summary>
    /// A place for one call, waited for in the queue if there is room; disposing it frees the place. A lease that is
    /// not <see cref="RateLimitLease.IsAcquired"/> means the call is to be shed (<see cref="ShedAsync"/>).
    /// </summary>
    public ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken) =>
        _limiter is null ? ValueTask.FromResult(Unlimited) : _limiter.AcquireAsync(1, cancellationToken);

    /// <summary>Answers a call that found no place: 503 <c>overloaded</c> with <c>Retry-After</c>, in the adapter's error shape.</summary>
    public Task ShedAsync(HttpContext httpContext, IProtocolAdapter adapter)
    {
        _metrics.RecordShed(adapter.Route);
        var response = httpContext.Response;
        GatewayHeaders.SetTraceId(response, GatewayHeaders.ResolveTraceId(httpContext));
        GatewayHeaders.SetRetryAfter(response, _refusal.RetryAfter);
        var rendered = adapter.RenderError(_refusal);
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
