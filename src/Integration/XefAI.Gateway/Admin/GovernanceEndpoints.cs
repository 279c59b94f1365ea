using System.Data.Common;
using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Security;
using XefAI.Governance;

namespace XefAI.Gateway.Admin;

/// <summary>
/// The governance API: use cases and their model cards for the apps that may call them; status changes
/// (the kill switch), deployment suspensions and incidents for administrators. Every action, refused
/// ones included, is an audit record naming who did what and why.
/// </summary>
internal static partial class GovernanceEndpoints
{
    public static void MapGovernanceEndpoints(this IEndpointRouteBuilder endpoints, RouteGroupBuilder admin)
    {
        var keys = endpoints.ServiceProvider.GetRequiredService<ApiKeyDirectory>();
        endpoints.MapGet("/v1/use-cases", (HttpContext context, IUseCaseRegistry useCases) =>
            WithClient(context, keys, app => Results.Ok(new
            {
                data = useCases.All.Where(u => app.UseCases.Contains(u.Id)).OrderBy(u => u.Id, StringComparer.Ordinal).Select(ToJson),
            })));
        endpoints.MapGet("/v1/use-cases/{id}/model-card", (string id, HttpContext context, IUseCaseRegistry useCases) =>
            WithClient(context, keys, app =>
                !app.UseCases.Contains(id) || !useCases.TryGet(id, out var useCase)
                    ? Error(404, "model_not_found", $"The use case {Clinical.ClinicalTaskRequestReader.Quoted(id)} does not exist or is not granted to app '{app.Id}'.")
                    : Results.Ok(ModelCardJson(useCase))));
        endpoints.MapPost("/v1/incidents", ReportIncidentAsAppAsync);

        admin.MapPost("/use-cases/{id}/{action}", ChangeUseCaseStatusAsync);
        admin.MapGet("/use-cases/{id}/history", GetHistoryAsync);
        admin.MapPost("/deployments/{id}/{action}", ChangeDeploymentAsync);
        admin.MapGet("/deployments/suspended", (IDeploymentSuspensions suspensions) => Results.Ok(new { data = suspensions.Suspended }));
        admin.MapPost("/incidents", ReportIncidentAsAdminAsync);
        admin.MapGet("/incidents", (string? useCase, IIncidentReporter incidents, ILoggerFactory loggers, CancellationToken ct) =>
            ReadStateAsync(loggers, "GET /admin/incidents", async () => new { data = await incidents.QueryAsync(new IncidentQuery(useCase), ct) }));
    }

    /// <summary>
    /// The status changes of a use case. A use case taken out of the configuration keeps its history, which stays
    /// readable; an id with neither is most likely a typo, and is told so rather than shown an empty history.
    /// </summary>
    private static async Task<IResult> GetHistoryAsync(
        string id, IUseCaseAdministration administration, IUseCaseRegistry useCases, ILoggerFactory loggers, CancellationToken ct)
    {
        IReadOnlyList<UseCaseStatusChange> history;
        try
        {
            history = await administration.GetHistoryAsync(id, ct);
        }
        catch (DbException ex)
        {
            return StateUnavailable(loggers, "GET /admin/use-cases/{id}/history", ex);
        }

        return history.Count == 0 && !useCases.TryGet(id, out _)
            ? Error(404, GovernanceActionCodes.UnknownUseCase, $"No use case '{id}' is configured, and none by that id has a recorded history.")
            : Results.Ok(new { data = history });
    }

    /// <summary>
    /// The audit record's account of a status change. An approval names the clinical sponsor it was given by, since the
    /// tier-4 rules rest on it and the hash-chained trail, not only the state store, must prove it; the free-text reason
    /// comes last, so no reason can pass for a sponsor or an actor.
    /// </summary>
    private static string Reasons(UseCaseStatusChange change) => change.ClinicalSponsor is { Length: > 0 } sponsor
        ? $"{change.From}->{change.To};by:{change.Actor};sponsor:{sponsor};reason:{change.Reason}"
        : $"{change.From}->{change.To};by:{change.Actor};reason:{change.Reason}";

