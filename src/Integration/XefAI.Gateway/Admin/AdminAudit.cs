using XefAI.Gateway.Pipeline;
using XefAI.Governance;

namespace XefAI.Gateway.Admin;

/// <summary>
/// Governance actions are audited like calls, refused ones included: who tried what on which target,
/// and how it ended. The records share the chain with the calls they concern.
/// </summary>
internal static partial class AdminAudit
{
    /// <returns>The committed record, or null when the audit store could not commit it.</returns>
    public static async Task<AuditRecord?> RecordAsync(
        HttpContext context,
        string action,
        string? useCaseId,
        string reasons,
        int status,
        string? traceId = null,
        string? outputSha256 = null,
        AuditDecisionDetail? detail = null)
    {
        var services = context.RequestServices;
        var audit = services.GetRequiredService<IAuditTrail>();
        var time = services.GetRequiredService<TimeProvider>();
        var actor = context.Items[typeof(AdminEndpoints)] as string;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminAudit));
        try
        {
            var record = await audit.AppendAsync(
                new AuditEntry
                {
                    Timestamp = time.GetUtcNow(),
                    TraceId = traceId ?? GatewayHeaders.EnsureTraceId(context),
                    AppId = actor is null ? null : "admin:" + actor,
                    UseCaseId = useCaseId,
                    Decision = action,
                    Reasons = reasons,
                    StatusCode = status,
                    OutputSha256 = outputSha256,
                    RiskTier = detail?.RiskTier,
                    RelatesTo = detail?.RelatesTo,
                    OutputText = detail?.OutputText,
                    LatencyMs = 0,
                },
                CancellationToken.None);

            // The record id, not its reasons: an admin's reason, a review comment may name a patient.
            LogRecorded(logger, action, status, record.Id);
            Security.AccessAudit.MarkAudited(context);
            return record;
        }
        catch (Exception ex)
        {
            LogAuditFailed(logger, StoreRefusals.Loggable(ex), ex.GetType().Name, action);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin action {Action} ({Status}) is audit record {AuditId}.")]
    private static partial void LogRecorded(ILogger logger, string action, int status, string auditId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit record of admin action {Action} could not be committed ({ExceptionType}).")]
    private static partial void LogAuditFailed(ILogger logger, Exception? exception, string exceptionType, string action);
}

/// <summary>
/// What a decision on a call adds to its own record: the call's tier, the call's record id, and the text released
/// (where the call's tier keeps text).
/// </summary>
internal sealed record AuditDecisionDetail(int? RiskTier, string? RelatesTo, string? OutputText);
