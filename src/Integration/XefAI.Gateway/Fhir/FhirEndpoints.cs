using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using XefAI.Data;
using XefAI.Gateway.Admin;
using XefAI.Gateway.Clinical;
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

    /// <summary>Stands for "the total the exporter gave": <c>_total</c> was not asked, only <c>_elements</c>.</summary>
    private const long TotalAsGiven = -1;

    private static readonly HashSet<string> SearchParameters =
        new(StringComparer.Ordinal) { "date", "patient", "_count", "_cursor", "_format", "_sort", "_total", "_summary", "_elements" };

    /// <summary>AuditEvent's top-level elements in R4, the names <c>_elements</c> may give.</summary>
    private static readonly HashSet<string> AuditEventElements = new(StringComparer.Ordinal)
    {
        "id", "meta", "implicitRules", "language", "text", "contained", "extension", "modifierExtension", "type", "subtype",
        "action", "period", "recorded", "outcome", "outcomeDesc", "purposeOfEvent", "agent", "source", "entity",
    };

    /// <summary>Kept whatever <c>_elements</c> asks: what the resource is, and AuditEvent's mandatory elements (type, recorded, agent, source).</summary>
    private static readonly string[] AlwaysReturnedElements = ["resourceType", "id", "meta", "type", "recorded", "agent", "source"];

    /// <summary>A search form is a few short parameters; anything larger is refused before it is read whole.</summary>
    private static readonly FormOptions SearchForm = new() { ValueCountLimit = 64, KeyLengthLimit = 256, ValueLengthLimit = 8192 };

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
                        interaction = new object[]
                        {
                            new { code = "read" },
                            new
                            {
                                code = "search-type",
                                documentation = "GET [base]/AuditEvent or POST [base]/AuditEvent/_search (form); _count, _sort=date|-date, _total=none|estimate|accurate, _summary=count|false, _elements",
                            },
                        },
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
        fhir.MapPost("/AuditEvent/_search", PostSearchAuditEventsAsync);
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

    private static Task<IResult> SearchAuditEventsAsync(
        HttpContext context, IAuditTrail audit, IFhirAuditExporter exporter, IPatientPseudonymizer pseudonymizer, IOptions<GatewayOptions> options, CancellationToken ct) =>
        SearchAsync(context, ToParameters(context.Request.Query, null), audit, exporter, pseudonymizer, options.Value, ct);

    /// <summary>
    /// <c>POST [base]/AuditEvent/_search</c>: FHIR's search by form, for clients that keep parameters out of URLs. The
    /// body's parameters and the URL's are one search, answered as the GET of them is; its links are GET links.
    /// </summary>
    private static async Task<IResult> PostSearchAuditEventsAsync(
        HttpContext context, IAuditTrail audit, IFhirAuditExporter exporter, IPatientPseudonymizer pseudonymizer, IOptions<GatewayOptions> options, CancellationToken ct)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return await RefuseAsync(
                context, "not-supported", "POST _search takes its parameters as application/x-www-form-urlencoded.", StatusCodes.Status415UnsupportedMediaType);
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(SearchForm, ct);
        }
        catch (InvalidDataException)
        {
            return await RefuseAsync(context, "too-costly", $"The search form holds more than {SearchForm.ValueCountLimit} parameters or a value over {SearchForm.ValueLengthLimit} characters.");
        }

        return await SearchAsync(context, ToParameters(request.Query, form), audit, exporter, pseudonymizer, options.Value, ct);
    }

    /// <summary>A search's parameters by exact name, the URL's and a form's together (FHIR allows both in one search).</summary>
    private static Dictionary<string, StringValues> ToParameters(IQueryCollection query, IFormCollection? form)
    {
        var parameters = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            parameters[key] = values;
        }

        foreach (var (key, values) in form ?? FormCollection.Empty)
        {
            parameters[key] = parameters.TryGetValue(key, out var fromUrl) ? StringValues.Concat(fromUrl, values) : values;
        }

        return parameters;
    }

    private static async Task<IResult> SearchAsync(
        HttpContext context,
        Dictionary<string, StringValues> query,
        IAuditTrail audit,
        IFhirAuditExporter exporter,
        IPatientPseudonymizer pseudonymizer,
        GatewayOptions options,
        CancellationToken ct)
    {
        var request = context.Request;
        StringValues Get(string name) => query.TryGetValue(name, out var values) ? values : StringValues.Empty;
        if (query.Keys.FirstOrDefault(k => !SearchParameters.Contains(k)) is { } unknown)
        {
            // Strict handling: an ignored filter (a typo, a modifier) would return records the caller did not ask for.
            return await RefuseAsync(
                context,
                "not-supported",
                $"The search parameter {ClinicalTaskRequestReader.Quoted(unknown)} is not supported; use date, patient, _count, _cursor, _sort, _total, _summary or _elements.");
        }

        if (Get("_format") is { Count: > 0 } format && !format.All(IsJsonFormat))
        {
            return await RefuseAsync(context, "not-supported", "Only JSON is served: _format must be json or application/fhir+json.");
        }

        DateTimeOffset? from = null;
        DateTimeOffset? to = null;
        foreach (var value in Get("date"))
        {
            var date = FhirDateSearch.Apply(value, from, to);
            if (date.Error is not null)
            {
                return await RefuseAsync(context, date.NotSupported ? "not-supported" : "invalid", date.Error);
            }

            (from, to) = (date.From, date.To);
        }

        string? pseudonym = null;
        var patients = Get("patient");
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
        if (Get("_count") is { Count: > 0 } counts
            && (counts.Count > 1 || !int.TryParse(counts[0], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > 1000))
        {
            return await RefuseAsync(context, "invalid", "_count must be given once, as an integer from 1 to 1000.");
        }

        // The store reads its records in sequence order, either way, by its primary key: date and -date cost the same.
        var ascending = false;
        if (Get("_sort") is { Count: > 0 } sorts)
        {
            if (sorts.Count > 1 || sorts[0] is not ("date" or "-date"))
            {
                return await RefuseAsync(
                    context, "not-supported", $"_sort {QuotedValue(sorts)} is not supported: the audit trail sorts by date only, date (oldest first) or -date (newest first).");
            }

            ascending = sorts[0] == "date";
        }

        var total = Get("_total") is { Count: > 0 } totals ? totals : StringValues.Empty;
        if (total.Count > 1 || (total.Count == 1 && total[0] is not ("none" or "estimate" or "accurate")))
        {
            return await RefuseAsync(context, "invalid", $"_total {QuotedValue(total)} is not one of none, estimate or accurate.");
        }

        var summaryCount = false;
        if (Get("_summary") is { Count: > 0 } summaries)
        {
            if (summaries.Count > 1 || summaries[0] is not ("count" or "false"))
            {
                return await RefuseAsync(
                    context, "not-supported", $"_summary {QuotedValue(summaries)} is not supported: count (the total alone) or false (whole resources).");
            }

            summaryCount = summaries[0] == "count";
        }

        HashSet<string>? elements = null;
        if (Get("_elements") is { Count: > 0 } elementLists)
        {
            elements = new HashSet<string>(AlwaysReturnedElements, StringComparer.Ordinal);
            foreach (var element in elementLists.SelectMany(l => (l ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
            {
                if (!AuditEventElements.Contains(element))
                {
                    return await RefuseAsync(context, "invalid", $"_elements names {ClinicalTaskRequestReader.Quoted(element)}, which is not an element of AuditEvent.");
                }

                elements.Add(element);
            }
        }

        long? cursor = null;
        if (Get("_cursor") is { Count: > 0 } cursors)
        {
            if (cursors.Count > 1 || !AuditCursor.TryDecode(cursors[0], out var sequence))
            {
                return await RefuseAsync(context, "invalid", "_cursor is not a cursor this gateway wrote; follow the bundle's next link as given.");
            }

            cursor = sequence;
        }

        // The links echo the search, so they name the patient by pseudonym too, never by the reference given.
        var parameters = query
            .Where(p => p.Key is not ("patient" or "_cursor"))
            .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v)))
            .ToList();
        if (pseudonym is not null)
        {
            parameters.Add(KeyValuePair.Create("patient", (string?)pseudonym));
        }

        // The route's own path, not the request's: routing matches any case and a trailing slash, the links must not.
        // Behind a proxy the configured address, so a Host header the caller chose cannot send a client that follows
        // next (with its admin key) elsewhere. A POST search's links are GET links to the same search.
        var baseUrl = (options.PublicBaseUrl is { Length: > 0 } publicBase
            ? publicBase.TrimEnd('/')
            : $"{request.Scheme}://{request.Host}{request.PathBase}") + "/fhir/AuditEvent";
        var self = baseUrl + QueryString.Create(cursor is null ? parameters : [.. parameters, KeyValuePair.Create("_cursor", (string?)AuditCursor.Encode(cursor.Value))]);
        var filters = new AuditQuery(from, to, PatientPseudonym: pseudonym);
        if (summaryCount)
        {
            // FHIR's count-only search: the matches' total and no entries.
            var matches = await audit.CountAsync(filters, ct);
            return Results.Text(WithTotal(exporter.ToAuditEventSearchSetJson([], self), matches), FhirJson);
        }

        // One record more than the page holds says whether a next page exists.
        var records = await audit.QueryAsync(
            filters with
            {
                Limit = count + 1,
                Ascending = ascending,
                BeforeSequence = ascending ? null : cursor,
                AfterSequence = ascending ? cursor : null,
            },
            ct);
        var page = records.Take(count).ToList();
        var next = records.Count > count
            ? baseUrl + QueryString.Create([.. parameters, KeyValuePair.Create("_cursor", (string?)AuditCursor.Encode(page[^1].Sequence))])
            : null;
        var json = exporter.ToAuditEventSearchSetJson(page.Select(ToAuditEventFacts).ToList(), self, next, complete: cursor is null && next is null);
        if (total.Count == 1 || elements is not null)
        {
            long? matched = total.Count == 0 ? TotalAsGiven : total[0] == "none" ? null : await audit.CountAsync(filters, ct);
            json = Shaped(json, matched, elements);
        }

        return Results.Text(json, FhirJson);
    }

    /// <summary>A search-set with its total as asked (null: none) and, for <c>_elements</c>, each AuditEvent cut to those elements.</summary>
    private static string Shaped(string searchSet, long? total, HashSet<string>? elements)
    {
        var bundle = JsonNode.Parse(searchSet)!.AsObject();
        if (total != TotalAsGiven)
        {
            SetTotal(bundle, total);
        }

        if (elements is not null)
        {
            foreach (var entry in bundle["entry"]?.AsArray() ?? [])
            {
                if (entry?["resource"] is JsonObject resource)
                {
                    Subset(resource, elements);
                }
            }
        }

        return bundle.ToJsonString();
    }

    private static string WithTotal(string searchSet, long total)
    {
        var bundle = JsonNode.Parse(searchSet)!.AsObject();
        SetTotal(bundle, total);
        return bundle.ToJsonString();
    }

    /// <summary>Bundle.total in its place, after type, as Firely writes it.</summary>
    private static void SetTotal(JsonObject bundle, long? total)
    {
        bundle.Remove("total");
        if (total is { } value)
        {
            var at = bundle.IndexOf("type");
            bundle.Insert(at < 0 ? bundle.Count : at + 1, "total", value);
        }
    }

    /// <summary>
    /// FHIR's <c>_elements</c>: only the elements asked for, with the resource's identity and AuditEvent's mandatory
    /// elements kept as the specification asks, and the SUBSETTED tag, so that no one takes the part for the record.
    /// </summary>
    private static void Subset(JsonObject resource, HashSet<string> elements)
    {
        foreach (var name in resource.Select(p => p.Key).Where(name => !elements.Contains(name)).ToList())
        {
            resource.Remove(name);
        }

        if (resource["meta"] is not JsonObject meta)
        {
            meta = new JsonObject();
            var at = resource.IndexOf("id");
            resource.Insert(at < 0 ? 1 : at + 1, "meta", meta);
        }

        if (meta["tag"] is not JsonArray tags)
        {
            tags = new JsonArray();
            meta["tag"] = tags;
        }

        tags.Add(new JsonObject
        {
            ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
            ["code"] = "SUBSETTED",
            ["display"] = "subsetted",
        });
    }

    /// <summary>A parameter's value in a message, when it is plainly names (comma-separated, each with an optional '-', as _sort has).</summary>
    private static string QuotedValue(StringValues values)
    {
        if (values.Count > 1)
        {
            return "(given more than once)";
        }

        var value = values[0] ?? string.Empty;
        var plain = value.Length > 0 && value.Split(',').All(part =>
        {
            var bare = part.StartsWith('-') ? part[1..] : part;
            return bare.Length > 0 && ClinicalTaskRequestReader.Echo(bare) == bare;
        });
        return plain ? $"'{value}'" : "(unprintable)";
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
