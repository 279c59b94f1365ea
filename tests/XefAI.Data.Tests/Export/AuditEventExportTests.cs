using Hl7.Fhir.Model;
using XefAI.Data.Export;

namespace XefAI.Data.Tests.Export;

public sealed class AuditEventExportTests
{
    private readonly FhirAuditExporter _exporter = new();

    [Fact]
    public void ToAuditEventJson_AnsweredCall_IsValidR4()
    {
        FhirR4Validation.ParseValid<AuditEvent>(_exporter.ToAuditEventJson(ExportSamples.Answered()));
    }

    [Fact]
    public void ToAuditEventJson_AnsweredCall_IsRestExecuteWithGatewaySubtype()
    {
        var auditEvent = Export(ExportSamples.Answered());

        Assert.Equal("aud-01JPB4Q2M7X0S5V8N3C6D9F2GH", auditEvent.Id);
        AssertCoding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", auditEvent.Type);
        AssertCoding("https://xefai.health/fhir/CodeSystem/ai-interaction", "chat-completion", Assert.Single(auditEvent.Subtype));
        Assert.Equal(AuditEvent.AuditEventAction.E, auditEvent.Action);
        Assert.Equal(ExportSamples.Recorded, auditEvent.Recorded);
    }

    [Theory]
    [InlineData("answered", 200, AuditEvent.AuditEventOutcome.N0)]
    [InlineData("streaming", 200, AuditEvent.AuditEventOutcome.N0)]
    [InlineData("held", 202, AuditEvent.AuditEventOutcome.N0)]
    [InlineData("denied", 403, AuditEvent.AuditEventOutcome.N4)]
    [InlineData("failed", 502, AuditEvent.AuditEventOutcome.N8)]
    public void ToAuditEventJson_EachDecision_MapsToOutcome(string decision, int status, AuditEvent.AuditEventOutcome outcome)
    {
        var json = _exporter.ToAuditEventJson(ExportSamples.Answered() with { Decision = decision, StatusCode = status });

        var auditEvent = FhirR4Validation.ParseValid<AuditEvent>(json);
        Assert.Equal(outcome, auditEvent.Outcome);
        Assert.Equal(decision, Detail(auditEvent, "decision"));
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), Detail(auditEvent, "http-status"));
    }

    [Fact]
    public void ToAuditEventJson_Denied_PutsReasonCodesInOutcomeDesc()
    {
        var auditEvent = Export(ExportSamples.Answered() with
        {
            Decision = "denied",
            StatusCode = 403,
            Reasons = "use_case_suspended,app_not_allowed",
            OutputSha256 = null,
        });

        Assert.Equal("use_case_suspended,app_not_allowed", auditEvent.OutcomeDesc);
    }

    [Fact]
    public void ToAuditEventJson_Answered_HasNoOutcomeDesc()
    {
        Assert.Null(Export(ExportSamples.Answered()).OutcomeDesc);
    }

    [Fact]
    public void ToAuditEventJson_UserKnown_UserIsRequestorAppAndGatewayAreNot()
    {
        var auditEvent = Export(ExportSamples.Answered());

        Assert.Equal(3, auditEvent.Agent.Count);
        var user = Agent(auditEvent, "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP");
        Assert.True(user.Requestor);
        AssertIdentifier("https://xefai.health/fhir/sid/user", "dr.hale", user.Who?.Identifier);

        var app = Agent(auditEvent, "http://dicom.nema.org/resources/ontology/DCM", "110153");
        Assert.False(app.Requestor);
        AssertIdentifier("https://xefai.health/fhir/sid/client-app", "ambient-scribe", app.Who?.Identifier);
        AssertCoding("http://dicom.nema.org/resources/ontology/DCM", "110150", Assert.Single(Assert.Single(app.Role).Coding));

        var gateway = Agent(auditEvent, "http://dicom.nema.org/resources/ontology/DCM", "110152");
        Assert.False(gateway.Requestor);
        Assert.Equal("XefAI Gateway", gateway.Who?.Display);
    }

    [Fact]
    public void ToAuditEventJson_NoUser_AppIsRequestor()
    {
        var auditEvent = Export(ExportSamples.Answered() with { UserId = null });

        Assert.Equal(2, auditEvent.Agent.Count);
        Assert.True(Agent(auditEvent, "http://dicom.nema.org/resources/ontology/DCM", "110153").Requestor);
        Assert.Single(auditEvent.Agent, a => a.Requestor == true);
    }

    [Fact]
    public void ToAuditEventJson_UnauthenticatedCall_StillValidWithGatewayAgentOnly()
    {
        var json = _exporter.ToAuditEventJson(new AuditEventFacts(
            AuditId: "aud_01JPB4Q2M7X0S5V8N3C6D9F2GJ",
            Recorded: ExportSamples.Recorded,
            TraceId: "0af7651916cd43dd8448eb211c80319c",
            Decision: "denied",
            StatusCode: 401,
            Reasons: "unauthenticated",
            AppId: null,
            UserId: null,
            PatientPseudonym: null,
            UseCaseId: null,
            RiskTier: null,
            Provider: null,
            Deployment: null,
            Model: null,
            ModelVersion: null,
            InputSha256: null,
            OutputSha256: null));

        var auditEvent = FhirR4Validation.ParseValid<AuditEvent>(json);
        var gateway = Assert.Single(auditEvent.Agent);
        Assert.Equal("XefAI Gateway", gateway.Who?.Display);
        Assert.Equal("110152", gateway.Type?.Coding[0].Code);
        Assert.Null(UseCaseEntity(auditEvent).What);
        Assert.DoesNotContain(auditEvent.Entity, e => e.Role?.Code == "1");
    }

    [Fact]
    public void ToAuditEventJson_DeIdentifiedCall_SaysSoWithTheCountsByKind()
    {
        var auditEvent = Export(ExportSamples.Answered() with { DeIdentification = "applied", Redactions = "date=2,name=3" });

        Assert.Equal("applied", Detail(auditEvent, "deidentification"));
        Assert.Equal("date=2,name=3", Detail(auditEvent, "redactions"));
    }

    [Fact]
    public void ToAuditEventJson_Source_IsGatewayAsApplicationServer()
    {
        var source = Export(ExportSamples.Answered() with { GatewayName = "XefAI Gateway (eu-west)" }).Source;

        Assert.Equal("XefAI Gateway (eu-west)", source.Observer.Display);
        Assert.Equal("Device", source.Observer.Type);
        AssertCoding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", Assert.Single(source.Type));
    }

    [Fact]
    public void ToAuditEventJson_PatientEntity_IsPersonInRolePatientByPseudonym()
    {
        var patient = Assert.Single(Export(ExportSamples.Answered()).Entity, e => e.Role?.Code == "1");

        AssertCoding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", patient.Type);
        AssertCoding("http://terminology.hl7.org/CodeSystem/object-role", "1", patient.Role);
        Assert.Equal("Patient", patient.What?.Type);
        Assert.Null(patient.What?.Reference);
        AssertIdentifier("https://xefai.health/fhir/sid/patient-pseudonym", ExportSamples.Pseudonym, patient.What?.Identifier);
    }

    [Fact]
    public void ToAuditEventJson_UseCaseEntity_CarriesCallDetails()
    {
        var useCase = UseCaseEntity(Export(ExportSamples.Answered()));

        AssertIdentifier("https://xefai.health/fhir/sid/use-case", "discharge-summary", useCase.What?.Identifier);
        AssertCoding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", useCase.Type);
        Assert.Equal(
            [
                ("decision", "answered"),
                ("http-status", "200"),
                ("risk-tier", "3"),
                ("provider", "openai"),
                ("deployment", "azure-gpt4o-east"),
                ("model", "gpt-4o"),
                ("model-version", "2024-08-06"),
                ("input-sha256", ExportSamples.InputSha256),
                ("output-sha256", ExportSamples.OutputSha256),
            ],
            useCase.Detail.Select(d => (d.Type, ((FhirString)d.Value).Value)));
    }

    [Fact]
    public void ToAuditEventJson_TraceEntity_IdentifiesTheCall()
    {
        var trace = Assert.Single(Export(ExportSamples.Answered()).Entity, e => e.Type?.Code == "trace");

        Assert.Equal("https://xefai.health/fhir/CodeSystem/audit-entity-type", trace.Type?.System);
        AssertIdentifier("https://xefai.health/fhir/sid/trace", "4bf92f3577b34da6a3ce929d0e0e4736", trace.What?.Identifier);
    }

    [Fact]
    public void ToAuditEventJson_BlankOptionalFacts_AreLeftOut()
    {
        var json = _exporter.ToAuditEventJson(ExportSamples.Answered() with { ModelVersion = " ", Reasons = "", OutputSha256 = null });

        var auditEvent = FhirR4Validation.ParseValid<AuditEvent>(json);
        Assert.Null(Detail(auditEvent, "model-version"));
        Assert.Null(Detail(auditEvent, "output-sha256"));
        Assert.Null(auditEvent.OutcomeDesc);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void ToAuditEventJson_BlankDecision_Throws(string decision)
    {
        Assert.Throws<ArgumentException>(() => _exporter.ToAuditEventJson(ExportSamples.Answered() with { Decision = decision }));
    }

    [Theory]
    [InlineData("review-approved", 200, AuditEvent.AuditEventOutcome.N0)]
    [InlineData("review-refused", 409, AuditEvent.AuditEventOutcome.N4)]
    [InlineData("admin-refused", 401, AuditEvent.AuditEventOutcome.N4)]
    // Reads and aggregated key refusals share the trail, and an export never fails on a decision it does not know.
    [InlineData("access", 200, AuditEvent.AuditEventOutcome.N0)]
    [InlineData("auth-refused", 401, AuditEvent.AuditEventOutcome.N4)]
    [InlineData("some-future-action", 503, AuditEvent.AuditEventOutcome.N8)]
    public void ToAuditEventJson_GovernanceAction_OutcomeFromStatusAndOwnSubtype(string decision, int status, AuditEvent.AuditEventOutcome outcome)
    {
        var auditEvent = Export(ExportSamples.Answered() with { Decision = decision, StatusCode = status });

        Assert.Equal(outcome, auditEvent.Outcome);
        Assert.Equal("governance-action", auditEvent.Subtype[0].Code);
    }

    [Fact]
    public void ToAuditEventJson_AuditIdThatCannotBeFhirId_Throws()
    {
        Assert.Throws<ArgumentException>(() => _exporter.ToAuditEventJson(ExportSamples.Answered() with { AuditId = "aud/01" }));
    }

    private AuditEvent Export(AuditEventFacts facts) => FhirR4Validation.ParseValid<AuditEvent>(_exporter.ToAuditEventJson(facts));

    private static AuditEvent.EntityComponent UseCaseEntity(AuditEvent auditEvent) =>
        Assert.Single(auditEvent.Entity, e => e.Role?.Code == "20");

    private static string? Detail(AuditEvent auditEvent, string type) =>
        UseCaseEntity(auditEvent).Detail.Where(d => d.Type == type).Select(d => ((FhirString)d.Value).Value).SingleOrDefault();

    private static AuditEvent.AgentComponent Agent(AuditEvent auditEvent, string system, string code) =>
        Assert.Single(auditEvent.Agent, a => a.Type?.Coding.Any(c => c.System == system && c.Code == code) == true);

    private static void AssertCoding(string system, string code, Coding? coding)
    {
        Assert.NotNull(coding);
        Assert.Equal(system, coding.System);
        Assert.Equal(code, coding.Code);
        Assert.False(string.IsNullOrEmpty(coding.Display));
    }

    private static void AssertIdentifier(string system, string value, Identifier? identifier)
    {
        Assert.NotNull(identifier);
        Assert.Equal(system, identifier.System);
        Assert.Equal(value, identifier.Value);
    }
}
