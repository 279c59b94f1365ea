using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Reviews;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class QueueReviewStepTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeReviewQueue _queue = new();
    private readonly FakeAuditTrail _audit = new();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Execute_HeldAnswerCommitted_WaitsInTheQueueAsRendered()
    {
        await using var call = Committed(CallOutcomes.Held);

        await Step().ExecuteAsync(call);

        Assert.Null(call.Error);
        var queued = Assert.Single(_queue.Queued);
        Assert.Equal(
            new ReviewRequest("audit-7", CallContexts.TraceId, TestConfig.Held.Id, TestConfig.AppId, (int)TestConfig.Held.Tier, "answer:Draft note."),
            queued);
        Assert.Equal(new HeldCall("review-1", "audit-7", CallContexts.TraceId, TestConfig.Held.Id), call.Held);
    }

    [Theory]
    [InlineData(CallOutcomes.Answered)]
    [InlineData(CallOutcomes.Denied)]
    public async Task Execute_NotHeld_NothingIsQueued(string outcome)
    {
        await using var call = Committed(outcome);

        await Step().ExecuteAsync(call);

        Assert.Empty(_queue.Queued);
        Assert.Null(call.Held);
    }

    [Fact]
    public async Task Execute_QueueFails_TheCallFails503AndNothingIsHeld()
    {
        _queue.Failing = true;
        await using var call = Committed(CallOutcomes.Held);

        await Step().ExecuteAsync(call);

        Assert.Equal(503, call.Error?.StatusCode);
        Assert.Equal("review_queue_unavailable", call.Error!.Code);
        Assert.Equal(CallOutcomes.Failed, call.Outcome);
        Assert.Equal(503, call.StatusCode);
        Assert.Null(call.Held);
    }

    [Fact]
    public async Task Execute_QueueFails_ASecondRecordSaysNothingIsHeld()
    {
        // Found against a running gateway: with the review queue's SQLite file locked, the client got 503 while the
        // call's only record said "held", 202, review_required, an answer waiting for a review that does not exist.
        _queue.Failing = true;
        await using var call = Committed(CallOutcomes.Held);

        await Step().ExecuteAsync(call);

        var failed = Assert.Single(_audit.Records);
        Assert.Equal(CallOutcomes.Failed, failed.Entry.Decision);
        Assert.Equal(503, failed.Entry.StatusCode);
        Assert.Equal("review_queue_unavailable;held_record:audit-7", failed.Entry.Reasons);
        Assert.Equal(CallContexts.TraceId, failed.Entry.TraceId);
        Assert.Same(failed, call.Record);
    }

    [Fact]
    public async Task Execute_HeldAnswerQueued_NoSecondRecord()
    {
        await using var call = Committed(CallOutcomes.Held);

        await Step().ExecuteAsync(call);

        Assert.Empty(_audit.Records);
        Assert.Equal("audit-7", call.Record?.Id);
    }

    private QueueReviewStep Step() =>
        new(_queue, new ReviewMetrics(_services.GetRequiredService<IMeterFactory>()),
            new AuditRecorder(_audit, TimeProvider.System, NullLogger<AuditRecorder>.Instance), NullLogger<QueueReviewStep>.Instance);

    /// <summary>A call whose answer the commit step rendered and recorded with <paramref name="outcome"/>.</summary>
    private static CallContext Committed(string outcome)
    {
        var call = CallContexts.Answered("Draft note.", TestConfig.Held, new PolicyObligations { Review = ReviewRequirement.Hold });
        call.Outcome = outcome;
        call.Rendered = TestAdapter.Text(200, "answer:Draft note.");
        call.Record = new AuditRecord(
            "audit-7", 7, new AuditEntry { Timestamp = call.Timestamp, TraceId = call.TraceId, Decision = outcome, StatusCode = 202, LatencyMs = 1 }, "prev", "hash");
        return call;
    }
}
