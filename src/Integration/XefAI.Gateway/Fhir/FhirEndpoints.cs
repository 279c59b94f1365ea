using System.Globalization;
using XefAI.Data;
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

    public static void MapFhirEndpoints(this RouteGroupBuilder fhir)
    {
        fhir.MapGet("/AuditEvent", SearchAuditEventsAsync);
        fhir.MapGet("/AuditEvent/{id}", async (string id, IAuditTrail audit, IFhirAuditExporter exporter, CancellationToken ct) =>
            await audit.GetAsync(FhirAuditIds.ToAuditId(id), ct) is { } record
                ? Results.Text(exporter.ToAuditEventJson(ToAuditEventFacts(record)), FhirJson)
                : NotFound($"AuditEvent/{id}"));
        fhir.MapGet("/Provenance/{id}", ReadProvenanceAsync);
    }

    private static async Task<IResult> SearchAuditEventsAsync(
        HttpRequest request, IAuditTrail audit, IFhirAuditExporter exporter, IPatientPseudonymizer pseudonymizer, CancellationToken ct)
    {
        DateTimeOffset? from = null;
        DateTimeOffset? to = null;
        foreach (var value in request.Query["date"])
        {
            if (!TryParseDate(value, ref from, ref to))
            {
                return Invalid($"date '{value}' is not a FHIR date search value (e.g. ge2026-11-01, lt2026-11-22T12:00:00Z, 2026-11-22).");
            }
        }

        string? pseudonym = null;
        if (request.Query["patient"].FirstOrDefault() is { Length: > 0 } patient)
        {
            // A real reference is accepted and pseudonymized here; only the pseudonym is ever stored or returned.
            pseudonym = patient.StartsWith("pp-", StringComparison.Ordinal) ? patient : pseudonymizer.Pseudonymize(patient);
        }

        var count = 100;
        if (request.Query["_count"].FirstOrDefault() is { } countText
            && (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > 1000))
        {
            return Invalid("_count must be an integer from 1 to 1000.");
        }

        var records = await audit.QueryAsync(new AuditQuery(from, to, PatientPseudonym: pseudonym, Limit: count), ct);
        // The self link echoes the search, so it names the patient by pseudonym too, never by the reference given.
        var query = pseudonym is null
            ? request.QueryString
            : QueryString.Create(request.Query
                .Where(p => p.Key != "patient")
                .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v)))
                .Append(KeyValuePair.Create("patient", (string?)pseudonym)));
        var self = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{query}";
        return Results.Text(exporter.ToAuditEventSearchSetJson(records.Select(ToAuditEventFacts).ToList(), self), FhirJson);
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
            GatewayName);
    }

    /// <summary>FHIR date search: a prefix (eq, ge, gt, le, lt) and a date or date-time; a bare date means that whole day.</summary>
    private static bool TryParseDate(string? value, ref DateTimeOffset? from, ref DateTimeOffset? to)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var prefix = value.Length > 2 && char.IsLetter(value[0]) ? value[..2] : "eq";
        var text = prefix == "eq" && !char.IsLetter(value[0]) ? value : value[2..];
        var dateOnly = text.Length == 10;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return false;
        }

        var end = dateOnly ? instant.AddDays(1) : instant.AddTicks(1);
        switch (prefix)
        {
            case "eq":
                from = instant;
                to = end;
                return true;
            case "ge":
                from = instant;
                return true;
            case "gt":
                from = end;
                return true;
            case "lt":
                to = instant;
                return true;
            case "le":
                to = end;
                return true;
            default:
                return false;
        }
    }

    private static IResult NotFound(string what) => OperationOutcome(404, "not-found", $"{what} is not known.");

    private static IResult Invalid(string message) => OperationOutcome(400, "invalid", message);

    private static IResult OperationOutcome(int status, string code, string message) => Results.Json(
        new { resourceType = "OperationOutcome", issue = new[] { new { severity = "error", code, diagnostics = message } } },
        statusCode: status,
        contentType: FhirJson);
}
