using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using XefAI.Data;
using XefAI.Gateway.Admin;
using XefAI.Gateway.Configuration;
using XefAI.Governance;

namespace XefAI.Gateway.Fhir;

/// <summary>
/// The audit trail as FHIR: each record as an AuditEvent (IHE BALP style), each AI answer as a Provenance
/// (AI Transparency on FHIR style). Admin key only; patients appear only as pseudonyms.
/// </summary>
internal static class FhirEndpoints
{
    private const string FhirJson = "application/fhir+json";
    private const string GatewayName = "XefAI Gateway";

    private static readonly HashSet<string> SearchParameters = new(StringComparer.Ordinal) { "date", "patient", "_count", "_cursor", "_format" };

    /// <summary>What <c>GET /fhir/metadata</c> answers: an R4 CapabilityStatement of this gateway's FHIR routes.</summary>
    private static readonly object CapabilityStatement = new
    {
        resourceType = "CapabilityStatement",
        status = "active",
        date = "2026-12-07",
        publisher = GatewayName,
        kind = "instance",
        software = new { name = GatewayName },
        implementation = new { description = "The audit trail as FHIR: AuditEvent read and search, the Provenance of AI answers read (admin key)" },
        fhirVersion = "4.0.1",
        format = new[] { "json" },
        rest = new[]
        {
            new
            {
                mode = "server",
                resource = new object[]
                {
                    new
                    {
                        type = "AuditEvent",
                        interaction = new[] { new { code = "read" }, new { code = "search-type" } },
                        searchParam = new[]
                        {
                            new { name = "date", type = "date", documentation = "The record's time, with the prefixes eq, lt, le, gt, ge, sa and eb" },
                            new { name = "patient", type = "reference", documentation = "A patient reference (pseudonymized before the search) or a pseudonym (pp-…)" },
                        },
                    },
                    new { type = "Provenance", interaction = new[] { new { code = "read" } } },
                },
            },
        },
    };

    public static void MapFhirEndpoints(this RouteGroupBuilder fhir)
    {
        // A client that accepts no JSON (Accept: application/fhir+xml alone) is told so, as FHIR's RESTful API says, rather
        // than sent JSON it did not ask for.
        fhir.AddEndpointFilter(async (invocation, next) => AcceptsJson(invocation.HttpContext.Request)
            ? await next(invocation)
            : await RefuseAsync(invocation.HttpContext, "not-supported", "Only JSON is served: Accept must allow application/fhir+json.", StatusCodes.Status406NotAcceptable));

        fhir.MapGet("/AuditEvent", SearchAuditEventsAsync);
        fhir.MapGet("/AuditEvent/{id}", async (string id, IAuditTrail audit, IFhirAuditExporter exporter, CancellationToken ct) =>
            await audit.GetAsync(FhirAuditIds.ToAuditId(id), ct) is { } record
                ? Results.Text(exporter.ToAuditEventJson(ToAuditEventFacts(record)), FhirJson)
                : NotFound($"AuditEvent/{id}"));
        fhir.MapGet("/Provenance/{id}", ReadProvenanceAsync);

        // FHIR clients ask a server what it does before anything else (HAPI's generic client does by default, and
        // fails without an answer); the statement says what the routes above serve.
        fhir.MapGet("/metadata", (Delegate)ReadCapabilityStatementAsync);

        // Anything else under /fhir (a Provenance search, another resource type) answers in FHIR's error shape.
        fhir.Map("/{**path}", (Delegate)((HttpContext context) => RefuseAsync(
            context, "not-supported", $"{context.Request.Method} {context.Request.Path} is not supported: AuditEvent can be read and searched, Provenance read; GET /fhir/metadata says so.", 404)));
    }

