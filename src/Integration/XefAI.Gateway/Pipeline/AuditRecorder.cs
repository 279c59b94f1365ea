using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using XefAI.Gateway.Admin;
using XefAI.Gateway.Tracing;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// Writes a call's audit record from its context, failing closed: when the store cannot commit, the call is refused
/// with 503 and no answer is released.
/// </summary>
internal sealed partial class AuditRecorder(IAuditTrail audit, TimeProvider time, ILogger<AuditRecorder> logger)
{
    private const int RefusalLinesPerSecond = 10;

    private readonly LogBudget _refusals = new(time, RefusalLinesPerSecond);

    public static CallError Unavailable { get; } =
        CallError.Unavailable("audit_unavailable", "The audit trail could not record this call, so no answer is released. Retry later.")
            with { RetryAfter = TimeSpan.FromSeconds(1) };

    // Readable verbatim text: non-ASCII letters as they are, as the audit API returns them anyway.
    private static readonly JsonSerializerOptions VerbatimJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="outputText">
    /// The output verbatim: as released when given true, as the vendor gave it (tokens not restored) when given false.
    /// Called only when the tier obliges a verbatim record.
    /// </param>
    /// <returns>The committed record, or null when the store could not commit it.</returns>
    public ValueTask<AuditRecord?> TryAppendAsync(
        CallContext call, string decision, int status, string? reasons, string? outputSha256, Func<bool, string?>? outputText, bool streamed) =>
        TryAppendAsync(call, decision, status, reasons, outputSha256, static (text, released) => text?.Invoke(released), outputText, streamed);

