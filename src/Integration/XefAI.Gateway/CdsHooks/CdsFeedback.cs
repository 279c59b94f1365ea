using System.Text.Json;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.CdsHooks;

/// <summary>One feedback item, checked: the card it judges and the clinician's verdict in its audit form.</summary>
internal sealed record CdsFeedbackItem(string Card, bool Accepted, string Feedback, int AcceptedSuggestions);

/// <summary>
/// <c>POST /cds-services/{id}/feedback</c>: what clinicians did with the service's cards. Each item becomes an audit
/// record of decision <c>feedback</c> that names the card's own record (<see cref="AuditEntry.RelatesTo"/>) and the
/// outcome with the override reason's code (<see cref="AuditEntry.Feedback"/>), and is counted in
/// <c>xefai_feedback_total{use_case,outcome}</c>. The clinician's free-text comment is never recorded: it may name
/// the patient. A request with any item the gateway cannot place (an unknown card, another service's or app's card)
/// records no feedback at all and is audited as denied. <c>X-XefAI-Audit-Id</c> names the records written: the
/// feedback records in the items' order, or the denial's record.
/// </summary>
/// <remarks>
/// A card belongs to the service that gave it, as its record's <c>cds_service:&lt;id&gt;</c> reason says, even where two
/// services answer with one use case. A record written before services were recorded names none and is judged by app
/// and use case, as it was then (<see cref="CdsServiceReason.IsFrom"/>).
/// </remarks>
internal static class CdsFeedback
{
    public const string Decision = "feedback";

    private const int MaxItems = 100;

    /// <param name="app">The calling app, authenticated by key or client JWT.</param>
    public static async Task HandleAsync(HttpContext context, GatewaySnapshot config, ClientApp app)
    {
        AccessAudit.MarkAudited(context);
        var traceId = GatewayHeaders.ResolveTraceId(context);
        GatewayHeaders.SetTraceId(context.Response, traceId);
        var serviceId = context.GetRouteValue("id") as string;
        var useCaseId = serviceId is not null && config.CdsHooks.Services.TryGetValue(serviceId, out var service) ? service?.UseCase : null;
        var audit = context.RequestServices.GetRequiredService<IAuditTrail>();
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var error = useCaseId is null
            ? CallError.NotFound("unknown_service", "No such CDS service; GET /cds-services lists this gateway's services.", "id")
            : !app.UseCases.Contains(useCaseId)
                ? CallError.Forbidden("use_case_not_granted", $"App '{app.Id}' is not granted this service's use case.")
                : null;

        var signedBy = context.Features.Get<TokenAuthenticatedClient>()?.Client;
        List<CdsFeedbackItem>? items = null;
        var cards = new Dictionary<string, AuditRecord>(StringComparer.Ordinal);
        if (error is null)
        {
            var body = await ReadBodyAsync(context, config.Gateway.MaxRequestBodyBytes);
            error = body.Error ?? Parse(body.Bytes, config.Gateway.MaxJsonDepth, out items);
        }

        if (error is null)
        {
            foreach (var item in items!)
            {
                var card = cards.GetValueOrDefault(item.Card) ?? await TryGetAsync(audit, item.Card, context.RequestAborted);
                if (card is null || card.Entry.AppId != app.Id || card.Entry.UseCaseId != useCaseId
                    || card.Entry.Decision is not (CallOutcomes.Answered or CallOutcomes.Held)
                    || !CdsServiceReason.IsFrom(card.Entry.Reasons, serviceId!))
                {
                    // Another app's or service's card is answered as an unknown one: its existence is not the caller's to learn.
                    error = CallError.NotFound("unknown_card", "A feedback item names a card this service never gave your app; no feedback was recorded.", "feedback.card");
                    break;
                }

                cards[item.Card] = card;
            }
        }

        if (error is not null)
        {
            var denied = await TryAppendAsync(audit, new AuditEntry
            {
                Timestamp = time.GetUtcNow(),
                TraceId = traceId,
                AppId = app.Id,
                UseCaseId = useCaseId,
                Decision = CallOutcomes.Of(error.StatusCode),
                Reasons = useCaseId is null ? $"cds_feedback;{error.Code}" : $"cds_feedback;{error.Code};{CdsServiceReason.Of(serviceId!, signedBy)}",
                StatusCode = error.StatusCode,
                LatencyMs = 0,
            });
            if (denied is not null)
            {
                context.Response.Headers[GatewayHeaders.AuditId] = denied.Id;
            }

            await Write(context, denied is null ? AuditRecorder.Unavailable : error);
            return;
        }

        var metrics = context.RequestServices.GetRequiredService<IGatewayMetrics>();
        var recorded = new List<string>(items!.Count);
        foreach (var item in items)
        {
            var card = cards[item.Card].Entry;
            var record = await TryAppendAsync(audit, new AuditEntry
            {
                Timestamp = time.GetUtcNow(),
                TraceId = traceId,
                AppId = app.Id,
                PatientPseudonym = card.PatientPseudonym,
                UseCaseId = useCaseId,
                RiskTier = card.RiskTier,
                Decision = Decision,
                Reasons = $"cds_feedback;accepted_suggestions:{item.AcceptedSuggestions};{CdsServiceReason.Of(serviceId!, signedBy)}",
                StatusCode = StatusCodes.Status200OK,
                LatencyMs = 0,
                RelatesTo = item.Card,
                Feedback = item.Feedback,
            });
            if (record is null)
            {
                await Write(context, AuditRecorder.Unavailable);
                return;
            }

            recorded.Add(record.Id);
            metrics.RecordFeedback(useCaseId!, item.Accepted ? AuditFeedback.Accepted : AuditFeedback.Overridden);
        }

        // The records of this request, in the items' order, as the body's "recorded" lists them: one id for the usual
        // single item, a comma-separated list (one header, RFC 9110 list syntax) when a request judged several cards.
        context.Response.Headers[GatewayHeaders.AuditId] = string.Join(", ", recorded);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = CdsServiceAdapter.ContentType;
        await JsonSerializer.SerializeAsync(context.Response.Body, new { recorded });
    }

