using System.Runtime.CompilerServices;
using System.Text;
using XefAI.Gateway.Admin;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Queue for review: a held answer, committed as <c>held</c>, waits in the review queue as rendered until a clinician
/// approves or rejects it. If the queue cannot take it, no answer is released, and a second record with the same trace
/// id says so (decision <c>failed</c>, 503, reasons <c>review_queue_unavailable;held_record:{id}</c>): the <c>held</c>
/// record alone would tell an auditor an answer waits for review that no reviewer will ever see.
/// </summary>
internal sealed partial class QueueReviewStep(
    IReviewQueue reviews, Reviews.ReviewMetrics reviewMetrics, AuditRecorder recorder, ILogger<QueueReviewStep> logger) : ICallStep
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ExecuteAsync(CallContext call)
    {
        if (call.Outcome != CallOutcomes.Held || call.Record is not { } record)
        {
            return;
        }

        var useCase = call.UseCase!;
        try
        {
            var review = await reviews.EnqueueAsync(
                new ReviewRequest(record.Id, call.TraceId, useCase.Id, call.App!.Id, (int)useCase.Tier, Encoding.UTF8.GetString(call.Rendered!.Body.Span)),
                CancellationToken.None);
            call.Held = new HeldCall(review.Id, record.Id, call.TraceId, useCase.Id);
            reviewMetrics.Held(useCase.Id);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReviewQueueFailed(logger, StoreRefusals.Loggable(ex), ex.GetType().Name, call.TraceId);
            call.Error = CallError.Unavailable(
                "review_queue_unavailable", "The answer must be held for review, but the review queue is unavailable; no answer is released.")
                with { RetryAfter = TimeSpan.FromSeconds(1) };
            call.Outcome = CallOutcomes.Failed;
            call.StatusCode = call.Error.StatusCode;
            var outputSha256 = ReadRequestStep.Sha256Hex(call.Adapter.RenderError(call.Error).Body.Span);
            var failed = await recorder.TryAppendAsync(
                call, CallOutcomes.Failed, call.StatusCode, $"{call.Error.Code};held_record:{record.Id}", outputSha256, null, streamed: false);
            if (failed is not null)
            {
                call.Record = failed;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Review queue failed for trace {TraceId} ({ExceptionType}); the held answer was not released.")]
    private static partial void LogReviewQueueFailed(ILogger logger, Exception? exception, string exceptionType, string traceId);
}