    /// <param name="outputText">
    /// The output verbatim from <paramref name="state"/>: as released when given true, as the vendor gave it (tokens not
    /// restored) when given false. Called only when the tier obliges a verbatim record; a static delegate with its state
    /// costs no closure on a call that keeps no text.
    /// </param>
    /// <returns>The committed record, or null when the store could not commit it.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<AuditRecord?> TryAppendAsync<TState>(
        CallContext call, string decision, int status, string? reasons, string? outputSha256, Func<TState, bool, string?> outputText, TState state, bool streamed)
    {
        var entry = Build(call, decision, status, reasons, outputSha256, outputText, state, streamed);
        using var span = GatewayTracing.StartAuditCommit();
        AuditRecord? record;
        try
        {
            record = await audit.AppendAsync(entry, CancellationToken.None);
        }
        catch (AuditUnavailableException ex)
        {
            // The store logs the cause once per failed batch; a call it refused is one line, not one stack trace each,
            // and at most a few a second: an outage at hundreds of calls a second is counted, not listed.
            if (_refusals.TryTake(out var suppressed))
            {
                if (suppressed > 0)
                {
                    LogAuditUnavailableSuppressed(logger, suppressed, RefusalLinesPerSecond);
                }

                LogAuditUnavailable(logger, call.TraceId, ex.InnerException?.GetType().Name ?? ex.GetType().Name);
            }

            record = null;
        }
        catch (Exception ex)
        {
            LogAuditFailed(logger, StoreRefusals.Loggable(ex), ex.GetType().Name, call.TraceId);
            record = null;
        }

        GatewayTracing.AuditCommitEnded(span, record, decision, streamed);
        return record;
    }

    public static double? CostOf(ModelDeployment? deployment, TokenUsage? usage) =>
        deployment?.Pricing is { } pricing && usage is not null ? (double)Math.Round(pricing.CostOf(usage), 8) : null;

    private AuditEntry Build<TState>(
        CallContext call, string decision, int status, string? reasons, string? outputSha256, Func<TState, bool, string?> outputText, TState state, bool streamed)
    {
        var usage = call.Usage;
        var answered = decision is CallOutcomes.Answered or CallOutcomes.Held;
        return new AuditEntry
        {
            Timestamp = call.Timestamp,
            TraceId = call.TraceId,
            AppId = call.App?.Id,
            PatientPseudonym = call.PatientPseudonym,
            UseCaseId = call.UseCase?.Id,
            RiskTier = (int?)call.UseCase?.Tier,
            Decision = decision,
            Reasons = Join(reasons, call),
            StatusCode = status,
            Provider = call.Deployment?.Kind,
            Deployment = call.Deployment?.Id,
            Model = (answered ? call.Answer?.Model ?? call.Embeddings?.Model ?? call.Stream?.Result?.Model : null) ?? call.Deployment?.VendorModel,
            InputSha256 = call.InputSha256,
            OutputSha256 = outputSha256,
            InputTokens = usage?.InputTokens,
            OutputTokens = usage?.OutputTokens,
            LatencyMs = Math.Round(time.GetElapsedTime(call.Started).TotalMilliseconds, 3),
            Streamed = streamed,
            CostUsd = CostOf(call.Deployment, usage),
            // A snapshot the trail need not copy again: later attempts (none are made once a record is built) cannot change it.
            Attempts = call.Invocation?.Attempts is { Count: > 0 } attempts ? ImmutableArray.CreateRange(attempts) : [],
            UserId = call.Request?.UserId,

            // Verbatim only where the tier obliges it; otherwise the hashes stand for the texts.
            InputText = call.Obligations.AuditVerbatim ? InputText(call) : null,
            OutputText = call.Obligations.AuditVerbatim ? outputText(state, call.Obligations.AuditOriginalText) : null,
            DeIdentification = call.DeIdentification,
            Redactions = call.Redactions is { } redactions ? AuditRedactions.Format(redactions) : null,
        };
    }

    /// <summary>
    /// The input a verbatim record keeps: the client's request as received where the tier asks for the original text;
    /// otherwise what was sent to the model (de-identified where it was), or nothing for a call that never got as far
    /// as the protect step, or failed there: nothing of it was sent.
    /// </summary>
    private static string? InputText(CallContext call)
    {
        if (call.Obligations.AuditOriginalText)
        {
            return Encoding.UTF8.GetString(call.Body.Span);
        }

        if (call.DeIdentification is null)
        {
            return null;
        }

        if (call.Request?.Embeddings is { } embeddings)
        {
            return embeddings.Body.ToJsonString(VerbatimJson);
        }

        return call.VendorBody?.ToJsonString(VerbatimJson) ?? JsonSerializer.Serialize(call.Messages, VerbatimJson);
    }

    /// <summary>
    /// The record's reasons: the outcome's own, then what the record must say of how the call was served: what the way
    /// in called (<see cref="GatewayRequest.AuditReason"/>), recovered data problems (codes only: paths may come from the sender's keys), the prompt template used,
    /// and last the configuration the call was served under (<c>config:&lt;sha256&gt;</c>, the hash its <c>config_applied</c>
    /// record holds): a call that began before a reload and commits after it still names the configuration it read.
    /// </summary>
    private static string? Join(string? reasons, CallContext call)
    {
        // Most calls have nothing to add but their configuration: one string the snapshot holds, with no list or join.
        var warnings = call.Clinical.Warnings;
        var adapterReason = call.Request?.AuditReason;
        var configuration = call.Config.Governed?.Reason;
        if (warnings.Count == 0 && call.Prompt is null && adapterReason is null)
        {
            return configuration is null ? reasons : reasons is null ? configuration : string.Concat(reasons, ";", configuration);
        }

        var parts = new List<string>(5);
        if (reasons is not null)
        {
            parts.Add(reasons);
        }

        if (adapterReason is not null)
        {
            parts.Add(adapterReason);
        }

        if (warnings.Count > 0)
        {
            parts.Add("fhir_warnings:" + string.Join(',', warnings.Select(w => w.Code).Distinct(StringComparer.Ordinal)));
        }

        if (call.Prompt is { } prompt)
        {
            parts.Add($"prompt_template:{prompt.TemplateName}/{prompt.TemplateVersion}@{prompt.TemplateSha256[..12]}");
        }

        if (configuration is not null)
        {
            parts.Add(configuration);
        }

        return string.Join(';', parts);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit record for trace {TraceId} could not be committed ({ExceptionType}); the answer was withheld.")]
    private static partial void LogAuditFailed(ILogger logger, Exception? exception, string exceptionType, string traceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit record for trace {TraceId} could not be committed ({ExceptionType}); the answer was withheld. The store logs the cause.")]
    private static partial void LogAuditUnavailable(ILogger logger, string traceId, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} more calls were refused since the last such line because their audit records could not be committed (not logged one by one; at most {PerSecond} a second are).")]
    private static partial void LogAuditUnavailableSuppressed(ILogger logger, int count, int perSecond);
}