    /// <summary>A read of the governance state store failed or timed out: a 503 saying which, the cause in the log.</summary>
    private static IResult StateUnavailable(ILoggerFactory loggers, string route, DbException failure)
    {
        LogStateStoreFailed(loggers.CreateLogger(typeof(GovernanceEndpoints)), route, failure.GetType().Name, StoreFailures.IsTimeout(failure));
        return Error(503, StoreRefusals.GovernanceStateCode, StoreRefusals.GovernanceStateRead(failure));
    }

    /// <summary>A read of the governance state store; its failure or timeout is a 503 the caller may retry, never a 500.</summary>
    private static async Task<IResult> ReadStateAsync<T>(ILoggerFactory loggers, string route, Func<Task<T>> read)
    {
        try
        {
            return Results.Ok(await read());
        }
        catch (DbException ex)
        {
            return StateUnavailable(loggers, route, ex);
        }
    }

    private static async Task<IResult> ChangeUseCaseStatusAsync(
        string id, string action, HttpContext context, IUseCaseAdministration administration, ILoggerFactory loggers, CancellationToken ct)
    {
        // Exact, lower-case names only: Enum.TryParse would take "retire,approve" (a flag list), " suspend" or "3".
        if (!UseCaseActions.TryGetValue(action, out var parsed))
        {
            return await RefuseAsync(context, id, "unknown_action", 404, "Unknown action: use approve, activate, suspend, resume or retire (lower case).");
        }

        var (body, bodyError) = await ReadBodyAsync<StatusChangeBody>(context, ct);
        if (bodyError is not null || string.IsNullOrWhiteSpace(body?.Reason))
        {
            return await RefuseAsync(context, id, "missing_reason", 400, bodyError ?? "Send a JSON body with a 'reason': every status change says why.");
        }

        try
        {
            var change = await administration.ApplyAsync(id, parsed, Actor(context), body.Reason, body.ClinicalSponsor, ct);
            // Named after the action performed, never after the URL's text.
            var record = await AdminAudit.RecordAsync(
                context,
                $"use-case-{change.Action.ToString().ToLowerInvariant()}",
                id,
                Reasons(change),
                200,

                // The tier the change was made at, on the hash-chained record too: a tier-4 activation is served only if
                // it was made at tier 4, and the state store's history alone could be edited unseen.
                detail: new AuditDecisionDetail((int?)change.RiskTier, RelatesTo: null, OutputText: null));
            return record is null
                ? Error(503, "audit_unavailable", "The status change is in force, but its audit record could not be committed; retry the audit later.")
                : Results.Ok(change);
        }
        catch (ArgumentException ex)
        {
            return await RefuseAsync(context, id, "invalid_value", 400, $"The request cannot be recorded: {ex.Message.Split(" (Parameter", 2)[0]}");
        }
        catch (GovernanceActionException ex)
        {
            var status = ex.Code switch
            {
                GovernanceActionCodes.UnknownUseCase => 404,
                GovernanceActionCodes.InvalidTransition => 409,
                _ => 422,
            };
            return await RefuseAsync(context, id, ex.Code, status, ex.Message, ex.MissingAttributes);
        }
        catch (Exception ex) when (StoreRefusals.IsStoreFailure(ex) && !context.RequestAborted.IsCancellationRequested)
        {
            // The governance state store failed (locked, unreachable, moved): nothing changed, and the caller may retry.
            // Any other exception is a fault of the gateway's, for the app's error handling (a 500), not a 503 to retry.
            return await StateChangeUnavailableAsync(context, id, loggers, ex);
        }
    }

    /// <summary>A status change the governance state store could not record: a 503 (Retry-After from the admin filter), the type in the log.</summary>
    private static Task<IResult> StateChangeUnavailableAsync(HttpContext context, string? useCaseId, ILoggerFactory loggers, Exception failure)
    {
        LogStateStoreFailed(
            loggers.CreateLogger(typeof(GovernanceEndpoints)), $"POST {context.Request.Path}", failure.GetType().Name, StoreFailures.IsTimeout(failure));
        return RefuseAsync(
            context, useCaseId, StoreRefusals.GovernanceStateCode, 503, "The governance state store could not record the change; nothing changed. Retry later.");
    }

    private static async Task<IResult> ChangeDeploymentAsync(
        string id,
        string action,
        HttpContext context,
        IDeploymentSuspensions suspensions,
        XefAI.Models.IModelRegistry models,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        if (action is not ("suspend" or "resume"))
        {
            return await RefuseAsync(context, null, "unknown_action", 404, "Unknown action: use suspend or resume (lower case).");
        }

        if (!models.TryGet(id, out _))
        {
            return await RefuseAsync(context, null, "unknown_deployment", 404, $"No deployment '{id}' in Models:Deployments.");
        }

        var (body, bodyError) = await ReadBodyAsync<StatusChangeBody>(context, ct);
        if (bodyError is not null || string.IsNullOrWhiteSpace(body?.Reason))
        {
            return await RefuseAsync(context, null, "missing_reason", 400, bodyError ?? "Send a JSON body with a 'reason'.");
        }

        DeploymentSuspensionChange change;
        try
        {
            change = action == "suspend"
                ? await suspensions.SuspendAsync(id, Actor(context), body.Reason, ct)
                : await suspensions.ResumeAsync(id, Actor(context), body.Reason, ct);
        }
        catch (GovernanceActionException ex)
        {
            // Suspending a suspended deployment, or resuming a serving one, is a conflict the caller can fix, not a server fault.
            return await RefuseAsync(context, null, ex.Code, ex.Code == GovernanceActionCodes.InvalidTransition ? 409 : 422, ex.Message);
        }
        catch (ArgumentException ex)
        {
            return await RefuseAsync(context, null, "invalid_value", 400, $"The request cannot be recorded: {ex.Message.Split(" (Parameter", 2)[0]}");
        }
        catch (Exception ex) when (StoreRefusals.IsStoreFailure(ex) && !context.RequestAborted.IsCancellationRequested)
        {
            return await StateChangeUnavailableAsync(context, null, loggers, ex);
        }

        await AdminAudit.RecordAsync(
            context, change.Suspended ? "deployment-suspend" : "deployment-resume", null, $"deployment:{id};by:{change.Actor};reason:{change.Reason}", 200);
        return Results.Ok(change);
    }

    private static async Task ReportIncidentAsAppAsync(
        HttpContext context, ApiKeyDirectory keys, IAuditTrail audit, IIncidentReporter incidents, ILoggerFactory loggers, CancellationToken ct)
    {
        if (!keys.TryAuthenticateClient(context.Request.Headers.Authorization, out var app))
        {
            await context.RefuseClient(AuthRoutes.Incidents).WriteAsync(context.Response);
            return;
        }

        IResult result;
        try
        {
            result = await ReportIncidentAsync(context, audit, incidents, loggers, "app:" + app.Id, record => record.Entry.AppId == app.Id, ct);
        }
        catch (Exception ex) when (ex is DbException or AuditUnavailableException or GovernanceStateUnavailableException && !context.RequestAborted.IsCancellationRequested)
        {
            // The admin routes' filter answers a store that cannot be read with 503; an app's route has no such filter,
            // and the exception became a 500 with a stack trace. The cause goes to the log, once, without the trace.
            LogIncidentStoreUnavailable(loggers.CreateLogger(typeof(GovernanceEndpoints)), ex.GetType().Name);
            result = Results.Json(
                new { error = new { message = "The audit or governance store could not be read just now, so the incident was not recorded; retry shortly.", type = AdminJson.ErrorType(StatusCodes.Status503ServiceUnavailable), param = (string?)null, code = "store_unavailable" } },
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable })
        {
            // An outage, as on the admin routes: say when to retry.
            context.Response.Headers.RetryAfter = "1";
        }

        await result.ExecuteAsync(context);
    }

    private static Task<IResult> ReportIncidentAsAdminAsync(
        HttpContext context, IAuditTrail audit, IIncidentReporter incidents, ILoggerFactory loggers, CancellationToken ct) =>
        ReportIncidentAsync(context, audit, incidents, loggers, "admin:" + Actor(context), _ => true, ct);

    private static async Task<IResult> ReportIncidentAsync(
        HttpContext context,
        IAuditTrail audit,
        IIncidentReporter incidents,
        ILoggerFactory loggers,
        string reporter,
        Func<AuditRecord, bool> mayReport,
        CancellationToken ct)
    {
        var (body, bodyError) = await ReadBodyAsync<IncidentBody>(context, ct);
        if (bodyError is not null || body is null || string.IsNullOrWhiteSpace(body.AuditId) || string.IsNullOrWhiteSpace(body.Description))
        {
            return await RefuseAsync(context, null, "invalid_request", 400, bodyError ?? "Send JSON with 'auditId' (the X-XefAI-Audit-Id of the call) and 'description'.");
        }

        var severity = IncidentSeverity.Moderate;
        if (body.Severity is not null && !Severities.TryGetValue(body.Severity, out severity))
        {
            return await RefuseAsync(context, null, "invalid_value", 400, "severity must be low, moderate, high or critical.");
        }

        var record = await audit.GetAsync(body.AuditId, ct);
        if (record is null || record.Entry.UseCaseId is null || !mayReport(record))
        {
            return await RefuseAsync(context, null, "unknown_audit_record", 404, $"No call '{body.AuditId}' this reporter may report on.");
        }

        IncidentReport report;
        try
        {
            report = await incidents.ReportAsync(record.Id, record.Entry.UseCaseId, reporter, body.Description, severity, ct);
        }
        catch (GovernanceActionException ex)
        {
            // The call's use case was removed from configuration since, or its state moved under us.
            return await RefuseAsync(context, record.Entry.UseCaseId, ex.Code, ex.Code == GovernanceActionCodes.UnknownUseCase ? 404 : 409, ex.Message);
        }
        catch (DbException ex)
        {
            LogStateStoreFailed(loggers.CreateLogger(typeof(GovernanceEndpoints)), $"POST {context.Request.Path}", ex.GetType().Name, StoreFailures.IsTimeout(ex));
            return await RefuseAsync(context, record.Entry.UseCaseId, StoreRefusals.GovernanceStateCode, 503, StoreRefusals.IncidentReport(ex));
        }
        await AdminAudit.RecordAsync(
            context,
            "incident-reported",
            record.Entry.UseCaseId,
            $"incident:{report.Incident.Id};call:{record.Id};severity:{severity.ToString().ToLowerInvariant()};by:{reporter}" +
                (report.Suspension is null ? string.Empty : ";use_case_suspended"),
            201,
            record.Entry.TraceId);
        return Results.Json(new { incident = report.Incident, suspension = report.Suspension }, statusCode: 201);
    }

    private static async Task<IResult> RefuseAsync(
        HttpContext context, string? useCaseId, string code, int status, string message, IReadOnlyList<string>? missing = null)
    {
        await AdminAudit.RecordAsync(context, "admin-refused", useCaseId, $"{code};{context.Request.Method} {context.Request.Path}", status);
        return missing is { Count: > 0 }
            ? Results.Json(new { error = new { message, type = AdminJson.ErrorType(status), param = (string?)null, code, missing } }, statusCode: status)
            : Error(status, code, message);
    }

    private static Task<(T? Body, string? Error)> ReadBodyAsync<T>(HttpContext context, CancellationToken ct)
        where T : class => AdminJson.ReadBodyAsync<T>(context, ct);

    private static IResult WithClient(HttpContext context, ApiKeyDirectory keys, Func<ClientApp, IResult> answer) =>
        keys.TryAuthenticateClient(context.Request.Headers.Authorization, out var app)
            ? answer(app)
            : context.RefuseClient(AuthRoutes.UseCases).AsResult();

    private static string Actor(HttpContext context) => (string)context.Items[typeof(AdminEndpoints)]!;

    private static object ToJson(UseCase u) => new
    {
        id = u.Id,
        name = u.Name,
        owner = u.Owner,
        clinicalSponsor = u.ClinicalSponsor,
        intendedUse = u.IntendedUse,
        outOfScopeUse = u.OutOfScopeUse,
        riskTier = (int)u.Tier,
        status = u.Status.ToString().ToLowerInvariant(),
        statusReason = u.StatusReason,
        serving = u.IsServing,
        activationRefusal = u.ActivationRefusal,
        providers = u.Providers,
        promptTemplate = u.PromptTemplate,
        modelCard = new { complete = u.ModelCard?.IsComplete ?? false, missing = u.ModelCard?.MissingAttributes.Count },
        deIdentification = DeIdentificationJson(u),
    };

    /// <summary>
    /// Whether the use case's PHI is de-identified before vendors without a BAA, or it opted out and why: shown with
    /// every use case and in every model card, where a reader of the card expects data handling.
    /// </summary>
    private static object DeIdentificationJson(UseCase u) => u.DeIdentificationOptOut is { } reason
        ? new
        {
            mode = DeIdentificationOutcomes.OptedOut,
            optOutReason = (string?)reason,
            description = "Opted out: PHI is sent as it is to vendors without a business associate agreement. Every audit record of the use case says 'opted-out'.",
        }
        : new
        {
            mode = "de-identified",
            optOutReason = (string?)null,
            description = "PHI is de-identified before it reaches a vendor without a business associate agreement; BAA-covered and in-process deployments get it as it is.",
        };

    private static object ModelCardJson(UseCase u) => new
    {
        useCase = u.Id,
        name = u.Name,
        riskTier = (int)u.Tier,
        complete = u.ModelCard?.IsComplete ?? false,
        deIdentification = DeIdentificationJson(u),
        missingAttributes = u.ModelCard?.MissingAttributes ?? ["(no model card is configured)"],
        attributes = (u.ModelCard?.Attributes ?? []).Select(a => new
        {
            path = a.Path,
            required = a.Required,
            value = a.Attribute?.Value,
            notSupplied = a.Attribute?.NotSupplied,
        }),
    };

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new { error = new { message, type = AdminJson.ErrorType(status), param = (string?)null, code } }, statusCode: status);

    private static readonly Dictionary<string, UseCaseAction> UseCaseActions = new(StringComparer.Ordinal)
    {
        ["approve"] = UseCaseAction.Approve,
        ["activate"] = UseCaseAction.Activate,
        ["suspend"] = UseCaseAction.Suspend,
        ["resume"] = UseCaseAction.Resume,
        ["retire"] = UseCaseAction.Retire,
    };

    // Case-insensitive like the rest of a JSON body's values, but names only: no numbers, no flag lists.
    private static readonly Dictionary<string, IncidentSeverity> Severities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["low"] = IncidentSeverity.Low,
        ["moderate"] = IncidentSeverity.Moderate,
        ["high"] = IncidentSeverity.High,
        ["critical"] = IncidentSeverity.Critical,
    };

    private sealed record StatusChangeBody(string? Reason, string? ClinicalSponsor);

    private sealed record IncidentBody(string? AuditId, string? Description, string? Severity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Route}: the governance state store failed ({ExceptionType}; a timeout: {TimedOut}); answered 503.")]
    private static partial void LogStateStoreFailed(ILogger logger, string route, string exceptionType, bool timedOut);

    [LoggerMessage(Level = LogLevel.Warning, Message = "POST /v1/incidents: the audit or governance store could not be read ({ExceptionType}); answered 503.")]
    private static partial void LogIncidentStoreUnavailable(ILogger logger, string exceptionType);
}
