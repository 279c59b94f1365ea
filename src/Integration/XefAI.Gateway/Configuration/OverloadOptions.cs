namespace XefAI.Gateway.Configuration;

/// <summary>
/// The <c>Gateway:Overload</c> section: a bound on governed calls in flight (the model endpoints, CDS Hooks services
/// and clinical task invokes; never the probes or <c>/metrics</c>). A call beyond the limit and the short queue is
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

    /// <summary>The limit in force: the configured one, or the default for this machine's processors; 0 is none.</summary>
    public int EffectiveMaxConcurrentCalls(int processorCount) =>
        MaxConcurrentCalls ?? (int)Math.Min(MaxLimit, (long)DefaultCallsPerProcessor * Math.Max(1, processorCount));
}
