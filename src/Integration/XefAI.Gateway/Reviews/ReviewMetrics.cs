using System.Diagnostics.Metrics;
using XefAI.Governance;

namespace XefAI.Gateway.Reviews;

/// <summary>
/// Held answers and review decisions, as counters: pending reviews across every replica is
/// <c>sum(xefai_reviews_held_total) - sum(xefai_reviews_decided_total)</c>, which a per-process gauge could not give.
/// </summary>
internal sealed class ReviewMetrics
{
    private readonly Counter<long> _held;
    private readonly Counter<long> _decided;

    public ReviewMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(GovernanceTelemetry.MeterName);
        _held = meter.CreateCounter<long>("xefai.reviews.held", "{review}", "Answers held for clinician review.");
        _decided = meter.CreateCounter<long>("xefai.reviews.decided", "{review}", "Review decisions, by outcome.");
    }

    public void Held(string useCase) => _held.Add(1, new KeyValuePair<string, object?>("use_case", useCase));

    public void Decided(string useCase, ReviewStatus outcome) => _decided.Add(
        1,
        new KeyValuePair<string, object?>("use_case", useCase),
        new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));
}
