using System.Diagnostics.Metrics;
using XefAI.Governance;

namespace XefAI.Gateway.Reviews;

/// <summary>
/// Held answers and review decisions, as counters, and the review queue as gauges: how many reviews are pending per
/// use case and how old the oldest is, read from the shared review store (every replica reports the same queue).
/// </summary>
internal sealed class ReviewMetrics
{
    private const string OtherUseCase = "other";

    private readonly Counter<long> _held;
    private readonly Counter<long> _decided;
    private readonly TimeProvider _time;
    private volatile IReadOnlyList<PendingByUseCase> _pending = [];

    public ReviewMetrics(IMeterFactory meterFactory, TimeProvider? time = null)
    {
        var meter = meterFactory.Create(GovernanceTelemetry.MeterName);
        _time = time ?? TimeProvider.System;
        _held = meter.CreateCounter<long>("xefai.reviews.held", "{review}", "Answers held for clinician review.");
        _decided = meter.CreateCounter<long>("xefai.reviews.decided", "{review}", "Review decisions, by outcome.");
        meter.CreateObservableGauge<long>(
            "xefai.reviews.pending", ObservePending, "{review}", "Answers waiting for a clinician's review, by use case.");
        meter.CreateObservableGauge<double>(
            "xefai.reviews.oldest_pending_age", ObserveOldestAge, "s", "Age of the oldest answer waiting for review, by use case; 0 when none waits.");
    }

    /// <summary>
    /// Replaces what the gauges report: every configured use case (0 when none of its answers waits) and
    /// <c>other</c> for reviews of use cases no longer configured, so labels stay bounded.
    /// </summary>
    public void SetPending(IEnumerable<string> useCases, IReadOnlyList<ReviewItem> pending)
    {
        var byUseCase = new Dictionary<string, (int Count, DateTimeOffset? Oldest)>(StringComparer.Ordinal);
        foreach (var useCase in useCases)
        {
            byUseCase[useCase] = (0, null);
        }

        byUseCase[OtherUseCase] = (0, null);
        foreach (var review in pending)
        {
            var label = byUseCase.ContainsKey(review.UseCaseId) ? review.UseCaseId : OtherUseCase;
            var (count, oldest) = byUseCase[label];
            byUseCase[label] = (count + 1, oldest is { } known && known <= review.CreatedAt ? known : review.CreatedAt);
        }

        var snapshot = new List<PendingByUseCase>(byUseCase.Count);
        foreach (var (useCase, (count, oldest)) in byUseCase)
        {
            snapshot.Add(new PendingByUseCase(useCase, count, oldest));
        }

        _pending = snapshot;
    }

    public void Held(string useCase) => _held.Add(1, new KeyValuePair<string, object?>("use_case", useCase));

    public void Decided(string useCase, ReviewStatus outcome) => _decided.Add(
        1,
        new KeyValuePair<string, object?>("use_case", useCase),
        new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));

    private IEnumerable<Measurement<long>> ObservePending()
    {
        var pending = _pending;
        var measurements = new List<Measurement<long>>(pending.Count);
        foreach (var item in pending)
        {
            measurements.Add(new Measurement<long>(item.Count, new KeyValuePair<string, object?>("use_case", item.UseCase)));
        }

        return measurements;
    }

    private IEnumerable<Measurement<double>> ObserveOldestAge()
    {
        var pending = _pending;
        var now = _time.GetUtcNow();
        var measurements = new List<Measurement<double>>(pending.Count);
        foreach (var item in pending)
        {
            var age = item.Oldest is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0;
            measurements.Add(new Measurement<double>(age, new KeyValuePair<string, object?>("use_case", item.UseCase)));
        }

        return measurements;
    }

    private sealed record PendingByUseCase(string UseCase, int Count, DateTimeOffset? Oldest);
}
