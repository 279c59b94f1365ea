namespace XefAI.Gateway.Configuration;

/// <summary>
/// The <c>Gateway:Resilience</c> section: how long a call may take, how often a failing vendor is retried,
/// when a destination's circuit opens. Timeouts can be set per use case.
/// </summary>
internal sealed class ResilienceOptions
{
    public const string SectionName = "Gateway:Resilience";

    /// <summary>The whole call, every retry and fallback included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// One attempt: a buffered answer must arrive whole within it; a stream must start within it, and may then run
    /// on, bounded by <c>Gateway:StreamIdleTimeout</c> between events and by <see cref="TotalTimeout"/>. Never more
    /// than what is left of the total budget; a retry is started only if a whole attempt still fits in it.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries of one deployment before moving to the next (0 turns retries off).</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Base of the exponential, jittered backoff.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A vendor's Retry-After longer than this is not waited for: the call falls back instead.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Share of failed attempts in the sampling window that opens a destination's circuit.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    public int BreakerMinimumThroughput { get; set; } = 10;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Per-use-case timeouts, keyed by use-case id.</summary>
    public Dictionary<string, UseCaseTimeouts> UseCases { get; set; } = new(StringComparer.Ordinal);

    public (TimeSpan Total, TimeSpan Attempt) TimeoutsFor(string useCaseId) =>
        UseCases.TryGetValue(useCaseId, out var own)
            ? (own.TotalTimeout ?? TotalTimeout, own.AttemptTimeout ?? AttemptTimeout)
            : (TotalTimeout, AttemptTimeout);
}

/// <summary>Timeouts of one use case; unset values fall back to the gateway-wide ones.</summary>
internal sealed class UseCaseTimeouts
{
    public TimeSpan? TotalTimeout { get; set; }

    public TimeSpan? AttemptTimeout { get; set; }
}
