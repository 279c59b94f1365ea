using XefAI.Gateway.Admin;
using XefAI.Gateway.Pipeline;
using XefAI.Governance;

namespace XefAI.Gateway.Security;

/// <summary>
/// Every authenticated call leaves an audit record. Calls and governance actions write their own, richer records;
/// what remains are reads (audit queries, FHIR exports, review polls, model lists), and reads of the audit trail
/// are access to PHI, which HIPAA wants logged. This middleware writes one <c>access</c> record for each of them:
/// who, which route (its pattern, never the path or query, which may name a patient), and the status.
/// Keyless calls are left to <see cref="AuthenticationFailures"/>, which aggregates them.
/// </summary>
internal sealed partial class AccessAudit(
    RequestDelegate next, ApiKeyDirectory keys, IAuditTrail audit, TimeProvider time, ILogger<AccessAudit> logger)
{
    /// <summary>
    /// Marks the request as audited by its handler, so no access record is added. A feature, not an entry in
    /// <see cref="HttpContext.Items"/>: every governed call marks itself, and the first use of <c>Items</c> makes a feature,
    /// a dictionary wrapper and a dictionary per request, where Kestrel keeps a connection's extra features in a list it
    /// reuses.
    /// </summary>
    public static void MarkAudited(HttpContext context) => context.Features.Set(Audited.Instance);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        await next(context);
        // A 401 is a refused key: AuthenticationFailures aggregates those, even when the key is valid elsewhere.
        if (context.Features.Get<Audited>() is not null || !IsGoverned(context.Request.Path)
            || context.Response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            return;
        }

        string actor;
        var authorization = context.Request.Headers.Authorization.ToString();
        if (keys.TryAuthenticateAdmin(authorization, out var admin))
        {
            actor = "admin:" + admin;
        }
        else if (keys.TryAuthenticateClient(authorization, out var app))
        {
            actor = app.Id;
        }
        else if (context.Features.Get<TokenAuthenticatedClient>() is { } client)
        {
            actor = client.App;
        }
        else
        {
            return;
        }

        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
        try
        {
            await audit.AppendAsync(
                new AuditEntry
                {
                    Timestamp = time.GetUtcNow(),
                    TraceId = GatewayHeaders.EnsureTraceId(context),
                    AppId = actor,
                    Decision = "access",
                    Reasons = $"{context.Request.Method} {route}",
                    StatusCode = context.Response.StatusCode,
                    LatencyMs = Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 3),
                },
                CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAccessNotAudited(logger, StoreRefusals.Loggable(ex), ex.GetType().Name, context.Request.Method, route);
        }
    }

    private static bool IsGoverned(PathString path) =>
        path.StartsWithSegments("/v1") || path.StartsWithSegments("/admin") || path.StartsWithSegments("/fhir") || path.StartsWithSegments("/cds-services");

    /// <summary>The mark of a request whose handler wrote its own record.</summary>
    private sealed class Audited
    {
        public static readonly Audited Instance = new();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Access record of {Method} {Route} could not be committed ({ExceptionType}).")]
    private static partial void LogAccessNotAudited(ILogger logger, Exception? exception, string exceptionType, string method, string route);
}