    /// <summary>Reads the specification's feedback body; every item must be well formed, or none is recorded.</summary>
    internal static CallError? Parse(ReadOnlyMemory<byte> body, int maxJsonDepth, out List<CdsFeedbackItem>? items)
    {
        items = null;
        if (JsonBodyGuard.Check(body.Span, maxJsonDepth) is { } bad)
        {
            return bad;
        }

        body = JsonBodyGuard.WithoutByteOrderMark(body);

        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = maxJsonDepth });
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("feedback", out var feedback) || feedback.ValueKind != JsonValueKind.Array)
        {
            return CallError.InvalidRequest("missing_required_parameter", "Send {\"feedback\": [ … ]}: one item per card, with 'card' and 'outcome'.", "feedback");
        }

        var count = feedback.GetArrayLength();
        if (count is 0 or > MaxItems)
        {
            return CallError.InvalidRequest("invalid_value", $"'feedback' must hold 1 to {MaxItems} items.", "feedback");
        }

        items = new List<CdsFeedbackItem>(count);
        var index = 0;
        foreach (var item in feedback.EnumerateArray())
        {
            var at = $"feedback[{index++}]";
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("card", out var card) || card.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(card.GetString()))
            {
                return CallError.InvalidRequest("missing_required_parameter", $"{at} must name its 'card' (the card's uuid).", $"{at}.card");
            }

            var outcome = item.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
            if (outcome is not (AuditFeedback.Accepted or AuditFeedback.Overridden))
            {
                return CallError.InvalidRequest("invalid_value", $"{at}.outcome must be 'accepted' or 'overridden'.", $"{at}.outcome");
            }

            var suggestions = 0;
            if (item.TryGetProperty("acceptedSuggestions", out var accepted) && accepted.ValueKind != JsonValueKind.Null)
            {
                if (accepted.ValueKind != JsonValueKind.Array)
                {
                    return CallError.InvalidRequest("invalid_type", $"{at}.acceptedSuggestions must be an array.", $"{at}.acceptedSuggestions");
                }

                suggestions = accepted.GetArrayLength();
            }

            string? code = null;
            if (item.TryGetProperty("overrideReason", out var reason) && reason.ValueKind == JsonValueKind.Object
                && reason.TryGetProperty("reason", out var coding) && coding.ValueKind == JsonValueKind.Object
                && coding.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String)
            {
                code = c.GetString();
            }

            var isAccepted = outcome == AuditFeedback.Accepted;
            items.Add(new CdsFeedbackItem(card.GetString()!, isAccepted, AuditFeedback.Format(isAccepted, code), suggestions));
        }

        return null;
    }

    private static async Task<(byte[] Bytes, CallError? Error)> ReadBodyAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return ([], TooLarge(limit));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return ([], TooLarge(limit));
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), null);
    }

    private static CallError TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "request_too_large", $"The request body is larger than this gateway's limit of {limit} bytes.");

    /// <summary>The record of a card's uuid, or null when no record has that id.</summary>
    internal static async Task<AuditRecord?> TryGetAsync(IAuditTrail audit, string id, CancellationToken cancellationToken)
    {
        try
        {
            return await audit.GetAsync(id, cancellationToken);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            // An id no record can have.
            return null;
        }
    }

    private static async Task<AuditRecord?> TryAppendAsync(IAuditTrail audit, AuditEntry entry)
    {
        try
        {
            return await audit.AppendAsync(entry, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>A refusal outside the pipeline, in the CDS error shape.</summary>
    internal static Task Write(HttpContext context, CallError error)
    {
        var rendered = CdsServiceAdapter.Error(error);
        GatewayHeaders.SetRetryAfter(context.Response, error.RetryAfter);
        context.Response.StatusCode = rendered.StatusCode;
        context.Response.ContentType = rendered.ContentType;
        return context.Response.Body.WriteAsync(rendered.Body).AsTask();
    }
}
