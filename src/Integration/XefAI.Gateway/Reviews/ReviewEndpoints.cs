using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using XefAI.Gateway.Admin;
using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Reviews;

/// <summary>
/// Human oversight over the API: the calling app polls its held answer; reviewers list pending answers
/// and approve, edit or reject them. Every decision is a record in the call's audit trail (same trace id).
/// </summary>
internal static partial class ReviewEndpoints
{
    public static void MapReviewEndpoints(this IEndpointRouteBuilder endpoints, RouteGroupBuilder admin)
    {
        var keys = endpoints.ServiceProvider.GetRequiredService<ApiKeyDirectory>();
        endpoints.MapGet("/v1/reviews/{id}", (string id, HttpContext context, IReviewQueue reviews, ILoggerFactory loggers, CancellationToken ct) =>
            GetForAppAsync(id, context, keys, reviews, loggers, ct));

        admin.MapGet("/reviews", async (string? status, IReviewQueue reviews, ILoggerFactory loggers, CancellationToken ct) =>
        {
            ReviewStatus? filter = status is null ? ReviewStatus.Pending
                : Enum.TryParse<ReviewStatus>(status, ignoreCase: true, out var parsed) ? parsed : null;
            if (filter is null && status is not null && !status.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                return Error(400, "invalid_value", "status must be pending, approved, edited, rejected or all.");
            }

            try
            {
                var items = await reviews.ListAsync(filter, 200, ct);
                return Results.Ok(new { data = items.Select(ToJson) });
            }
            catch (DbException ex)
            {
                var refusal = QueueFailed(loggers, "GET /admin/reviews", ex, StoreRefusals.ReviewQueueRead);
                return Error(refusal.StatusCode, refusal.Code, refusal.Message);
            }
        });
        admin.MapPost("/reviews/{id}/{action}", DecideAsync);
    }

    /// <summary>
    /// The queue's database failed or did not answer within its command timeout (a lock held by a stalled session):
    /// a 503 the caller may retry, never a 500 or a wait without end; the cause's type goes to the log.
    /// </summary>
    private static CallError QueueFailed(ILoggerFactory loggers, string route, DbException failure, Func<Exception, CallError> refusal)
    {
        LogQueueFailed(loggers.CreateLogger(typeof(ReviewEndpoints)), route, failure.GetType().Name, StoreFailures.IsTimeout(failure));
        return refusal(failure);
    }

    private static async Task GetForAppAsync(
        string id, HttpContext context, ApiKeyDirectory keys, IReviewQueue reviews, ILoggerFactory loggers, CancellationToken ct)
    {
        if (!keys.TryAuthenticateClient(context.Request.Headers.Authorization, out var app))
        {
            await context.RefuseClient(AuthRoutes.Reviews).WriteAsync(context.Response);
            return;
        }

        ReviewItem? item;
        try
        {
            item = await reviews.GetAsync(id, ct);
        }
        catch (DbException ex)
        {
            await QueueFailed(loggers, "GET /v1/reviews/{id}", ex, StoreRefusals.ReviewQueueRead).WriteAsync(context.Response);
            return;
        }

        if (item is null || item.AppId != app.Id)
        {
            // Another app's review is reported as unknown: its existence is not the caller's business.
            await CallError.NotFound("unknown_review", $"No review '{id}' for app '{app.Id}'.").WriteAsync(context.Response);
            return;
        }

        // The answer ties back to the held call's trace and audit record, as a direct answer does.
        context.Response.Headers[Pipeline.GatewayHeaders.TraceId] = item.TraceId;
        context.Response.Headers[Pipeline.GatewayHeaders.AuditId] = item.AuditId;
        context.Response.Headers["X-XefAI-Review-Status"] = item.Status.ToString().ToLowerInvariant();
        switch (item.Status)
        {
            case ReviewStatus.Approved or ReviewStatus.Edited:
                if (await HeldAnswerRelease.RefusalAsync(context, item.UseCaseId) is { } killed)
                {
                    // Approved before the use case was suspended: the kill switch holds it back until it is resumed.
                    await killed.WriteAsync(context.Response);
                    return;
                }

                context.Response.ContentType = "application/json";
                context.Response.Headers["X-XefAI-Reviewed-By"] = item.Reviewer;
                // A CDS card as the held-card endpoint releases it: an edit rewrites its summary as well as its detail.
                await context.Response.Body.WriteAsync(CdsHooks.CdsHeldCards.Released(item), ct);
                return;
            case ReviewStatus.Rejected:
                await new CallError(StatusCodes.Status410Gone, "review_rejected",
                    $"A reviewer rejected this answer{(item.Comment is null ? "." : $": {item.Comment}")}").WriteAsync(context.Response);
                return;
            default:
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                context.Response.Headers.RetryAfter = "10";
                await context.Response.WriteAsJsonAsync(new { id = item.Id, @object = "review", status = "pending" }, ct);
                return;
        }
    }

