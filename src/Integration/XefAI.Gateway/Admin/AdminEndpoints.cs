using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Admin;

/// <summary>The governance API: audit query and chain verification, use-case status. Admin key only.</summary>
internal static partial class AdminEndpoints
{
    /// <returns>The admin route group, for other governance endpoints to join.</returns>
    public static RouteGroupBuilder MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin").RequireAdminKey();

        admin.MapGet("/audit", QueryAuditAsync);
        admin.MapGet("/status", StatusAsync);
        admin.MapGet("/audit/verify", VerifyAsync);
        admin.MapPost("/audit/verifications", StartVerificationAsync);
        admin.MapGet("/audit/verifications", (IAuditVerifications verifications) => Results.Ok(new { data = verifications.Recent.Select(ToJson) }));
        admin.MapGet("/audit/verifications/{id}", (string id, IAuditVerifications verifications) =>
            verifications.Get(id) is { } run
                ? Results.Ok(ToJson(run))
                : Results.Json(
                    new { error = new { message = $"No verification '{id}' in this process; runs are kept in the process that ran them.", type = "invalid_request_error", param = "id", code = "not_found" } },
                    statusCode: StatusCodes.Status404NotFound));
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

                // Active yet refused: a tier-4 use case whose activation does not hold for the configuration in force.
                activationRefusal = u.ActivationRefusal,
                providers = u.Providers,
                deIdentificationOptOut = u.DeIdentificationOptOut,
            }),
        }));

        return admin;
    }

    /// <summary>Admin key required; the admin's name is kept for the audit records of what they do.</summary>
    /// <param name="route">Route family the refusals are counted under (<see cref="AuthRoutes"/>).</param>
    public static RouteGroupBuilder RequireAdminKey(this RouteGroupBuilder group, string route = AuthRoutes.Admin)
    {
        var services = ((IEndpointRouteBuilder)group).ServiceProvider;
        var keys = services.GetRequiredService<ApiKeyDirectory>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminEndpoints));
        group.AddEndpointFilter(async (context, next) =>
        {
            if (!keys.TryAuthenticateAdmin(context.HttpContext.Request.Headers.Authorization, out var name))
            {
                // Audited in aggregate, not one record each: a keyless flood must not fill the audit store.
                await context.HttpContext.RefuseAdminAsync(route);
                return Results.Empty;
            }

            context.HttpContext.Items[typeof(AdminEndpoints)] = name;
            try
            {
                var result = await next(context);
                if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable })
                {
                    // A store that failed or timed out (governance state, review queue, audit): transient, so say when to retry.
                    context.HttpContext.Response.Headers.RetryAfter = "1";
                }

                return result;
            }
            catch (Exception ex) when (ex is DbException or AuditUnavailableException or GovernanceStateUnavailableException && !context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                // The store did not answer, or dropped the connection (a database restarted under a pooled connection):
                // a read the admin may retry, not a fault of the gateway's. The cause goes to the log.
                LogStoreUnavailable(logger, ex.GetType().Name, context.HttpContext.Request.Method, context.HttpContext.GetEndpoint()?.DisplayName ?? "admin");
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return Results.Json(
                    new { error = new { message = StoreFailures.IsTimeout(ex) ? "The audit or governance store did not answer in time; retry shortly." : "The audit or governance store could not be read just now; retry shortly.", type = AdminJson.ErrorType(StatusCodes.Status503ServiceUnavailable), param = (string?)null, code = "store_unavailable" } },
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return group;
    }

    /// <summary>
    /// Audit records, newest first, a page at a time: <c>next</c> is the link to the following page (null on
    /// the last). Pages are cut by sequence (an opaque cursor), never by time, so paging finds every record
    /// exactly once however many share a timestamp, while new records arrive at the front.
    /// </summary>
    private static async Task<IResult> QueryAuditAsync(HttpContext context, IAuditTrail audit, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var q = request.Query;
        if (q.Keys.FirstOrDefault(k => !AuditQueryParameters.Contains(k)) is { } unknown)
        {
            // An ignored filter (a typo) would page through records the caller did not ask for.
            return await RefuseAsync(context, $"Unknown parameter '{unknown}': use from, to, useCase, app, patient, decision, limit or cursor.", unknown);
        }

        if (q.FirstOrDefault(p => p.Value.Count > 1) is { Key: { } repeated })
        {
            return await RefuseAsync(context, $"'{repeated}' may be given once.", repeated);
        }

        if (!TryParseTime(q["from"], out var from, out var fromError))
        {
            return await RefuseAsync(context, "from: " + fromError, "from");
        }

        if (!TryParseTime(q["to"], out var to, out var toError))
        {
            return await RefuseAsync(context, "to: " + toError, "to");
        }

        var limit = 100;
        if (q["limit"].Count > 0 && (!int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            return await RefuseAsync(context, "limit must be an integer from 1 to 1000.", "limit");
        }

        long? before = null;
        if (q["cursor"].Count > 0)
        {
            if (!AuditCursor.TryDecode(q["cursor"], out var sequence))
            {
                return await RefuseAsync(context, "cursor is not a cursor this gateway wrote; follow the 'next' link as given.", "cursor");
            }

            before = sequence;
        }

        // One record more than the page holds says whether a next page exists.
        var records = await audit.QueryAsync(
            new AuditQuery(from, to, NullIfEmpty(q["useCase"]), NullIfEmpty(q["app"]), NullIfEmpty(q["patient"]), limit + 1, before, Decision: NullIfEmpty(q["decision"])),
            cancellationToken);
        var page = records.Take(limit).ToList();
        string? next = null;
        if (records.Count > limit)
        {
            var parameters = q.Where(p => p.Key != "cursor").Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString())).ToList();
            parameters.Add(KeyValuePair.Create("cursor", (string?)AuditCursor.Encode(page[^1].Sequence)));
            next = $"{request.PathBase}{request.Path}{QueryString.Create(parameters)}";
        }

        return Results.Ok(new { data = page.Select(ToJson), next });
    }

    private static readonly HashSet<string> AuditQueryParameters = new(StringComparer.Ordinal) { "from", "to", "useCase", "app", "patient", "decision", "limit", "cursor" };

    /// <summary>
    /// Verifies the trail now, on this request: incremental by default (from the last checkpoint a walk proved, so
    /// cheap), or <c>?mode=full</c>. A full walk of a long trail belongs in the background
    /// (<c>POST /admin/audit/verifications</c>); a walk found to be longer than <c>Audit:Verification:MaxInlineRecords</c>
    /// once the store has counted it goes there on its own, and the request answers 202 with the run's link.
    /// </summary>
    private static async Task<IResult> VerifyAsync(
        HttpContext context, IAuditTrail audit, IAuditVerifications verifications, IOptions<AuditOptions> options, CancellationToken ct)
    {
        if (!TryParseMode(context, out var mode, out var refusal))
        {
            return await refusal!;
        }

        var bound = options.Value.Verification.MaxInlineRecords;
        using var tooLong = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sizing = new InlineBound(bound, tooLong);
        try
        {
            var request = new AuditVerificationRequest { Mode = mode, Progress = bound > 0 ? sizing : null };
            return Results.Ok(ToJson(await audit.VerifyAsync(request, tooLong.Token)));
        }
        catch (Exception ex) when (sizing.Exceeded && !ct.IsCancellationRequested && (ex is OperationCanceledException || ex.InnerException is OperationCanceledException))
        {
            // Too long for a request: the same walk goes on in the background (or the one already running is it).
            var started = verifications.TryStart(mode, "admin", out var run);
            if (started)
            {
                await AdminAudit.RecordAsync(context, "audit-verification-started", null, $"mode={ModeText(mode)};run={run.Id};inline_bound={bound}", 202);
            }

            return Results.Accepted($"{context.Request.PathBase}/admin/audit/verifications/{run.Id}", ToJson(run));
        }
    }

    /// <summary>Cancels an inline walk as soon as the store's count shows more records than the bound.</summary>
    private sealed class InlineBound(long bound, CancellationTokenSource walk) : IProgress<AuditVerificationProgress>
    {
        public bool Exceeded { get; private set; }

        public void Report(AuditVerificationProgress value)
        {
            if (!Exceeded && value.ToCheck > bound)
            {
                Exceeded = true;
                walk.Cancel();
            }
        }
    }

    /// <summary>
    /// Starts a verification off the request path, paced to <c>Audit:Verification:MaxBusyShare</c> of a core; 202 with
    /// the run and its link, or 409 with the run already going. Full by default; <c>?mode=incremental</c>.
    /// </summary>
    private static async Task<IResult> StartVerificationAsync(HttpContext context, IAuditVerifications verifications)
    {
        if (!TryParseMode(context, out var mode, out var refusal, AuditVerificationMode.Full))
        {
            return await refusal!;
        }

        if (!verifications.TryStart(mode, "admin", out var run))
        {
            return Results.Json(
                new
                {
                    error = new { message = $"Verification '{run.Id}' is still running; one runs at a time.", type = "invalid_request_error", param = (string?)null, code = "verification_running" },
                    running = ToJson(run),
                },
                statusCode: StatusCodes.Status409Conflict);
        }

        await AdminAudit.RecordAsync(context, "audit-verification-started", null, $"mode={ModeText(mode)};run={run.Id}", 202);
        return Results.Accepted($"{context.Request.PathBase}/admin/audit/verifications/{run.Id}", ToJson(run));
    }

    private static bool TryParseMode(HttpContext context, out AuditVerificationMode mode, out Task<IResult>? refusal, AuditVerificationMode fallback = AuditVerificationMode.Incremental)
    {
        refusal = null;
        mode = fallback;
        var q = context.Request.Query;
        if (q.Keys.FirstOrDefault(k => k != "mode") is { } unknown)
        {
            refusal = RefuseAsync(context, $"Unknown parameter '{unknown}': use mode.", unknown);
            return false;
        }

        switch (q["mode"].Count == 0 ? null : q["mode"].ToString())
        {
            case null:
                return true;
            case "full":
                mode = AuditVerificationMode.Full;
                return true;
            case "incremental":
                mode = AuditVerificationMode.Incremental;
                return true;
            default:
                refusal = RefuseAsync(context, "mode must be 'incremental' or 'full'.", "mode");
                return false;
        }
    }

    private static string ModeText(AuditVerificationMode mode) => mode == AuditVerificationMode.Full ? "full" : "incremental";

    private static Dictionary<string, object?> ToJson(AuditChainVerification v)
    {
        var json = new Dictionary<string, object?> { ["valid"] = v.Valid, ["records"] = v.Records };
        if (!v.Valid)
        {
            json["firstBrokenRecord"] = v.FirstBrokenRecord;
            json["problem"] = v.Problem;
        }

        if (v.Chains is { } chains)
        {
            json["chains"] = chains;
        }

        if (v.Checkpoint is { } checkpoint)
        {
            json["checkpoint"] = checkpoint;
        }

        if (v.ResumedFrom is { } resumed)
        {
            json["resumedFrom"] = resumed;
        }

        if (v.Checked is { } read)
        {
            json["checked"] = read;
        }

        return json;
    }

    private static object ToJson(AuditVerificationRun run) => new
    {
        id = run.Id,
        mode = ModeText(run.Mode),
        trigger = run.Trigger,
        state = run.State.ToString().ToLowerInvariant(),
        startedAt = run.StartedAt,
        finishedAt = run.FinishedAt,
        progress = new
        {
            @checked = run.Progress.Checked,
            toCheck = run.Progress.ToCheck,
            checkpoints = run.Progress.Checkpoints,
            percent = run.Progress.ToCheck == 0 ? (run.State == AuditVerificationState.Running ? 0 : 100) : Math.Min(100, Math.Round(100.0 * run.Progress.Checked / run.Progress.ToCheck, 1)),
        },
        result = run.Result is { } result ? ToJson(result) : null,
        error = run.Error,
    };

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
        deIdentification = r.Entry.DeIdentification,
        redactions = r.Entry.Redactions,
        relatesTo = r.Entry.RelatesTo,
        feedback = r.Entry.Feedback,
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

    /// <summary>A date (midnight UTC) or a date-time with a time zone, within the range the trail can search.</summary>
    private static bool TryParseTime(string? value, out DateTimeOffset? time, out string error)
    {
        time = null;
        error = string.Empty;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        // The FHIR parser's strict ISO-8601 forms; only a whole day or finer is a point in time here.
        if (value.Length < 10)
        {
            error = $"'{value}' is not a date (2026-11-22) or a date-time with a time zone (2026-11-22T00:00:00Z).";
            return false;
        }

        if (!Fhir.FhirDateSearch.TryParsePeriod(value, out var start, out _, out error))
        {
            return false;
        }

        time = start;
        return true;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static async Task<IResult> RefuseAsync(HttpContext context, string message, string param)
    {
        await AdminAudit.RecordAsync(context, "admin-refused", null, $"invalid_value;{context.Request.Method} {context.Request.Path}", 400);
        return Results.Json(
            new { error = new { message, type = "invalid_request_error", param, code = "invalid_value" } },
            statusCode: StatusCodes.Status400BadRequest);
    }

    /// <summary>
    /// Adoption per use case over the last <c>days</c> (1–366, default 30): accept, edit and override rates from card
    /// feedback and review decisions, and override reasons by code.
    /// </summary>
    /// <summary>
    /// One document for a dashboard or a governance report: for every configured use case and deployment, the last
    /// 15 minutes of this process (traffic, error rate, p95 latency, spend), the circuit of each vendor destination,
    /// the review queue, and clinicians' adoption over <c>days</c> (30) from the audit trail.
    /// </summary>
    private static async Task<IResult> StatusAsync(
        HttpContext context,
        IAuditTrail audit,
        TimeProvider time,
        IUseCaseRegistry useCases,
        GatewaySnapshots snapshots,
        CallStatistics statistics,
        DriftMonitor drift,
        IReviewQueue reviews,
        IProxyStateLookup proxyState,
        VendorDestinations destinations,
        CancellationToken ct)
    {
        var days = 30;
        if (context.Request.Query.TryGetValue("days", out var value)
            && (value.Count != 1 || !int.TryParse(value[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out days) || days is < 1 or > 366))
        {
            return Results.Json(
                new { error = new { message = "days must be a whole number from 1 to 366.", type = "invalid_request_error", param = "days", code = "invalid_value" } },
                statusCode: StatusCodes.Status400BadRequest);
        }

        var to = time.GetUtcNow();
        var adoption = await AdoptionReport.BuildAsync(audit, to.AddDays(-days), to, ct);
        var pending = (await reviews.ListAsync(ReviewStatus.Pending, MaxPendingReviewsRead, ct))
            .GroupBy(r => r.UseCaseId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Count: g.Count(), Oldest: g.Min(r => r.CreatedAt)), StringComparer.Ordinal);
        var models = snapshots.Current.Models;
        return Results.Ok(new
        {
            generatedAt = to,
            window = adoption.Window,
            scannedRecords = adoption.ScannedRecords,
            truncated = adoption.Truncated,
            adoption = adoption.Adoption,
            live = new { windowMinutes = CallStatistics.WindowMinutes, scope = "this process", latencySamples = CallStatistics.LatencySamples },
            useCases = useCases.All.OrderBy(u => u.Id, StringComparer.Ordinal).Select(u =>
            {
                var live = statistics.ForUseCase(u.Id);
                var waiting = pending.GetValueOrDefault(u.Id);
                return new
                {
                    id = u.Id,
                    riskTier = (int)u.Tier,
                    status = u.Status.ToString().ToLowerInvariant(),
                    deployments = u.Providers,
                    calls = live.Calls,
                    callsPerMinute = live.CallsPerMinute,
                    failed = live.Failed,
                    errorRate = live.ErrorRate,
                    p95LatencyMs = live.P95Ms,
                    spendUsd = live.SpendUsd,
                    pendingReviews = waiting.Count,
                    oldestPendingReviewAgeSeconds = waiting.Count == 0 ? (double?)null : Math.Round((to - waiting.Oldest).TotalSeconds, 1),
                    drift = drift.PsiOf(u.Id),
                };
            }),
            deployments = models.All.OrderBy(d => d.Id, StringComparer.Ordinal).Select(d =>
            {
                var live = statistics.ForDeployment(d.Id);
                return new
                {
                    id = d.Id,
                    kind = d.Kind,
                    model = d.VendorModel,
                    lifecycle = d.Lifecycle.ToString().ToLowerInvariant(),
                    calls = live.Calls,
                    callsPerMinute = live.CallsPerMinute,
                    failed = live.Failed,
                    errorRate = live.ErrorRate,
                    p95LatencyMs = live.P95Ms,
                    spendUsd = live.SpendUsd,
                    destinations = Destinations(d, proxyState, destinations),
                };
            }),
        });
    }

    private const int MaxPendingReviewsRead = 10_000;

    /// <summary>The destinations of a deployment's cluster with their circuit: closed, half-open or open.</summary>
    private static List<object> Destinations(ModelDeployment deployment, IProxyStateLookup proxyState, VendorDestinations destinations)
    {
        var list = new List<object>();
        if (deployment.Cluster is null || !proxyState.TryGetCluster(deployment.Cluster, out var cluster))
        {
            return list;
        }

        foreach (var destination in cluster.Destinations.Values.OrderBy(d => d.DestinationId, StringComparer.Ordinal))
        {
            list.Add(new
            {
                name = VendorDestinations.NameOf(cluster, destination),
                circuit = destinations.CircuitStateOf(cluster, destination) switch
                {
                    CircuitStates.Open => "open",
                    CircuitStates.HalfOpen => "half-open",
                    _ => "closed",
                },
            });
        }

        return list;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An admin read ({Method} {Endpoint}) found the audit or governance store unavailable ({ExceptionType}); answered 503.")]
    private static partial void LogStoreUnavailable(ILogger logger, string exceptionType, string method, string endpoint);
}