    /// <summary>
    /// Whether the request's <c>Accept</c> allows JSON: none given, <c>*/*</c>, <c>application/*</c>, or a JSON type (FHIR's
    /// own, plain JSON, any <c>+json</c>) not refused with <c>q=0</c>. A header that does not parse is left to the route.
    /// </summary>
    internal static bool AcceptsJson(HttpRequest request)
    {
        var accept = request.Headers.Accept;
        if (accept.Count == 0 || !MediaTypeHeaderValue.TryParseList(accept, out var types) || types.Count == 0)
        {
            return true;
        }

        foreach (var type in types)
        {
            if (type.Quality == 0)
            {
                continue;
            }

            var media = type.MediaType;
            if (media.Equals("*/*", StringComparison.OrdinalIgnoreCase)
                || media.Equals("application/*", StringComparison.OrdinalIgnoreCase)
                || media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<IResult> ReadCapabilityStatementAsync(HttpContext context) =>
        context.Request.Query["_format"] is { Count: > 0 } format && !format.All(IsJsonFormat)
            ? await RefuseAsync(context, "not-supported", "Only JSON is served: _format must be json or application/fhir+json.")
            : Results.Json(CapabilityStatement, contentType: FhirJson);

    private static async Task<IResult> SearchAuditEventsAsync(
        HttpContext context, IAuditTrail audit, IFhirAuditExporter exporter, IPatientPseudonymizer pseudonymizer, IOptions<GatewayOptions> options, CancellationToken ct)
    {
        var request = context.Request;
        if (request.Query.Keys.FirstOrDefault(k => !SearchParameters.Contains(k)) is { } unknown)
        {
            // Strict handling: an ignored filter (a typo, a modifier) would return records the caller did not ask for.
            return await RefuseAsync(context, "not-supported", $"The search parameter '{unknown}' is not supported; use date, patient, _count or _cursor.");
        }

        if (request.Query["_format"] is { Count: > 0 } format && !format.All(IsJsonFormat))
        {
            return await RefuseAsync(context, "not-supported", "Only JSON is served: _format must be json or application/fhir+json.");
        }

        DateTimeOffset? from = null;
        DateTimeOffset? to = null;
        foreach (var value in request.Query["date"])
        {
            var date = FhirDateSearch.Apply(value, from, to);
            if (date.Error is not null)
            {
                return await RefuseAsync(context, date.NotSupported ? "not-supported" : "invalid", date.Error);
            }

            (from, to) = (date.From, date.To);
        }

        string? pseudonym = null;
        var patients = request.Query["patient"];
        if (patients.Count > 1 || (patients.Count == 1 && string.IsNullOrWhiteSpace(patients[0])))
        {
            return await RefuseAsync(context, "invalid", "patient must be given once, as a reference (Patient/123) or a pseudonym (pp-…).");
        }

        if (patients.Count == 1)
        {
            // A real reference is accepted and pseudonymized here; only the pseudonym is ever stored or returned.
            var patient = patients[0]!;
            pseudonym = patient.StartsWith("pp-", StringComparison.Ordinal) ? patient : pseudonymizer.Pseudonymize(patient);
        }

        var count = 100;
        if (request.Query["_count"] is { Count: > 0 } counts
            && (counts.Count > 1 || !int.TryParse(counts[0], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > 1000))
        {
            return await RefuseAsync(context, "invalid", "_count must be given once, as an integer from 1 to 1000.");
        }

        long? before = null;
        if (request.Query["_cursor"] is { Count: > 0 } cursors)
        {
            if (cursors.Count > 1 || !AuditCursor.TryDecode(cursors[0], out var sequence))
            {
                return await RefuseAsync(context, "invalid", "_cursor is not a cursor this gateway wrote; follow the bundle's next link as given.");
            }

            before = sequence;
        }

        // One record more than the page holds says whether a next page exists.
        var records = await audit.QueryAsync(new AuditQuery(from, to, PatientPseudonym: pseudonym, Limit: count + 1, BeforeSequence: before), ct);
        var page = records.Take(count).ToList();

        // The links echo the search, so they name the patient by pseudonym too, never by the reference given.
        var parameters = request.Query
            .Where(p => p.Key is not ("patient" or "_cursor"))
            .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v)))
            .ToList();
        if (pseudonym is not null)
        {
            parameters.Add(KeyValuePair.Create("patient", (string?)pseudonym));
        }

        // The route's own path, not the request's: routing matches any case and a trailing slash, the links must not.
        // Behind a proxy the configured address, so a Host header the caller chose cannot send a client that follows
        // next (with its admin key) elsewhere.
        var baseUrl = (options.Value.PublicBaseUrl is { Length: > 0 } publicBase
            ? publicBase.TrimEnd('/')
            : $"{request.Scheme}://{request.Host}{request.PathBase}") + "/fhir/AuditEvent";
        var self = baseUrl + QueryString.Create(before is null ? parameters : [.. parameters, KeyValuePair.Create("_cursor", (string?)AuditCursor.Encode(before.Value))]);
        var next = records.Count > count
            ? baseUrl + QueryString.Create([.. parameters, KeyValuePair.Create("_cursor", (string?)AuditCursor.Encode(page[^1].Sequence))])
            : null;
        return Results.Text(
            exporter.ToAuditEventSearchSetJson(page.Select(ToAuditEventFacts).ToList(), self, next, complete: before is null && next is null),
            FhirJson);
    }

    private static async Task<IResult> ReadProvenanceAsync(
        string id, IAuditTrail audit, IReviewQueue reviews, IFhirAuditExporter exporter, IUseCaseRegistry useCases, CancellationToken ct)
    {
        var record = await audit.GetAsync(FhirAuditIds.ToAuditId(id), ct);
        if (record is null || record.Entry.Deployment is null || record.Entry.Decision is not ("answered" or "held" or "streaming"))
        {
            return NotFound($"Provenance/{id}");
        }

        var entry = record.Entry;
        // By the record's own id: the path may hold the resource id (aud-…), which the review queue does not know.
        var review = await reviews.FindByAuditIdAsync(record.Id, ct);
        var verified = review is { Status: ReviewStatus.Approved or ReviewStatus.Edited };
        useCases.TryGet(entry.UseCaseId ?? string.Empty, out var useCase);
        var facts = new ProvenanceFacts(
            record.Id,
            entry.Timestamp,
            entry.PatientPseudonym,
            entry.UseCaseId ?? "unknown",
            useCase?.Name,
            entry.Deployment,
            entry.Model ?? "unknown",
            null,
            entry.Provider ?? "unknown",
            entry.OutputSha256,
            verified ? review!.Reviewer : null,
            verified ? review!.DecidedAt : null,
            entry.InputSha256);
        return Results.Text(exporter.ToProvenanceJson(facts), FhirJson);
    }

    private static bool IsJsonFormat(string? format) => format is "json" or "application/json" or "application/fhir+json";

    private static AuditEventFacts ToAuditEventFacts(AuditRecord record)
    {
        var e = record.Entry;
        return new AuditEventFacts(
            record.Id,
            e.Timestamp,
            e.TraceId,
            e.Decision,
            e.StatusCode,
            e.Reasons,
            e.AppId,
            e.UserId,
            e.PatientPseudonym,
            e.UseCaseId,
            e.RiskTier,
            e.Provider,
            e.Deployment,
            e.Model,
            null,
            e.InputSha256,
            e.OutputSha256,
            GatewayName)
        {
            DeIdentification = e.DeIdentification,
            Redactions = e.Redactions,
        };
    }

    private static IResult NotFound(string what) => OperationOutcome(404, "not-found", $"{what} is not known.");

    /// <summary>
    /// A refused FHIR request, audited like every refusal of the admin API. The record names the resource
    /// type only: the query, or the rest of a path, may name a patient.
    /// </summary>
    private static async Task<IResult> RefuseAsync(HttpContext context, string code, string message, int status = 400)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        var resource = string.Join('/', path.Split('/', 4).Take(3));
        await AdminAudit.RecordAsync(
            context, "admin-refused", null, $"fhir_{code.Replace('-', '_')};{context.Request.Method} {resource}", status);
        return OperationOutcome(status, code, message);
    }

    private static IResult OperationOutcome(int status, string code, string message) => Results.Json(
        new { resourceType = "OperationOutcome", issue = new[] { new { severity = "error", code, diagnostics = message } } },
        statusCode: status,
        contentType: FhirJson);
}
