namespace XefAI.Data;

/// <summary>
/// One audit record as the FHIR export sees it. The host maps the audit trail's records to this, so the
/// data layer never references governance.
/// </summary>
/// <param name="AuditId">The audit record id, e.g. <c>aud_01JF…</c>; the AuditEvent's id is derived from it (see <see cref="FhirAuditIds"/>).</param>
/// <param name="TraceId">The call's trace id, as sent back in <c>X-XefAI-Trace-Id</c>.</param>
/// <param name="Decision">
/// <c>answered</c>, <c>denied</c>, <c>failed</c>, <c>streaming</c> (the opening record of a stream) or <c>held</c> (answer held for review).
/// </param>
/// <param name="StatusCode">HTTP status the gateway answered with.</param>
/// <param name="Reasons">Bounded reason codes, comma separated, as the audit trail holds them.</param>
/// <param name="AppId">The client app's id; null when the caller was not authenticated.</param>
/// <param name="UserId">The end user on whose behalf the app called, when known.</param>
/// <param name="PatientPseudonym">The pseudonym from <see cref="IPatientPseudonymizer"/>; anything else is refused, so a patient identifier never leaves.</param>
/// <param name="Provider">Provider kind, e.g. <c>openai</c>, <c>anthropic</c>, <c>local</c>.</param>
/// <param name="InputSha256">SHA-256 (hex) of the request body as received.</param>
/// <param name="OutputSha256">SHA-256 (hex) of the response body as sent.</param>
/// <param name="GatewayName">How the gateway names itself as the AuditEvent's observer.</param>
public sealed record AuditEventFacts(
    string AuditId,
    DateTimeOffset Recorded,
    string TraceId,
    string Decision,
    int StatusCode,
    string? Reasons,
    string? AppId,
    string? UserId,
    string? PatientPseudonym,
    string? UseCaseId,
    int? RiskTier,
    string? Provider,
    string? Deployment,
    string? Model,
    string? ModelVersion,
    string? InputSha256,
    string? OutputSha256,
    string GatewayName = "XefAI Gateway")
{
    /// <summary>What de-identification did: <c>applied</c>, <c>opted-out</c> or <c>not-required</c>; null when the call never got that far.</summary>
    public string? DeIdentification { get; init; }

    /// <summary>The values replaced, by kind, as the audit trail writes them (<c>date=2,name=3</c>); counts only.</summary>
    public string? Redactions { get; init; }
}

/// <summary>What the FHIR export needs to say which model produced an answer, from what, and who verified it.</summary>
/// <param name="AuditId">The audit record of the call that produced the output; the output is identified by it.</param>
/// <param name="Recorded">When the output was produced and recorded.</param>
/// <param name="PatientPseudonym">The pseudonym from <see cref="IPatientPseudonymizer"/>; anything else is refused.</param>
/// <param name="Model">The vendor's model id, e.g. <c>gpt-4o</c>.</param>
/// <param name="Vendor">Who makes the model: the vendor's name or the provider kind, e.g. <c>openai</c>.</param>
/// <param name="OutputSha256">SHA-256 (hex) of the output.</param>
/// <param name="VerifiedBy">The clinician who verified the output, as the review queue records them; null while unverified.</param>
/// <param name="VerifiedAt">When the clinician verified it; requires <paramref name="VerifiedBy"/>.</param>
/// <param name="InputSha256">SHA-256 (hex) of the input the model was given; becomes the Provenance's source entity.</param>
public sealed record ProvenanceFacts(
    string AuditId,
    DateTimeOffset Recorded,
    string? PatientPseudonym,
    string UseCaseId,
    string? UseCaseName,
    string Deployment,
    string Model,
    string? ModelVersion,
    string Vendor,
    string? OutputSha256,
    string? VerifiedBy,
    DateTimeOffset? VerifiedAt,
    string? InputSha256 = null)
{
    /// <summary>The prompt template that wrote the model's input, when a use case's template did; becomes a source entity.</summary>
    public ProvenanceTemplate? PromptTemplate { get; init; }

    /// <summary>The use case's risk tier, 1–4: the governance policy the output was produced under.</summary>
    public int? RiskTier { get; init; }

    /// <summary>How the gateway names itself, when it is named as the agent that assembled the model's input.</summary>
    public string? AssembledBy { get; init; }
}

/// <summary>One version of a prompt template, as the Provenance of its output names it.</summary>
/// <param name="Sha256">SHA-256 (hex) of the template file, see <see cref="PromptTemplateInfo.Sha256"/>.</param>
public sealed record ProvenanceTemplate(string Name, string Version, string Sha256);

/// <summary>
/// Exports audit records as FHIR R4 JSON: AuditEvent in the IHE Basic Audit Log Patterns style, and
/// Provenance in the style of HL7 AI Transparency on FHIR. Patients appear only by pseudonym.
/// </summary>
public interface IFhirAuditExporter
{
    /// <exception cref="ArgumentException">The facts cannot make a valid AuditEvent, e.g. an unknown decision or a patient value that is not a pseudonym.</exception>
    string ToAuditEventJson(AuditEventFacts facts);

    /// <summary>A <c>searchset</c> Bundle holding one AuditEvent per record, each with search mode <c>match</c>.</summary>
    /// <param name="facts">The records of this page.</param>
    /// <param name="selfUrl">The absolute URL of the search, <c>[base]/AuditEvent?…</c>; entries' full URLs are built from it.</param>
    /// <param name="nextUrl">The next page's URL (link relation <c>next</c>), or null on the last page.</param>
    /// <param name="complete">True when <paramref name="facts"/> are all records that matched; only then is <c>total</c> given (their count).</param>
    /// <exception cref="ArgumentException">A record cannot make a valid AuditEvent, two share an id, or <paramref name="selfUrl"/> is not an AuditEvent search URL.</exception>
    string ToAuditEventSearchSetJson(IReadOnlyList<AuditEventFacts> facts, string selfUrl, string? nextUrl = null, bool complete = true);

    /// <exception cref="ArgumentException">The facts cannot make a valid Provenance.</exception>
    string ToProvenanceJson(ProvenanceFacts facts);
}

/// <summary>
/// Maps audit ids to FHIR resource ids and back. FHIR ids allow only letters, digits, '-' and '.', so the
/// gateway's <c>aud_&lt;ULID&gt;</c> ids become <c>aud-&lt;ULID&gt;</c>.
/// </summary>
public static class FhirAuditIds
{
    private const int MaxLength = 64;

    /// <exception cref="ArgumentException">The audit id cannot become a FHIR id (too long, or characters other than letters, digits, '_', '-', '.').</exception>
    public static string ToResourceId(string auditId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(auditId);

        var id = auditId.Replace('_', '-');
        if (!IsResourceId(id))
        {
            throw new ArgumentException(
                $"Audit id of {auditId.Length} characters cannot be a FHIR id: use at most {MaxLength} letters, digits, '_', '-' or '.'.",
                nameof(auditId));
        }

        return id;
    }

    /// <summary>
    /// The audit id a resource id was made from, for reads such as <c>GET AuditEvent/aud-01JF…</c>. Exact for the
    /// gateway's ids, which never contain '-'; an audit id passed in unchanged comes back unchanged.
    /// </summary>
    public static string ToAuditId(string resourceId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceId);
        return resourceId.Replace('-', '_');
    }

    private static bool IsResourceId(string id) =>
        id.Length <= MaxLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');
}
