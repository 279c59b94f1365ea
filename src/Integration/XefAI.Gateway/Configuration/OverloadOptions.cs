namespace XefAI.Gateway.Configuration;

/// <summary>
/// The <c>Gateway:Overload</c> section: bounds on governed calls in flight (the model endpoints, CDS Hooks services
/// and clinical task invokes; never the probes or <c>/metrics</c>): calls whose body is still arriving, the bytes of
/// the bodies held, and calls being processed. A call beyond a bound (and, for processing places, the short queue) is
/// answered at once with 503 <c>overloaded</c> and <c>Retry-After</c>. Read at start-up; a change needs a restart.
/// </summary>
internal sealed class OverloadOptions
{
    /// <summary>Governed calls in flight per processor when <see cref="MaxConcurrentCalls"/> is not set.</summary>
    public const int DefaultCallsPerProcessor = 256;

    /// <summary>Largest <see cref="MaxConcurrentCalls"/> and <see cref="QueueLimit"/> accepted.</summary>
    public const int MaxLimit = 1_000_000;

    /// <summary>Largest <see cref="RetryAfterSeconds"/> accepted: an hour.</summary>
    public const int MaxRetryAfterSeconds = 3600;

    /// <summary>
    /// Most governed calls in flight at once. Unset: <see cref="DefaultCallsPerProcessor"/> per processor; 0: no limit.
    /// </summary>
    public int? MaxConcurrentCalls { get; set; }

    /// <summary>Calls that may wait, oldest first, for one in flight to finish; beyond them a call is shed at once.</summary>
    public int QueueLimit { get; set; } = 32;

    /// <summary>Sent as <c>Retry-After</c> with a shed call's 503.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Reading slots per processing place when <see cref="MaxReadingCalls"/> is not set.</summary>
    public const int DefaultReadingCallsPerPlace = 4;

    /// <summary>
    /// The share of the GC's available memory that bodies in flight may weigh when <see cref="MaxBodyBytesInFlight"/> is
    /// not set: 1/256. A body costs many times its size while its call runs (six 1 MB bodies dense with PHI, de-identified
    /// at once, failed calls in a 400 MB heap; two did not), so a 400 MB heap takes one such body at a time, 24 GB about
    /// a hundred.
    /// </summary>
    public const int DefaultBodyBudgetDivisor = 256;

    /// <summary>Smallest <see cref="MaxBodyBytesInFlight"/> accepted other than 0.</summary>
    public const long MinBodyBytesInFlight = 64 * 1024;

    /// <summary>
    /// Most authenticated calls whose body is still arriving at once; they hold no processing place meanwhile. Unset:
    /// <see cref="DefaultReadingCallsPerPlace"/> per processing place; 0: no limit.
    /// </summary>
    public int? MaxReadingCalls { get; set; }

    /// <summary>
    /// Most request-body bytes held by governed calls at once, from when a body starts to arrive until the call ends (a
    /// call weighs its <c>Content-Length</c>, a chunked body what has arrived so far). Unset: 1/<see cref="DefaultBodyBudgetDivisor"/>
    /// of the memory the GC may use; 0: no budget.
    /// </summary>
    public long? MaxBodyBytesInFlight { get; set; }

    /// <summary>
    /// Most calls waiting for one vendor (a <c>ReverseProxy</c> cluster) at once, from their first request to it until
    /// they end; they hold no processing place while they wait for its answer. One more is refused at once (503
    /// <c>vendor_overloaded</c>, or the use case's next deployment). 0: no limit. 1024 is Envoy's default
    /// <c>max_requests</c> per cluster, four times the benchmark's 256 connections to one deployment.
    /// </summary>
    public int MaxCallsPerVendor { get; set; } = 1024;

    /// <summary>The reading bound in force; 0 is none.</summary>
    public int EffectiveMaxReadingCalls(int processorCount) =>
        MaxReadingCalls ?? (int)Math.Min(MaxLimit, (long)DefaultReadingCallsPerPlace * EffectiveMaxConcurrentCalls(processorCount));

    /// <summary>The body budget in force, for a GC that may use <paramref name="availableMemoryBytes"/>; 0 is none.</summary>
    public long EffectiveMaxBodyBytesInFlight(long availableMemoryBytes) =>
        MaxBodyBytesInFlight ?? Math.Max(MinBodyBytesInFlight, availableMemoryBytes / DefaultBodyBudgetDivisor);

    /// <summary>The limit in force: the configured one, or the default for this machine's processors; 0 is none.</summary>
    public int EffectiveMaxConcurrentCalls(int processorCount) =>
        MaxConcurrentCalls ?? (int)Math.Min(MaxLimit, (long)DefaultCallsPerProcessor * Math.Max(1, processorCount));
}
