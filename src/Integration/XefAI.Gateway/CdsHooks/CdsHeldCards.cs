using System.Data.Common;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Gateway.Admin;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Reviews;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// <c>GET /cds-services/{id}/held/{card}</c>: the card set a held card stands for, once a clinician has reviewed it.
/// CDS Hooks has no callback, so the EHR asks again with the pending card's <c>uuid</c>, authenticated as for the
/// service call (app key or client JWT): 202 with no cards while the review is pending, 200 with the released card
/// (its <c>uuid</c> the held card's, so feedback on it lands on the held call's record), 410 <c>review_rejected</c>
/// when the reviewer rejected it. A card this service never gave the calling app, or one that was never held, is
/// 404 <c>unknown_card</c>.
/// </summary>
internal static partial class CdsHeldCards
{
    public const string ReviewStatusHeader = "X-XefAI-Review-Status";

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly CallError UnknownCard =
        CallError.NotFound("unknown_card", "This service never held a card with that uuid for your app.", "card");

    /// <param name="app">The calling app, authenticated by key or client JWT.</param>
    public static async Task HandleAsync(HttpContext context, GatewaySnapshot config, ClientApp app)
    {
        GatewayHeaders.SetTraceId(context.Response, GatewayHeaders.ResolveTraceId(context));
        var serviceId = context.GetRouteValue("id") as string;
        var cardId = context.GetRouteValue("card") as string;
        if (serviceId is null || !config.CdsHooks.Services.TryGetValue(serviceId, out var service) || service?.UseCase is not { } useCaseId)
        {
            await CdsFeedback.Write(context, CallError.NotFound("unknown_service", "No such CDS service; GET /cds-services lists this gateway's services.", "id"));
            return;
        }

        if (!app.UseCases.Contains(useCaseId))
        {
            await CdsFeedback.Write(context, CallError.Forbidden("use_case_not_granted", $"App '{app.Id}' is not granted this service's use case."));
            return;
        }

        var audit = context.RequestServices.GetRequiredService<IAuditTrail>();
        var record = string.IsNullOrEmpty(cardId) ? null : await CdsFeedback.TryGetAsync(audit, cardId, context.RequestAborted);
        if (record is null || record.Entry.AppId != app.Id || record.Entry.UseCaseId != useCaseId
            || record.Entry.Decision != CallOutcomes.Held || !CdsServiceReason.IsFrom(record.Entry.Reasons, serviceId))
        {
            // Another app's or service's card is answered as an unknown one, as feedback answers it.
            await CdsFeedback.Write(context, UnknownCard);
            return;
        }

        ReviewItem? review;
        try
        {
            review = await context.RequestServices.GetRequiredService<IReviewQueue>().FindByAuditIdAsync(record.Id, context.RequestAborted);
        }
        catch (DbException ex)
        {
            LogQueueFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CdsHeldCards)), ex.GetType().Name, StoreFailures.IsTimeout(ex));
            await CdsFeedback.Write(context, StoreRefusals.ReviewQueueRead(ex));
            return;
        }

        if (review is null || review.AppId != app.Id)
        {
            await CdsFeedback.Write(context, UnknownCard);
            return;
        }

        context.Response.Headers[GatewayHeaders.AuditId] = record.Id;
        context.Response.Headers[ReviewStatusHeader] = review.Status.ToString().ToLowerInvariant();
        switch (review.Status)
        {
            case ReviewStatus.Approved or ReviewStatus.Edited when review.ReleasedAnswer is { } released:
                if (await HeldAnswerRelease.RefusalAsync(context, useCaseId) is { } killed)
                {
                    // Approved before the use case was suspended: the kill switch holds the card back until it is resumed.
                    await CdsFeedback.Write(context, killed);
                    return;
                }

                var body = ReleasedCards(released, record.Id, review.Status == ReviewStatus.Edited, review.RiskTier)
                    ?? throw new InvalidOperationException("A held CDS answer is stored as its card set.");
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = CdsServiceAdapter.ContentType;
                await context.Response.Body.WriteAsync(body, context.RequestAborted);
                return;
            case ReviewStatus.Rejected:
                await CdsFeedback.Write(context, new CallError(
                    StatusCodes.Status410Gone, "review_rejected", "A clinician reviewed this answer and rejected it; it will not be released."));
                return;
            default:
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                context.Response.Headers.RetryAfter = "10";
                context.Response.ContentType = CdsServiceAdapter.ContentType;
                await context.Response.Body.WriteAsync("""{"cards":[]}"""u8.ToArray(), context.RequestAborted);
                return;
        }
    }

    /// <summary>
    /// What a decided review released, as its reader gets it (<c>GET /v1/reviews/{id}</c>): a CDS Hooks card set exactly
    /// as this endpoint releases it, under the held call's audit id; any other answer as the queue stored it.
    /// </summary>
    internal static byte[] Released(ReviewItem review)
    {
        var released = review.ReleasedAnswer ?? throw new InvalidOperationException("Only an approved or edited review releases an answer.");
        return ReleasedCards(released, review.AuditId, review.Status == ReviewStatus.Edited, review.RiskTier)
            ?? System.Text.Encoding.UTF8.GetBytes(released);
    }

    /// <summary>
    /// The released card set, with the held card's uuid; null when the answer is not a card set. An edited answer's card
    /// has the reviewer's text as its detail (opened by the draft notice at tier 3 and above, as every such card is)
    /// and its summary taken from that text.
    /// </summary>
    private static byte[]? ReleasedCards(string released, string uuid, bool edited, int riskTier)
    {
        if (JsonNode.Parse(released) is not JsonObject cards || cards["cards"] is not JsonArray { Count: > 0 } list || list[0] is not JsonObject card)
        {
            return null;
        }

        if (edited && card["detail"]?.GetValue<string>() is { } text)
        {
            card["summary"] = CdsServiceAdapter.Summary(text);
            var clean = CdsCardText.Clean(text, multiline: true);
            card["detail"] = riskTier >= 3 ? $"{CdsServiceAdapter.DraftNotice}\n\n{clean}" : clean;
        }

        card.Remove("uuid");
        card["uuid"] = uuid;
        return JsonSerializer.SerializeToUtf8Bytes(cards, RelaxedJson);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "GET /cds-services/{{id}}/held/{{card}}: the review queue failed ({ExceptionType}; a timeout: {TimedOut}); answered 503.")]
    private static partial void LogQueueFailed(ILogger logger, string exceptionType, bool timedOut);
}
