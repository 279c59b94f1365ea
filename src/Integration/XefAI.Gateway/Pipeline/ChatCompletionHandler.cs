using System.Globalization;
using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using XefAI.Data;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// The way of one chat completion through the gateway: authenticate the app, resolve and govern the use
/// case, build clinical context, call the model, commit the audit record, and only then answer.
/// Every outcome, answered or refused, leaves exactly one audit record, or the caller gets 503.
/// </summary>
internal sealed partial class ChatCompletionHandler(
    ApiKeyDirectory keys,
    LastGoodOptions<GatewayOptions> options,
    IUseCaseRegistry useCases,
    IPolicyEngine policies,
    IModelRegistry models,
    IClinicalContextBuilder clinicalContext,
    IPatientPseudonymizer pseudonymizer,
    ModelInvoker invoker,
    IAuditTrail audit,
    IGatewayMetrics metrics,
    IReviewQueue reviews,
    Reviews.ReviewMetrics reviewMetrics,
    IErrorRateMonitor errorRates,
    IModelProviderCatalog providers,
    TimeProvider time,
    ILogger<ChatCompletionHandler> logger)
{
    public const string UseCaseHeader = "X-XefAI-Use-Case";
    private const string OtherLabel = "other";

    public async Task HandleAsync(HttpContext httpContext)
    {
        // This handler writes the call's own record (or, keyless, reports it to the aggregate): no access record.
        Security.AccessAudit.MarkAudited(httpContext);
        var call = new CallState(time.GetTimestamp(), time.GetUtcNow(), GatewayHeaders.ResolveTraceId(httpContext));
        Result result;
        try
        {
            result = await ProcessAsync(httpContext, call);
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            result = Result.Fail(new CallError(499, "client_closed", "The client closed the request."));
        }

        await CompleteAsync(httpContext, call, result);
    }

    private async Task<Result> ProcessAsync(HttpContext httpContext, CallState call)
    {
        var request = httpContext.Request;
        if (!keys.TryAuthenticateClient(request.Headers.Authorization, out var app))
        {
            // Counted and audited in aggregate by AuthenticationFailures; CompleteAsync adds no record of its own.
            return Result.Fail(httpContext.RefuseClient(AuthRoutes.Chat, call.TraceId));
        }

        call.App = app;
        var limits = options.Value;
        var (body, unreadable) = await ReadBodyAsync(request, limits.MaxRequestBodyBytes, call.TraceId, httpContext.RequestAborted);
        if (unreadable is not null)
        {
            return Result.Fail(unreadable);
        }

        call.InputSha256 = Sha256Hex(body);
        call.Body = body;
        if (!ChatRequestReader.TryRead(body, limits.RequestLimits, out var chat, out var invalid))
        {
            return Result.Fail(invalid!);
        }

        var useCaseId = request.Headers[UseCaseHeader].FirstOrDefault() is { Length: > 0 } header ? header : chat!.Model;
        if (string.IsNullOrEmpty(useCaseId))
        {
            return Result.Fail(CallError.InvalidRequest(
                "missing_required_parameter",
                $"Name the use case to call in 'model' or in the {UseCaseHeader} header; GET /v1/models lists yours.",
                "model"));
        }

        if (!useCases.TryGet(useCaseId, out var useCase))
        {
            return Result.Fail(CallError.NotFound(
                "model_not_found", $"The use case '{useCaseId}' does not exist; GET /v1/models lists the ones your app may call.", "model"));
        }

        call.UseCase = useCase;
        if (!app.UseCases.Contains(useCase.Id))
        {
            return Result.Fail(CallError.Forbidden(
                "use_case_not_granted", $"App '{app.Id}' is not granted use case '{useCase.Id}'; ask its owner ({useCase.Owner}) for access."));
        }

        var decision = policies.Evaluate(new PolicyContext(useCase, app.Id) { RequestedMaxTokens = chat!.Options.MaxTokens });
        if (!decision.IsAllowed)
        {
            foreach (var denial in decision.Denials)
            {
                metrics.RecordPolicyDenial(denial.ReasonCode);
            }

            var code = string.Join(',', decision.Denials.Select(d => d.ReasonCode));
            var message = string.Join(' ', decision.Denials.Select(d => d.Message));
            var retryAfter = decision.Denials.Max(d => d.RetryAfter);
            return Result.Fail(retryAfter is not null
                ? new CallError(StatusCodes.Status429TooManyRequests, code, message) { RetryAfter = retryAfter }
                : decision.Denials.Any(d => d.ReasonCode == "max_tokens_exceeded")
                    ? CallError.InvalidRequest(code, message, "max_tokens")
                    : CallError.Forbidden(code, message));
        }

        var obligations = decision.Obligations;
        call.Review = obligations.Review;
        call.AuditVerbatim = obligations.AuditVerbatim;
        call.UserId = chat.Options.User;
        if (obligations.Review == ReviewRequirement.Hold && chat.Stream)
        {
            return Result.Fail(CallError.InvalidRequest(
                "stream_not_allowed",
                $"Answers of use case '{useCase.Id}' (tier {(int)useCase.Tier}) are held for clinician review, so they cannot be streamed; send 'stream': false.",
                "stream"));
        }

        if (obligations.MaxTokens is { } cap && chat.Options.MaxTokens is null)
        {
            // The tier caps what the vendor may be asked for, even when the app set no limit.
            chat = chat with { Options = chat.Options with { MaxTokens = cap } };
            chat.Body["max_tokens"] = cap;
        }

        ClinicalContext context;
        try
        {
            context = clinicalContext.Build(chat.Messages.Select(m => m.Content).ToList());
        }
        catch (ClinicalDataException ex)
        {
            return Result.Fail(CallError.InvalidRequest("invalid_fhir", ex.Message, "messages"));
        }

        if (context.PatientReference is { } patient)
        {
            call.PatientPseudonym = pseudonymizer.Pseudonymize(patient);
        }

        if (context.Warnings.Count > 0)
        {
            // Real-world FHIR is read leniently; what was recovered is on the record (codes only: paths may come
            // from the sender's keys) and the client learns how many problems its data had.
            call.DataWarningCount = context.Warnings.Count(w => w.Code != "more-warnings");
            call.DataWarnings = "fhir_warnings:" + string.Join(',', context.Warnings.Select(w => w.Code).Distinct(StringComparer.Ordinal));
        }

        var candidates = SelectCandidates(useCase, app.Id, out var refusals);
        if (candidates.Count == 0)
        {
            if (refusals.Count > 0)
            {
                foreach (var refusal in refusals)
                {
                    metrics.RecordPolicyDenial(refusal.ReasonCode);
                }

                return Result.Fail(CallError.Forbidden(
                    string.Join(',', refusals.Select(d => d.ReasonCode).Distinct()),
                    $"No model may serve use case '{useCase.Id}' now: " + string.Join(' ', refusals.Select(d => d.Message))));
            }

            return Result.Fail(CallError.Unavailable(
                "no_provider", $"Use case '{useCase.Id}' lists no deployment that is registered in Models:Deployments."));
        }

        var modelRequest = new ModelRequest(candidates[0], chat.Messages, chat.Options, chat.Body, ToModelContext(context));
        var vendorStarted = time.GetTimestamp();
        try
        {
            var invocation = await invoker.InvokeAsync(
                httpContext, modelRequest, candidates, useCase.Id, deployment => OpenStreamAsync(httpContext, call, deployment));
            call.Deployment = invocation.Deployment;
            return new Result(invocation.Final.Answer, invocation.Final.Error, invocation);
        }
        finally
        {
            call.VendorDuration = time.GetElapsedTime(vendorStarted);
        }
    }

    /// <summary>
    /// The use case's deployments that governance lets serve this call, in the use case's order; the
    /// refusals say why the others may not.
    /// </summary>
    private List<ModelDeployment> SelectCandidates(UseCase useCase, string appId, out List<PolicyDenial> refusals)
    {
        var candidates = new List<ModelDeployment>(useCase.Providers.Count);
        refusals = [];
        foreach (var id in useCase.Providers)
        {
            if (!models.TryGet(id, out var deployment))
            {
                continue;
            }

            // The host states the facts; what they allow is the Governance layer's to decide.
            var inProcess = providers.TryGet(deployment.Kind, out var provider) && provider is IInProcessModelProvider;
            var facts = new DeploymentFacts(
                deployment.Id, deployment.Lifecycle.ToString().ToLowerInvariant(), deployment.HasBaa, deployment.SunsetDate, inProcess);
            var decision = policies.Evaluate(new PolicyContext(useCase, appId, facts) { CanDeIdentify = false });
            if (decision.IsAllowed)
            {
                candidates.Add(deployment);
            }
            else
            {
                refusals.AddRange(decision.Denials);
            }
        }

        return candidates;
    }

    /// <summary>
    /// Before the first byte of a stream: commit the opening audit record (fail closed) and send the
    /// governance headers. The closing record follows when the stream ends.
    /// </summary>
    private async Task<bool> OpenStreamAsync(HttpContext httpContext, CallState call, ModelDeployment deployment)
    {
        call.Deployment = deployment;
        var entry = BuildEntry(call, "streaming", StatusCodes.Status200OK, null, null, null, null, [], streamed: true);
        var record = await TryAppendAsync(entry, call.TraceId);
        if (record is null)
        {
            var unavailable = AuditUnavailable();
            httpContext.Response.Headers[GatewayHeaders.TraceId] = call.TraceId;
            await unavailable.WriteAsync(httpContext.Response);
            return false;
        }

        call.OpeningAuditId = record.Id;
        SetGovernanceHeaders(httpContext.Response, call, record.Id, deployment);
        return true;
    }

    private async Task CompleteAsync(HttpContext httpContext, CallState call, Result result)
    {
        if (call.App is null && result.Error is { } unauthenticated)
        {
            // One record per keyless request would let anyone fill the audit store; nor is it a call of any use case.
            await unauthenticated.WriteAsync(httpContext.Response);
            return;
        }

        if (result.Invocation?.Stream is { } stream)
        {
            await CompleteStreamAsync(httpContext, call, result.Invocation, stream);
            return;
        }

        if (httpContext.Response.HasStarted)
        {
            // The opening audit record of a stream could not be committed; the client has its 503 already.
            RecordCall(call, result, "failed", StatusCodes.Status503ServiceUnavailable);
            return;
        }

        if (result.Answer is not null && call.Review == ReviewRequirement.Hold)
        {
            await HoldForReviewAsync(httpContext, call, result);
            return;
        }

        var status = result.Error?.StatusCode ?? StatusCodes.Status200OK;
        var body = result.Error?.ToUtf8Json() ?? JsonSerializer.SerializeToUtf8Bytes(result.Answer!.Completion);
        var outcome = OutcomeOf(status);
        var usage = result.Answer?.Usage;
        var entry = BuildEntry(
            call,
            outcome,
            status,
            result.Error?.Code,
            Sha256Hex(body),
            usage,
            result.Answer?.Model,
            result.Invocation?.Attempts ?? [],
            streamed: false,
            outputText: System.Text.Encoding.UTF8.GetString(body));
        var record = await TryAppendAsync(entry, call.TraceId);
        if (record is null)
        {
            var unavailable = AuditUnavailable();
            status = unavailable.StatusCode;
            body = unavailable.ToUtf8Json();
            outcome = "failed";
        }

        RecordCall(call, result with { Answer = record is null ? null : result.Answer }, outcome, status);
        if (httpContext.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        response.Headers[GatewayHeaders.TraceId] = call.TraceId;
        if (result.Error?.RetryAfter is { } wait)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (record is not null)
        {
            SetGovernanceHeaders(response, call, record.Id, result.Answer is null ? null : call.Deployment);
        }
        else if (call.UseCase is not null)
        {
            response.Headers[GatewayHeaders.RiskTier] = TierText(call.UseCase);
        }

        await response.Body.WriteAsync(body, httpContext.RequestAborted);
    }

    /// <summary>
    /// Holds an answer for clinician review: the call's record is committed as <c>held</c> (with the hash of the
    /// answer), the answer waits in the review queue, and the app gets 202 with the review to poll.
    /// </summary>
    private async Task HoldForReviewAsync(HttpContext httpContext, CallState call, Result result)
    {
        var answer = JsonSerializer.Serialize(result.Answer!.Completion);
        var entry = BuildEntry(
            call, "held", StatusCodes.Status202Accepted, "review_required", Sha256Hex(System.Text.Encoding.UTF8.GetBytes(answer)),
            result.Answer.Usage, result.Answer.Model, result.Invocation?.Attempts ?? [], streamed: false, outputText: answer);
        var record = await TryAppendAsync(entry, call.TraceId);
        ReviewItem? review = null;
        if (record is not null)
        {
            try
            {
                review = await reviews.EnqueueAsync(
                    new ReviewRequest(record.Id, call.TraceId, call.UseCase!.Id, call.App!.Id, (int)call.UseCase.Tier, answer), CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogReviewQueueFailed(logger, ex, call.TraceId);
            }
        }

        var response = httpContext.Response;
        response.Headers[GatewayHeaders.TraceId] = call.TraceId;
        if (record is null || review is null)
        {
            RecordCall(call, result with { Answer = null }, "failed", StatusCodes.Status503ServiceUnavailable);
            await (record is null ? AuditUnavailable() : CallError.Unavailable(
                "review_queue_unavailable", "The answer must be held for review, but the review queue is unavailable; no answer is released.")).WriteAsync(response);
            return;
        }

        RecordCall(call, result, "held", StatusCodes.Status202Accepted);
        reviewMetrics.Held(call.UseCase!.Id);
        SetGovernanceHeaders(response, call, record.Id, call.Deployment);
        response.StatusCode = StatusCodes.Status202Accepted;
        response.Headers.Location = $"/v1/reviews/{review.Id}";
        response.Headers.RetryAfter = "10";
        await response.WriteAsJsonAsync(
            new { id = review.Id, @object = "review", status = "pending", audit_id = record.Id, message = "The answer is held until a clinician reviews it; poll the review." },
            httpContext.RequestAborted);
    }

    /// <summary>
    /// Closes a streamed call: the closing record (whole output's hash, usage, attempts) is committed before
    /// the final <c>[DONE]</c>; if it cannot be, the stream ends with an error event instead.
    /// </summary>
    private async Task CompleteStreamAsync(HttpContext httpContext, CallState call, Invocation invocation, ServerSentEventWriter stream)
    {
        using var writer = stream;
        var final = invocation.Final;
        var answered = final.Succeeded;
        var outcome = answered ? "answered" : "failed";
        var entry = BuildEntry(
            call,
            outcome,
            answered ? StatusCodes.Status200OK : final.Error!.StatusCode,
            final.Error?.Code ?? $"stream_opened_by:{call.OpeningAuditId}",
            writer.ContentSha256(),
            final.Stream?.Usage,
            final.Stream?.Model,
            invocation.Attempts,
            streamed: true,
            outputText: final.Stream is { } streamed ? StreamedOutputText(streamed, final.Truncated) : null);
        var record = await TryAppendAsync(entry, call.TraceId);
        RecordCall(call, new Result(null, final.Error, invocation) { StreamUsage = final.Stream?.Usage }, record is null ? "failed" : outcome, entry.StatusCode);
        if (!answered || httpContext.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        try
        {
            if (record is null)
            {
                await writer.WriteErrorAsync(AuditUnavailable(), httpContext.RequestAborted);
            }
            else
            {
                await writer.WriteDoneAsync(httpContext.RequestAborted);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client left after the last chunk; the record is committed either way.
        }
    }

    /// <summary>
    /// The verbatim text of a streamed answer. A stream cut at the response limit keeps at most the limit, marked
    /// as truncated; the record's hash still covers every byte the client received.
    /// </summary>
    private string StreamedOutputText(StreamedAnswer streamed, bool truncated)
    {
        if (!truncated)
        {
            return JsonSerializer.Serialize(new { content = streamed.Content, finish_reason = streamed.FinishReason });
        }

        var limit = (int)Math.Min(options.Value.MaxResponseBodyBytes, int.MaxValue);
        var content = streamed.Content.Length > limit ? streamed.Content[..limit] : streamed.Content;
        return JsonSerializer.Serialize(new { content, finish_reason = "response_too_large", truncated = true });
    }

    private AuditEntry BuildEntry(
        CallState call,
        string decision,
        int status,
        string? reasons,
        string? outputSha256,
        TokenUsage? usage,
        string? answeringModel,
        IReadOnlyList<AuditAttempt> attempts,
        bool streamed,
        string? outputText = null) => new()
        {
            Timestamp = call.Timestamp,
            TraceId = call.TraceId,
            AppId = call.App?.Id,
            PatientPseudonym = call.PatientPseudonym,
            UseCaseId = call.UseCase?.Id,
            RiskTier = (int?)call.UseCase?.Tier,
            Decision = decision,
            Reasons = call.DataWarnings is null ? reasons : reasons is null ? call.DataWarnings : $"{reasons};{call.DataWarnings}",
            StatusCode = status,
            Provider = call.Deployment?.Kind,
            Deployment = call.Deployment?.Id,
            Model = answeringModel ?? call.Deployment?.VendorModel,
            InputSha256 = call.InputSha256,
            OutputSha256 = outputSha256,
            InputTokens = usage?.InputTokens,
            OutputTokens = usage?.OutputTokens,
            LatencyMs = Math.Round(time.GetElapsedTime(call.Started).TotalMilliseconds, 3),
            Streamed = streamed,
            CostUsd = CostOf(call.Deployment, usage),
            Attempts = attempts,
            UserId = call.UserId,

            // Verbatim only where the tier obliges it; otherwise the hashes stand for the texts.
            InputText = call.AuditVerbatim && call.Body is { } input ? System.Text.Encoding.UTF8.GetString(input) : null,
            OutputText = call.AuditVerbatim ? outputText : null,
        };

    /// <returns>The committed record, or null when the store could not commit it (the call is then refused).</returns>
    private async Task<AuditRecord?> TryAppendAsync(AuditEntry entry, string traceId)
    {
        try
        {
            return await audit.AppendAsync(entry, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Fail closed: an answer without its audit record is never released.
            LogAuditFailed(logger, ex, traceId);
            return null;
        }
    }

    private void RecordCall(CallState call, Result result, string outcome, int status)
    {
        if (call.UseCase is not null && outcome is "answered" or "held" or "failed")
        {
            errorRates.RecordOutcome(call.UseCase.Id, failed: outcome == "failed" && status != 499);
        }

        var usage = result.Answer?.Usage ?? result.StreamUsage;
        var answered = outcome == "answered" && call.Deployment is not null;

        // A call that failed at a vendor is labelled with the deployment tried last, so the failing vendor is named.
        metrics.RecordCall(new CallMeasurement(
            call.UseCase?.Id ?? OtherLabel,
            (int?)call.UseCase?.Tier ?? 0,
            call.Deployment?.Kind ?? "none",
            call.Deployment?.VendorModel ?? "none",
            outcome,
            status,
            time.GetElapsedTime(call.Started),
            call.VendorDuration,
            usage?.InputTokens,
            usage?.OutputTokens,
            answered ? CostOf(call.Deployment, usage) : null,
            call.Deployment?.Id ?? "none",
            call.Deployment is not null && result.Error is { } error ? error.Code : null));
        if (answered && call.Deployment!.Lifecycle == ModelLifecycle.Deprecated)
        {
            metrics.RecordDeprecatedModelCall(call.Deployment.Id);
        }
    }

    private static void SetGovernanceHeaders(HttpResponse response, CallState call, string auditId, ModelDeployment? answeredBy)
    {
        var headers = response.Headers;
        headers[GatewayHeaders.TraceId] = call.TraceId;
        headers[GatewayHeaders.AuditId] = auditId;
        if (call.DataWarningCount > 0)
        {
            headers[GatewayHeaders.DataWarnings] = call.DataWarningCount.ToString(CultureInfo.InvariantCulture);
        }

        if (call.UseCase is not null)
        {
            headers[GatewayHeaders.RiskTier] = TierText(call.UseCase);
        }

        if (answeredBy is null)
        {
            return;
        }

        headers[GatewayHeaders.Provider] = answeredBy.Id;
        if (call.Review == ReviewRequirement.Draft)
        {
            // Released, but as a draft: the workflow app must have a clinician sign it off.
            headers[GatewayHeaders.Review] = "required";
        }

        if (answeredBy.Lifecycle == ModelLifecycle.Deprecated)
        {
            // RFC 9745 and RFC 8594: the client learns the model behind its use case is going away, and when.
            headers["Deprecation"] = "true";
            if (answeredBy.SunsetDate is { } sunset)
            {
                headers["Sunset"] = sunset.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).ToString("R", CultureInfo.InvariantCulture);
            }
        }
    }

    private static double? CostOf(ModelDeployment? deployment, TokenUsage? usage) =>
        deployment?.Pricing is { } pricing && usage is not null ? (double)Math.Round(pricing.CostOf(usage), 8) : null;

    private static string OutcomeOf(int status) => status switch
    {
        StatusCodes.Status200OK => "answered",
        < 500 and not 499 => "denied",
        _ => "failed",
    };

    private static string TierText(UseCase useCase) => ((int)useCase.Tier).ToString(CultureInfo.InvariantCulture);

    private static CallError AuditUnavailable() =>
        CallError.Unavailable("audit_unavailable", "The audit trail could not record this call, so no answer is released. Retry later.");

    /// <returns>The body, or the error to answer: over the limit (413), or a body the client could not deliver.</returns>
    private async Task<(byte[] Body, CallError? Error)> ReadBodyAsync(
        HttpRequest request, long limit, string traceId, CancellationToken cancellationToken)
    {
        var tooLarge = new CallError(
            StatusCodes.Status413PayloadTooLarge, "request_too_large",
            $"The request body is larger than this gateway's limit of {limit} bytes.");
        if (request.ContentLength > limit)
        {
            return ([], tooLarge);
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, limit) + 1);
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(4096);
                var read = await request.Body.ReadAsync(memory, cancellationToken);
                if (read == 0)
                {
                    return (buffer.WrittenSpan.ToArray(), null);
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > limit)
                {
                    return ([], tooLarge);
                }
            }
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's verdict on the body: malformed chunked framing (400), or a client too slow to send it (408).
            // It is the client's fault, so one warning line, not a stack trace.
            LogBodyUnreadable(logger, traceId, ex.StatusCode, ex.Message);
            return ([], new CallError(
                ex.StatusCode is >= 400 and < 500 ? ex.StatusCode : StatusCodes.Status400BadRequest,
                ex.StatusCode == StatusCodes.Status408RequestTimeout ? "request_body_timeout" : "malformed_body",
                ex.StatusCode == StatusCodes.Status408RequestTimeout
                    ? "The request body arrived too slowly; send it at once."
                    : "The request body could not be read: its HTTP framing (e.g. chunked encoding) is malformed."));
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Kestrel reports an unparseable chunk size (an overflow) as a plain IOException.
            LogBodyUnreadable(logger, traceId, StatusCodes.Status400BadRequest, ex.Message);
            return ([], new CallError(
                StatusCodes.Status400BadRequest, "malformed_body",
                "The request body could not be read: its HTTP framing (e.g. chunked encoding) is malformed."));
        }
    }

    private static ModelContext ToModelContext(ClinicalContext context) =>
        context.Facts.Count == 0 && context.FreeText.Count == 0
            ? ModelContext.Empty
            : new ModelContext(
                context.Facts.Select(f => new ContextFact(f.Category, f.Text, f.Date, f.Status)).ToList(),
                context.FreeText);

    private static string Sha256Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, digest);
        return Convert.ToHexStringLower(digest);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request body of trace {TraceId} could not be read ({Status}): {Reason}")]
    private static partial void LogBodyUnreadable(ILogger logger, string traceId, int status, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Review queue failed for trace {TraceId}; the held answer was not released.")]
    private static partial void LogReviewQueueFailed(ILogger logger, Exception exception, string traceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit record for trace {TraceId} could not be committed; the answer was withheld.")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception, string traceId);

    /// <summary>What the gateway learned of the call so far, for the audit record and the metrics.</summary>
    private sealed class CallState(long started, DateTimeOffset timestamp, string traceId)
    {
        public long Started { get; } = started;

        public DateTimeOffset Timestamp { get; } = timestamp;

        public string TraceId { get; } = traceId;

        public ClientApp? App { get; set; }

        public UseCase? UseCase { get; set; }

        public ModelDeployment? Deployment { get; set; }

        public string? PatientPseudonym { get; set; }

        public string? InputSha256 { get; set; }

        public TimeSpan? VendorDuration { get; set; }

        /// <summary>The request body as received, kept for a verbatim audit.</summary>
        public byte[]? Body { get; set; }

        /// <summary>The tier obliges the audit record to hold the input and output texts.</summary>
        public bool AuditVerbatim { get; set; }

        /// <summary>The end user the app called for (OpenAI's <c>user</c> field).</summary>
        public string? UserId { get; set; }

        /// <summary>How a clinician must see the answer (none, draft, hold), from the tier's obligations.</summary>
        public string Review { get; set; } = ReviewRequirement.None;

        /// <summary>Problems recovered while reading the clinical data, as audit reasons (codes only).</summary>
        public string? DataWarnings { get; set; }

        /// <summary>How many problems were recovered while reading the clinical data.</summary>
        public int DataWarningCount { get; set; }

        /// <summary>Id of a streamed call's opening record, which its closing record points back to.</summary>
        public string? OpeningAuditId { get; set; }
    }

    private sealed record Result(ModelResponse? Answer, CallError? Error, Invocation? Invocation = null)
    {
        public TokenUsage? StreamUsage { get; init; }

        public static Result Success(ModelResponse answer) => new(answer, null);

        public static Result Fail(CallError error) => new(null, error);
    }
}
