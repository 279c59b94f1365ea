using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;

namespace XefAI.Governance;

/// <summary>
/// Limits each app's calls to each use case to its risk tier's <c>RateLimit</c> (30 per minute for tier 4 by
/// default), in fixed windows.
/// </summary>
/// <remarks>
/// A call-stage policy. Each (app, use case) pair counts its permits with a <see cref="FixedWindowRateLimiter"/>
/// whose windows are opened from the injected <see cref="TimeProvider"/> rather than its own timer, so the
/// limit is testable and the retry time in the denial is exact. Counted per gateway replica.
/// </remarks>
internal sealed class RateLimitPolicy(RiskTierControlsSource tiers, TimeProvider timeProvider) : IQuotaPolicy, IDisposable
{
    private readonly ConcurrentDictionary<(string AppId, string UseCaseId), Partition> _partitions = new();

    public string Name => "rate-limit";

    public PolicyDenial? Evaluate(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Deployment is not null)
        {
            return null;
        }

        var useCase = context.UseCase;
        if (tiers.For(useCase).RateLimit is not { } limit)
        {
            return null;
        }

        var partition = _partitions.GetOrAdd((context.AppId, useCase.Id), static _ => new Partition());
        if (partition.TryAcquire(limit, timeProvider.GetUtcNow(), out var retryAfter))
        {
            return null;
        }

        // Whole seconds, rounded up: Retry-After carries seconds, and retrying a moment early would be refused again.
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        return new PolicyDenial(
            "rate_limited",
            string.Create(
                CultureInfo.InvariantCulture,
                $"App '{context.AppId}' has made its {limit.PermitLimit} calls per {DurationText.Format(limit.Window)} to use case '{useCase.Id}', the limit of {RiskTierNames.Describe(useCase.Tier)}; retry after {seconds} seconds."))
        {
            RetryAfter = TimeSpan.FromSeconds(seconds),
        };
    }

    public void Dispose()
    {
        foreach (var partition in _partitions.Values)
        {
            partition.Dispose();
        }
    }

    /// <summary>One app's permits for one use case.</summary>
    private sealed class Partition : IDisposable
    {
        private readonly Lock _lock = new();
        private FixedWindowRateLimiter? _limiter;
        private TierRateLimit? _limit;
        private DateTimeOffset _windowOpened;
        private DateTimeOffset _windowEnds;

        public bool TryAcquire(TierRateLimit limit, DateTimeOffset now, out TimeSpan retryAfter)
        {
            lock (_lock)
            {
                // A window opens with the first call after the last one closed. A changed limit, or a clock that
                // stepped back, opens a new one at once.
                if (_limiter is null || now >= _windowEnds || now < _windowOpened || _limit != limit)
                {
                    _limiter?.Dispose();
                    _limiter = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limit.PermitLimit,
                        Window = limit.Window,
                        QueueLimit = 0,
                        AutoReplenishment = false,
                    });
                    _limit = limit;
                    _windowOpened = now;
                    _windowEnds = now + limit.Window;
                }

                using var lease = _limiter.AttemptAcquire();
                retryAfter = lease.IsAcquired ? TimeSpan.Zero : _windowEnds - now;
                return lease.IsAcquired;
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _limiter?.Dispose();
                _limiter = null;
            }
        }
    }
}
