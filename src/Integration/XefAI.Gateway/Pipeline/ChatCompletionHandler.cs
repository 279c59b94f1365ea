using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
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
    IOptionsMonitor<GatewayOptions> options,
    IUseCaseRegistry useCases,
    IPolicyEngine policies,
    IModelRegistry models,
    IClinicalContextBuilder clinicalContext,
    IPatientPseudonymizer pseudonymizer,
    ModelInvoker invoker,
    IAuditTrail audit,
    IGatewayMetrics metrics,
    TimeProvider time,
    ILogger<ChatCompletionHandler> logger)
{
    public const string UseCaseHeader = "X-XefAI-Use-Case";
    private const string OtherLabel = "other";

    public async Task HandleAsync(HttpContext httpContext)
    {
        var call = new CallState(time.GetTimestamp(), time.GetUtcNow(), GatewayHeaders.ResolveTraceId(httpContext));
        Result result;
        try
        {
            result = await ProcessAsync(httpContext, call);
        }
        catch (ProviderCallException ex)
        {
            result = Result.Fail(ex.Error);
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            result = Result.Fail(new OpenAIError(499, "client_closed", "client_closed", "The client closed the request."));
        }

        await CompleteAsync(httpContext, call, result);
    }

    private async Task<Result> ProcessAsync(HttpContext httpContext, CallState call)
    {
        var request = httpContext.Request;
        if (!keys.TryAuthenticateClient(request.Headers.Authorization, out var app))
        {
            return Result.Fail(OpenAIError.Unauthenticated(
                request.Headers.Authorization.Count == 0
                    ? "No API key: send your app's key as 'Authorization: Bearer <key>'."
                    : "The API key is not valid for this gateway."));
        }

        call.App = app;
        var limit = options.CurrentValue.MaxRequestBodyBytes;
        var body = await ReadBodyAsync(request, limit, httpContext.RequestAborted);
        if (body is null)
        {
            return Result.Fail(new OpenAIError(
                StatusCodes.Status413PayloadTooLarge, "invalid_request_error", "request_too_large",
                $"The request body is larger than this gateway's limit of {limit} bytes."));
        }

        call.InputSha256 = Sha256Hex(body);
        if (!ChatRequestReader.TryRead(body, out var chat, out var invalid))
        {
            return Result.Fail(invalid!);
        }

        var useCaseId = request.Headers[UseCaseHeader].FirstOrDefault() is { Length: > 0 } header ? header : chat!.Model;
        if (string.IsNullOrEmpty(useCaseId))
        {
            return Result.Fail(OpenAIError.InvalidRequest(
                "missing_required_parameter",
                $"Name the use case to call in 'model' or in the {UseCaseHeader} header; GET /v1/models lists yours.",
                "model"));
        }

        if (!useCases.TryGet(useCaseId, out var useCase))
        {
            return Result.Fail(OpenAIError.NotFound(
                "model_not_found", $"The use case '{useCaseId}' does not exist; GET /v1/models lists the ones your app may call.", "model"));
        }

        call.UseCase = useCase;
        if (!app.UseCases.Contains(useCase.Id))
        {
            return Result.Fail(OpenAIError.Forbidden(
                "use_case_not_granted", $"App '{app.Id}' is not granted use case '{useCase.Id}'; ask its owner ({useCase.Owner}) for access."));
        }

        var decision = policies.Evaluate(new PolicyContext(useCase, app.Id));
        if (!decision.IsAllowed)
        {
            foreach (var denial in decision.Denials)
            {
                metrics.RecordPolicyDenial(denial.ReasonCode);
            }

            return Result.Fail(OpenAIError.Forbidden(
                string.Join(',', decision.Denials.Select(d => d.ReasonCode)),
                string.Join(' ', decision.Denials.Select(d => d.Message))));
        }

        if (chat!.Stream)
        {
            return Result.Fail(OpenAIError.InvalidRequest(
                "unsupported_value", "Streaming is not available on this gateway yet; send 'stream': false.", "stream"));
        }

        ClinicalContext context;
        try
        {
            context = clinicalContext.Build(chat.Messages.Select(m => m.Content).ToList());
        }
        catch (ClinicalDataException ex)
        {
            return Result.Fail(OpenAIError.InvalidRequest("invalid_fhir", ex.Message, "messages"));
        }

        if (context.PatientReference is { } patient)
        {
            call.PatientPseudonym = pseudonymizer.Pseudonymize(patient);
        }

        var deployment = SelectDeployment(useCase)
            ?? throw ProviderCallException.Unavailable(
                "no_provider", $"Use case '{useCase.Id}' lists no deployment that is registered in Models:Deployments.");
        call.Deployment = deployment;

        var modelRequest = new ModelRequest(deployment, chat.Messages, chat.Options, chat.Body, ToModelContext(context));
        var vendorStarted = time.GetTimestamp();
        try
        {
            var answer = await invoker.InvokeAsync(httpContext, modelRequest, httpContext.RequestAborted);
            return Result.Success(answer);
        }
        finally
        {
            call.VendorDuration = time.GetElapsedTime(vendorStarted);
        }
    }

    private ModelDeployment? SelectDeployment(UseCase useCase)
    {
        foreach (var id in useCase.Providers)
        {
            if (models.TryGet(id, out var deployment))
            {
                return deployment;
            }
        }

        return null;
    }

    private async Task CompleteAsync(HttpContext httpContext, CallState call, Result result)
    {
        var status = result.Error?.StatusCode ?? StatusCodes.Status200OK;
        var body = result.Error?.ToUtf8Json() ?? JsonSerializer.SerializeToUtf8Bytes(result.Answer!.Completion);
        var outcome = status switch
        {
            StatusCodes.Status200OK => "answered",
            < 500 and not 499 => "denied",
            _ => "failed",
        };

        var entry = new AuditEntry
        {
            Timestamp = call.Timestamp,
            TraceId = call.TraceId,
            AppId = call.App?.Id,
            PatientPseudonym = call.PatientPseudonym,
            UseCaseId = call.UseCase?.Id,
            RiskTier = (int?)call.UseCase?.Tier,
            Decision = outcome,
            Reasons = result.Error?.Code,
            StatusCode = status,
            Provider = call.Deployment?.Kind,
            Deployment = call.Deployment?.Id,
            Model = result.Answer?.Model ?? call.Deployment?.VendorModel,
            InputSha256 = call.InputSha256,
            OutputSha256 = Sha256Hex(body),
            InputTokens = result.Answer?.Usage?.InputTokens,
            OutputTokens = result.Answer?.Usage?.OutputTokens,
            LatencyMs = Math.Round(time.GetElapsedTime(call.Started).TotalMilliseconds, 3),
        };

        var auditStarted = time.GetTimestamp();
        AuditRecord? record = null;
        try
        {
            record = await audit.AppendAsync(entry, CancellationToken.None);
            metrics.RecordAuditWrite(committed: true, time.GetElapsedTime(auditStarted));
        }
        catch (Exception ex)
        {
            // Fail closed: an answer without its audit record is never released.
            metrics.RecordAuditWrite(committed: false, time.GetElapsedTime(auditStarted));
            LogAuditFailed(logger, ex, call.TraceId);
            var unavailable = OpenAIError.Unavailable(
                "audit_unavailable", "The audit trail could not record this call, so no answer is released. Retry later.");
            status = unavailable.StatusCode;
            body = unavailable.ToUtf8Json();
            outcome = "failed";
        }

        metrics.RecordCall(new CallMeasurement(
            call.UseCase?.Id ?? OtherLabel,
            (int?)call.UseCase?.Tier ?? 0,
            record is not null && result.Answer is not null ? call.Deployment!.Kind : "none",
            call.Deployment?.VendorModel ?? "none",
            outcome,
            status,
            time.GetElapsedTime(call.Started),
            call.VendorDuration,
            result.Answer?.Usage?.InputTokens,
            result.Answer?.Usage?.OutputTokens));

        if (httpContext.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        var headers = response.Headers;
        headers[GatewayHeaders.TraceId] = call.TraceId;
        if (record is not null)
        {
            headers[GatewayHeaders.AuditId] = record.Id;
        }

        if (call.UseCase is not null)
        {
            headers[GatewayHeaders.RiskTier] = ((int)call.UseCase.Tier).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (result.Answer is not null && record is not null)
        {
            headers[GatewayHeaders.Provider] = call.Deployment!.Id;
        }

        await response.Body.WriteAsync(body, httpContext.RequestAborted);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, limit) + 1);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return null;
            }
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
    }

    private sealed record Result(ModelResponse? Answer, OpenAIError? Error)
    {
        public static Result Success(ModelResponse answer) => new(answer, null);

        public static Result Fail(OpenAIError error) => new(null, error);
    }
}
