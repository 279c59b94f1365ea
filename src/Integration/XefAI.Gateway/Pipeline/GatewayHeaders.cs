using System.Collections.Frozen;
using System.Diagnostics;
using System.Globalization;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>Response headers that tie an answer to its governance record.</summary>
internal static class GatewayHeaders
{
    public const string TraceId = "X-XefAI-Trace-Id";
    public const string AuditId = "X-XefAI-Audit-Id";

    /// <summary>The trace id again, under the name OpenAI's SDKs read as a response's request id (<c>_request_id</c>, and in their errors).</summary>
    public const string RequestId = "x-request-id";
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

    /// <summary>
    /// A <c>traceparent</c> for a vendor request sent with no activity: the call's trace id, a new span id, and the
    /// caller's sampled flag when the caller's <c>traceparent</c> named this trace.
    /// </summary>
    public static string VendorTraceParent(HttpContext httpContext, string traceId)
    {
        var flags = "00";
        var traceparent = httpContext.Request.Headers.TraceParent.ToString();
        if (traceparent.Length > 0 && ActivityContext.TryParse(traceparent, null, out var parent)
            && parent.TraceId.ToHexString() == traceId && parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded))
        {
            flags = "01";
        }

        // One string: "00-" trace id "-" a new span id in hex "-" flags.
        return string.Create(3 + traceId.Length + 1 + 16 + 1 + 2, (traceId, flags), static (chars, state) =>
        {
            "00-".CopyTo(chars);
            state.traceId.CopyTo(chars[3..]);
            var at = 3 + state.traceId.Length;
            chars[at] = '-';
            Span<byte> spanId = stackalloc byte[8];
            ActivitySpanId.CreateRandom().CopyTo(spanId);
            Convert.TryToHexStringLower(spanId, chars.Slice(at + 1, 16), out _);
            chars[at + 17] = '-';
            state.flags.CopyTo(chars[(at + 18)..]);
        });
    }

    /// <summary>The header the official OpenAI SDKs read before retrying a 408, 409, 429 or 5xx (and anything else when true).</summary>
    public const string ShouldRetry = "x-should-retry";

    /// <summary>
    /// The 5xx codes a retry of the same call cannot fix: the configuration or the vendor's key must change first, or the
    /// request itself is what fails (a provider that cannot translate it, a vendor that refuses it, an answer over the
    /// gateway's limit). Listed in README's errors section; every other 5xx may pass on a retry and carries no header.
    /// </summary>
    private static readonly FrozenSet<string> NotRetryable = FrozenSet.Create(
        StringComparer.Ordinal,
        "vendor_auth_failed",
        "vendor_key_missing",
        "vendor_not_configured",
        "provider_unavailable",
        "no_provider",
        "provider_error",
        "vendor_rejected_request",
        "response_too_large",
        "prompt_template_not_found",
        "prompt_template_invalid",
        "fhir_server_unauthorized");

    /// <summary>
    /// <c>x-should-retry: false</c> on a 5xx no retry can fix, so that an SDK does not send the call again (three
    /// times by default, each one audited); nothing on any other answer, whose retry policy stays the SDK's own.
    /// </summary>
    public static void SetShouldRetry(HttpResponse response, CallError error)
    {
        if (error.StatusCode >= 500 && NotRetryable.Contains(error.Code))
        {
            response.Headers[ShouldRetry] = "false";
        }
    }

    /// <summary><c>Retry-After</c> in whole seconds, at least one, when waiting will help.</summary>
    public static void SetRetryAfter(HttpResponse response, TimeSpan? wait)
    {
        if (wait is { } after)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The call's trace id, as <see cref="TraceId"/> and as <see cref="RequestId"/>.</summary>
    public static void SetTraceId(HttpResponse response, string traceId)
    {
        response.Headers[TraceId] = traceId;
        response.Headers[RequestId] = traceId;
    }

    /// <summary>
    /// The request id the response already carries, else the request's trace id (see <see cref="ResolveTraceId"/>),
    /// set on the response while it can still take headers, as <see cref="RequestId"/> and, unless the route named
    /// another trace there (a review poll names the held call's), as <see cref="TraceId"/>. A record written outside
    /// the pipeline (an access record, an admin action) names the id its answer carries, even when nobody traces and
    /// the id is a new one.
    /// </summary>
    public static string EnsureTraceId(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var headers = response.Headers;
        if (headers.TryGetValue(RequestId, out var set) && set.Count == 1 && set[0] is { Length: > 0 } requestId)
        {
            return requestId;
        }

        var traceId = ResolveTraceId(httpContext);
        if (!response.HasStarted)
        {
            headers[RequestId] = traceId;
            if (!headers.ContainsKey(TraceId))
            {
                headers[TraceId] = traceId;
            }
        }

        return traceId;
    }

    /// <summary>
    /// The headers that tie a response to its governance: trace and audit ids, risk tier, data warnings, and for an
    /// answer the deployment that gave it, the draft flag, and the deprecation of its model.
    /// </summary>
    public static void SetGovernance(HttpResponse response, CallContext call, string? auditId, ModelDeployment? answeredBy)
    {
        var headers = response.Headers;
        SetTraceId(response, call.TraceId);
        if (auditId is not null)
        {
            headers[AuditId] = auditId;
        }

        if (call.UseCase is not null)
        {
            headers[RiskTier] = ((int)call.UseCase.Tier).ToString(CultureInfo.InvariantCulture);
        }

        if (auditId is null)
        {
            return;
        }

        var warnings = call.Clinical.Warnings.Count(w => w.Code != "more-warnings");
        if (warnings > 0)
        {
            headers[DataWarnings] = warnings.ToString(CultureInfo.InvariantCulture);
        }

        if (answeredBy is null)
        {
            return;
        }

        headers[Provider] = answeredBy.Id;
        if (call.Review == Governance.ReviewRequirement.Draft)
        {
            // Released, but as a draft: the workflow app must have a clinician sign it off.
            headers[Review] = "required";
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
}
