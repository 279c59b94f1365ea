using System.Diagnostics;

namespace XefAI.Gateway.Pipeline;

/// <summary>Response headers that tie an answer to its governance record.</summary>
internal static class GatewayHeaders
{
    public const string TraceId = "X-XefAI-Trace-Id";
    public const string AuditId = "X-XefAI-Audit-Id";
    public const string RiskTier = "X-XefAI-Risk-Tier";
    public const string Provider = "X-XefAI-Provider";
    public const string Review = "X-XefAI-Review";

    /// <summary>How many problems in the request's clinical data were recovered from (details are in the audit record).</summary>
    public const string DataWarnings = "X-XefAI-Data-Warnings";

    /// <summary>
    /// The W3C trace id of the call: the current activity's, else the caller's <c>traceparent</c>, else a new one,
    /// so one id joins the app's trace, the gateway's logs and the audit record.
    /// </summary>
    public static string ResolveTraceId(HttpContext httpContext)
    {
        if (Activity.Current is { } activity)
        {
            return activity.TraceId.ToHexString();
        }

        var traceparent = httpContext.Request.Headers.TraceParent.ToString();
        if (traceparent.Length > 0 && ActivityContext.TryParse(traceparent, null, out var parent))
        {
            return parent.TraceId.ToHexString();
        }

        return ActivityTraceId.CreateRandom().ToHexString();
    }
}