    private static async Task<IResult> DecideAsync(
        string id,
        string action,
        HttpContext context,
        IReviewQueue reviews,
        ReviewMetrics metrics,
        IGatewayMetrics gatewayMetrics,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        try
        {
            return await DecideOrRefuseAsync(id, action, context, reviews, metrics, gatewayMetrics, ct);
        }
        catch (DbException ex)
        {
            // Nothing was decided: a decision is one conditional UPDATE, and it did not commit.
            var refusal = QueueFailed(loggers, "POST /admin/reviews/{id}/{action}", ex, StoreRefusals.ReviewQueueDecision);
            await AdminAudit.RecordAsync(context, "review-refused", null, $"{refusal.Code};review:{id};action:{action}", 503);
            return Error(refusal.StatusCode, refusal.Code, refusal.Message);
        }
    }

    private static async Task<IResult> DecideOrRefuseAsync(
        string id, string action, HttpContext context, IReviewQueue reviews, ReviewMetrics metrics, IGatewayMetrics gatewayMetrics, CancellationToken ct)
    {
        var outcome = action switch
        {
            "approve" => ReviewStatus.Approved,
            "edit" => ReviewStatus.Edited,
            "reject" => ReviewStatus.Rejected,
            _ => (ReviewStatus?)null,
        };
        if (outcome is null)
        {
            await AdminAudit.RecordAsync(context, "review-refused", null, $"unknown_action;review:{id}", 404);
            return Error(404, "unknown_action", "Unknown review action: use approve, edit or reject (lower case).");
        }

        ReviewBody? body = null;
        if (context.Request.ContentLength is > 0 or null && context.Request.HasJsonContentType())
        {
            string? bodyError;
            (body, bodyError) = await AdminJson.ReadBodyAsync<ReviewBody>(context, ct);
            if (bodyError is not null)
            {
                // Refused before the queue is touched: nothing decided, but the attempt is on the record.
                var existing = await reviews.GetAsync(id, ct);
                await AdminAudit.RecordAsync(
                    context, "review-refused", existing?.UseCaseId, $"invalid_json;review:{id};action:{action}", 400, existing?.TraceId);
                return Error(400, "invalid_json", bodyError);
            }
        }

        if (outcome is not ReviewStatus.Rejected
            && await reviews.GetAsync(id, ct) is { Status: ReviewStatus.Pending } pending
            && await HeldAnswerRelease.RefusalAsync(context, pending.UseCaseId) is { } killed)
        {
            // The kill switch: nothing of a use case that is not active is released, so nothing is approved for release
            // either. A rejection releases nothing and stays possible; an already decided review gets its 409 below.
            var status = killed.StatusCode == StatusCodes.Status503ServiceUnavailable ? killed.StatusCode : StatusCodes.Status409Conflict;
            await AdminAudit.RecordAsync(
                context, "review-refused", pending.UseCaseId, $"{killed.Code};review:{id};action:{action}", status, pending.TraceId);
            return Error(status, killed.Code, killed.Message + " Reject it, or resume the use case first.");
        }

        var reviewer = (string)context.Items[typeof(Admin.AdminEndpoints)]!;
        ReviewItem item;
        try
        {
            item = await reviews.DecideAsync(id, new ReviewDecision(outcome.Value, reviewer, body?.Comment, body?.Content), ct);
        }
        catch (ReviewDecisionException ex)
        {
            var status = ex.Code switch { "unknown_review" => 404, "review_already_decided" => 409, _ => 400 };

            // A refused decision on a known review belongs to the held call's trail, beside its other decisions.
            var existing = ex.Code == "unknown_review" ? null : await reviews.GetAsync(id, ct);
            await AdminAudit.RecordAsync(
                context, "review-refused", existing?.UseCaseId, $"{ex.Code};review:{id};action:{action}", status, existing?.TraceId);
            return Error(status, ex.Code, ex.Message);
        }

        metrics.Decided(item.UseCaseId, item.Status);
        gatewayMetrics.RecordFeedback(item.UseCaseId, item.Status switch
        {
            ReviewStatus.Approved => AuditFeedback.Accepted,
            ReviewStatus.Edited => "edited",
            _ => AuditFeedback.Overridden,
        });

        // The decision joins the call's audit trail: who decided what, and the hash of what is released. Where the
        // held call's own record keeps its text (a verbatim tier), the decision's keeps the reviewer's comment and the
        // answer as released, so an edit and the reason for a rejection are provable from the hash-chained trail, not
        // only from the review queue, which a later decision or a database edit could change unseen.
        var verbatim = await HeldCallKeepsTextAsync(context, item.AuditId, ct);
        var reasons = $"reviewer:{reviewer};review:{item.Id};call:{item.AuditId}";
        if (verbatim && !string.IsNullOrEmpty(item.Comment))
        {
            reasons += $";comment:{item.Comment}";
        }

        var record = await AdminAudit.RecordAsync(
            context,
            "review-" + item.Status.ToString().ToLowerInvariant(),
            item.UseCaseId,
            reasons,
            StatusCodes.Status200OK,
            item.TraceId,
            item.ReleasedAnswer is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(item.ReleasedAnswer))),
            new AuditDecisionDetail(item.RiskTier, item.AuditId, verbatim ? item.ReleasedAnswer : null));
        if (record is null)
        {
            return Error(503, "audit_unavailable", "The decision is recorded in the review queue, but its audit record could not be committed; retry the audit export later.");
        }

        return Results.Ok(ToJson(item));
    }

    /// <summary>Whether the held call's record holds its answer's text; a store that cannot say now keeps the decision to hashes.</summary>
    private static async Task<bool> HeldCallKeepsTextAsync(HttpContext context, string auditId, CancellationToken ct)
    {
        try
        {
            var held = await context.RequestServices.GetRequiredService<IAuditTrail>().GetAsync(auditId, ct);
            return held?.Entry.OutputText is not null;
        }
        catch (DbException)
        {
            return false;
        }
    }

    private static object ToJson(ReviewItem item) => new
    {
        id = item.Id,
        auditId = item.AuditId,
        traceId = item.TraceId,
        useCase = item.UseCaseId,
        app = item.AppId,
        riskTier = item.RiskTier,
        createdAt = item.CreatedAt,
        status = item.Status.ToString().ToLowerInvariant(),
        reviewer = item.Reviewer,
        decidedAt = item.DecidedAt,
        comment = item.Comment,
        answer = JsonDocument.Parse(item.Answer).RootElement,
    };

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new { error = new { message, type = AdminJson.ErrorType(status), param = (string?)null, code } }, statusCode: status);

    private sealed record ReviewBody(string? Comment, string? Content);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Route}: the review queue failed ({ExceptionType}; a timeout: {TimedOut}); answered 503.")]
    private static partial void LogQueueFailed(ILogger logger, string route, string exceptionType, bool timedOut);
}
