using System.Globalization;
using XefAI.Gateway.Security;
using XefAI.Governance;

namespace XefAI.Gateway.Admin;

/// <summary>The governance API: audit query and chain verification, use-case status. Admin key only.</summary>
internal static class AdminEndpoints
{
    /// <returns>The admin route group, for other governance endpoints to join.</returns>
    public static RouteGroupBuilder MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin").RequireAdminKey();

        admin.MapGet("/audit", QueryAuditAsync);
        admin.MapGet("/audit/verify", async (IAuditTrail audit, CancellationToken ct) => Results.Ok(ToJson(await audit.VerifyAsync(ct))));
        admin.MapGet("/audit/{id}", async (string id, IAuditTrail audit, CancellationToken ct) =>
            await audit.GetAsync(id, ct) is { } record
                ? Results.Ok(ToJson(record))
                : Results.Json(
                    new { error = new { message = $"No audit record '{id}'.", type = "invalid_request_error", param = "id", code = "not_found" } },
                    statusCode: StatusCodes.Status404NotFound));
        admin.MapGet("/use-cases", (IUseCaseRegistry useCases) => Results.Ok(new
        {
            data = useCases.All.OrderBy(u => u.Id, StringComparer.Ordinal).Select(u => new
            {
                id = u.Id,
                name = u.Name,
                owner = u.Owner,
                clinicalSponsor = u.ClinicalSponsor,
                intendedUse = u.IntendedUse,
                riskTier = (int)u.Tier,
                status = u.Status.ToString().ToLowerInvariant(),
                statusReason = u.StatusReason,
                providers = u.Providers,
            }),
        }));

        return admin;
    }

    /// <summary>Admin key required; the admin's name is kept for the audit records of what they do.</summary>
    /// <param name="route">Route family the refusals are counted under (<see cref="AuthRoutes"/>).</param>
    public static RouteGroupBuilder RequireAdminKey(this RouteGroupBuilder group, string route = AuthRoutes.Admin)
    {
        var keys = ((IEndpointRouteBuilder)group).ServiceProvider.GetRequiredService<ApiKeyDirectory>();
        group.AddEndpointFilter(async (context, next) =>
        {
            if (!keys.TryAuthenticateAdmin(context.HttpContext.Request.Headers.Authorization, out var name))
            {
                // Audited in aggregate, not one record each: a keyless flood must not fill the audit store.
                await context.HttpContext.RefuseAdminAsync(route);
                return Results.Empty;
            }

            context.HttpContext.Items[typeof(AdminEndpoints)] = name;
            return await next(context);
        });
        return group;
    }

    private static async Task<IResult> QueryAuditAsync(
        HttpRequest request, IAuditTrail audit, CancellationToken cancellationToken)
    {
        var q = request.Query;
        if (!TryParseTime(q["from"], out var from) || !TryParseTime(q["to"], out var to))
        {
            return BadRequest("from/to must be ISO-8601 date-times, e.g. 2026-11-22T00:00:00Z.", "from");
        }

        var limit = 100;
        if (q["limit"].Count > 0 && (!int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            return BadRequest("limit must be an integer from 1 to 1000.", "limit");
        }

        var records = await audit.QueryAsync(
            new AuditQuery(from, to, NullIfEmpty(q["useCase"]), NullIfEmpty(q["app"]), NullIfEmpty(q["patient"]), limit),
            cancellationToken);
        return Results.Ok(new { data = records.Select(ToJson) });
    }

    private static object ToJson(AuditChainVerification v) => v.Valid
        ? new { valid = true, records = v.Records }
        : new { valid = false, records = v.Records, firstBrokenRecord = v.FirstBrokenRecord, problem = v.Problem };

    private static object ToJson(AuditRecord r) => new
    {
        id = r.Id,
        sequence = r.Sequence,
        timestamp = r.Entry.Timestamp,
        traceId = r.Entry.TraceId,
        app = r.Entry.AppId,
        user = r.Entry.UserId,
        patientPseudonym = r.Entry.PatientPseudonym,
        useCase = r.Entry.UseCaseId,
        riskTier = r.Entry.RiskTier,
        decision = r.Entry.Decision,
        reasons = r.Entry.Reasons,
        statusCode = r.Entry.StatusCode,
        provider = r.Entry.Provider,
        deployment = r.Entry.Deployment,
        model = r.Entry.Model,
        inputSha256 = r.Entry.InputSha256,
        outputSha256 = r.Entry.OutputSha256,
        inputTokens = r.Entry.InputTokens,
        outputTokens = r.Entry.OutputTokens,
        latencyMs = r.Entry.LatencyMs,
        streamed = r.Entry.Streamed,
        inputText = r.Entry.InputText,
        outputText = r.Entry.OutputText,
        costUsd = r.Entry.CostUsd,
        attempts = r.Entry.Attempts.Select(a => new
        {
            deployment = a.Deployment,
            destination = a.Destination,
            outcome = a.Outcome,
            statusCode = a.StatusCode,
            latencyMs = a.LatencyMs,
        }),
        previousHash = r.PreviousHash,
        hash = r.Hash,
    };

    private static bool TryParseTime(string? value, out DateTimeOffset? time)
    {
        time = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        return false;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static IResult BadRequest(string message, string param) => Results.Json(
        new { error = new { message, type = "invalid_request_error", param, code = "invalid_value" } },
        statusCode: StatusCodes.Status400BadRequest);
}
