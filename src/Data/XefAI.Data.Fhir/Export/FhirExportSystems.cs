namespace XefAI.Data.Export;

/// <summary>The code systems and identifier systems the FHIR export writes, named once.</summary>
internal static class FhirExportSystems
{
    // Gateway-defined identifier systems and codes.
    public const string PatientPseudonym = "https://xefai.health/fhir/sid/patient-pseudonym";
    public const string UseCase = "https://xefai.health/fhir/sid/use-case";
    public const string ClientApp = "https://xefai.health/fhir/sid/client-app";
    public const string User = "https://xefai.health/fhir/sid/user";
    public const string Clinician = "https://xefai.health/fhir/sid/clinician";
    public const string Gateway = "https://xefai.health/fhir/sid/gateway";
    public const string Trace = "https://xefai.health/fhir/sid/trace";
    public const string Audit = "https://xefai.health/fhir/sid/audit";
    public const string Deployment = "https://xefai.health/fhir/sid/deployment";
    public const string ContentSha256 = "https://xefai.health/fhir/sid/content-sha256";
    public const string PromptTemplate = "https://xefai.health/fhir/sid/prompt-template";

    /// <summary>The governance policy of a risk tier; the tier's number follows.</summary>
    public const string RiskTierPolicy = "https://xefai.health/fhir/policy/risk-tier-";
    public const string AiInteraction = "https://xefai.health/fhir/CodeSystem/ai-interaction";
    public const string GatewayEntityType = "https://xefai.health/fhir/CodeSystem/audit-entity-type";
    public const string ContentSha256Extension = "https://xefai.health/fhir/StructureDefinition/content-sha256";

    // HL7 terminology (THO) and DICOM.
    public const string AuditEventType = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    public const string Dicom = "http://dicom.nema.org/resources/ontology/DCM";
    public const string ParticipationType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
    public const string SecuritySourceType = "http://terminology.hl7.org/CodeSystem/security-source-type";
    public const string AuditEntityType = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    public const string ObjectRole = "http://terminology.hl7.org/CodeSystem/object-role";
    public const string ObservationValue = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";
    public const string DataOperation = "http://terminology.hl7.org/CodeSystem/v3-DataOperation";
    public const string ProvenanceParticipantType = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";

    // AI Transparency on FHIR (hl7.fhir.uv.aitransparency).
    public const string AiDeviceType = "http://hl7.org/fhir/uv/aitransparency/CodeSystem/AIdeviceTypeCS";

    // R5's Provenance.patient, carried in R4 by the standard cross-version extension.
    public const string ProvenancePatientExtension = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Provenance.patient";
}
