using Hl7.Fhir.Model;
using XefAI.Data.Export;

namespace XefAI.Data.Tests.Export;

public sealed class ProvenanceExportTests
{
    private static readonly DateTimeOffset VerifiedAt = ExportSamples.Recorded.AddMinutes(42);

    private readonly FhirAuditExporter _exporter = new();

    [Fact]
    public void ToProvenanceJson_Unverified_IsValidR4()
    {
        FhirR4Validation.ParseValid<Provenance>(_exporter.ToProvenanceJson(ExportSamples.Generated()));
    }

    [Fact]
    public void ToProvenanceJson_Verified_IsValidR4()
    {
        FhirR4Validation.ParseValid<Provenance>(_exporter.ToProvenanceJson(Verified()));
    }

    [Fact]
    public void ToProvenanceJson_Reason_IsAiAssertedLabel()
    {
        var reason = Assert.Single(Export(ExportSamples.Generated()).Reason);

        var coding = Assert.Single(reason.Coding);
        Assert.Equal("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", coding.System);
        Assert.Equal("AIAST", coding.Code);
        Assert.Equal("Artificial Intelligence asserted", coding.Display);
    }

    [Fact]
    public void ToProvenanceJson_Target_IsOutputByAuditIdAndHash()
    {
        var provenance = Export(ExportSamples.Generated());

        Assert.Equal("aud-01JPB4Q2M7X0S5V8N3C6D9F2GH", provenance.Id);
        var target = Assert.Single(provenance.Target);
        Assert.Null(target.Reference);
        Assert.Equal("https://xefai.health/fhir/sid/audit", target.Identifier?.System);
        Assert.Equal("aud_01JPB4Q2M7X0S5V8N3C6D9F2GH", target.Identifier?.Value);
        var hash = Assert.Single(target.Extension);
        Assert.Equal("https://xefai.health/fhir/StructureDefinition/content-sha256", hash.Url);
        Assert.Equal(ExportSamples.OutputSha256, Assert.IsType<FhirString>(hash.Value).Value);
    }

    [Fact]
    public void ToProvenanceJson_Author_IsContainedModelDevice()
    {
        var provenance = Export(ExportSamples.Generated());

        var author = Assert.Single(provenance.Agent);
        Assert.Equal("author", Assert.Single(author.Type?.Coding ?? []).Code);
        Assert.Equal("http://terminology.hl7.org/CodeSystem/provenance-participant-type", author.Type?.Coding[0].System);
        Assert.Equal("Artificial-Intelligence", Assert.Single(Assert.Single(author.Role).Coding).Code);

        var device = Assert.IsType<Device>(Assert.Single(provenance.Contained));
        Assert.Equal("#" + device.Id, author.Who?.Reference);
        var name = Assert.Single(device.DeviceName);
        Assert.Equal("gpt-4o", name.Name);
        Assert.Equal(DeviceNameType.ModelName, name.Type);
        Assert.Equal("2024-08-06", Assert.Single(device.Version).Value);
        Assert.Equal("openai", device.Manufacturer);
        Assert.Equal("http://hl7.org/fhir/uv/aitransparency/CodeSystem/AIdeviceTypeCS", device.Type?.Coding[0].System);
        Assert.Equal("Artificial-Intelligence", device.Type?.Coding[0].Code);
        var deployment = Assert.Single(device.Identifier);
        Assert.Equal("https://xefai.health/fhir/sid/deployment", deployment.System);
        Assert.Equal("azure-gpt4o-east", deployment.Value);
    }

    [Fact]
    public void ToProvenanceJson_NoModelVersion_DeviceHasNoVersion()
    {
        var provenance = Export(ExportSamples.Generated() with { ModelVersion = null });

        Assert.Empty(Assert.IsType<Device>(Assert.Single(provenance.Contained)).Version);
    }

    [Fact]
    public void ToProvenanceJson_Unverified_HasNoVerifierAndOccurredAtRecording()
    {
        var provenance = Export(ExportSamples.Generated());

        Assert.DoesNotContain(provenance.Agent, a => a.Type?.Coding.Any(c => c.Code == "verifier") == true);
        Assert.Equal(ExportSamples.Recorded, provenance.Recorded);
        Assert.Equal(new FhirDateTime(ExportSamples.Recorded).Value, Assert.IsType<FhirDateTime>(provenance.Occurred).Value);
    }

    [Fact]
    public void ToProvenanceJson_Verified_AddsVerifierClinician()
    {
        var provenance = Export(Verified());

        Assert.Equal(2, provenance.Agent.Count);
        var verifier = Assert.Single(provenance.Agent, a => a.Type?.Coding.Any(c => c.Code == "verifier") == true);
        Assert.Equal("http://terminology.hl7.org/CodeSystem/provenance-participant-type", verifier.Type?.Coding[0].System);
        Assert.Equal("Practitioner", verifier.Who?.Type);
        Assert.Equal("https://xefai.health/fhir/sid/clinician", verifier.Who?.Identifier?.System);
        Assert.Equal("dr.hale", verifier.Who?.Identifier?.Value);
    }

    [Fact]
    public void ToProvenanceJson_Verified_OccurredSpansGenerationToVerification()
    {
        var provenance = Export(Verified());

        var occurred = Assert.IsType<Period>(provenance.Occurred);
        Assert.Equal(new FhirDateTime(ExportSamples.Recorded).Value, occurred.Start);
        Assert.Equal(new FhirDateTime(VerifiedAt).Value, occurred.End);
        Assert.Equal(VerifiedAt, provenance.Recorded);
    }

    [Fact]
    public void ToProvenanceJson_VerifiedByWithoutTime_AddsVerifier()
    {
        var provenance = Export(ExportSamples.Generated() with { VerifiedBy = "dr.hale" });

        Assert.Single(provenance.Agent, a => a.Type?.Coding.Any(c => c.Code == "verifier") == true);
        Assert.IsType<FhirDateTime>(provenance.Occurred);
    }

    [Fact]
    public void ToProvenanceJson_VerifiedAtWithoutVerifier_Throws()
    {
        Assert.Throws<ArgumentException>(() => _exporter.ToProvenanceJson(ExportSamples.Generated() with { VerifiedAt = VerifiedAt }));
    }

    [Fact]
    public void ToProvenanceJson_VerifiedBeforeRecorded_Throws()
    {
        var facts = ExportSamples.Generated() with { VerifiedBy = "dr.hale", VerifiedAt = ExportSamples.Recorded.AddSeconds(-1) };

        Assert.Throws<ArgumentException>(() => _exporter.ToProvenanceJson(facts));
    }

    [Fact]
    public void ToProvenanceJson_Entities_AreUseCaseAndInputByHash()
    {
        var provenance = Export(ExportSamples.Generated());

        Assert.Equal(2, provenance.Entity.Count);
        var useCase = Assert.Single(provenance.Entity, e => e.Role == Provenance.ProvenanceEntityRole.Derivation);
        Assert.Equal("https://xefai.health/fhir/sid/use-case", useCase.What?.Identifier?.System);
        Assert.Equal("discharge-summary", useCase.What?.Identifier?.Value);
        Assert.Equal("Discharge summary draft", useCase.What?.Display);

        var input = Assert.Single(provenance.Entity, e => e.Role == Provenance.ProvenanceEntityRole.Source);
        Assert.Equal("https://xefai.health/fhir/sid/content-sha256", input.What?.Identifier?.System);
        Assert.Equal(ExportSamples.InputSha256, input.What?.Identifier?.Value);
    }

    [Fact]
    public void ToProvenanceJson_NoInputHash_HasNoSourceEntity()
    {
        var provenance = Export(ExportSamples.Generated() with { InputSha256 = null, OutputSha256 = null });

        Assert.DoesNotContain(provenance.Entity, e => e.Role == Provenance.ProvenanceEntityRole.Source);
        Assert.Empty(Assert.Single(provenance.Target).Extension);
    }

    [Fact]
    public void ToProvenanceJson_Activity_IsCreate()
    {
        var activity = Assert.Single(Export(ExportSamples.Generated()).Activity?.Coding ?? []);

        Assert.Equal("http://terminology.hl7.org/CodeSystem/v3-DataOperation", activity.System);
        Assert.Equal("CREATE", activity.Code);
    }

    [Fact]
    public void ToProvenanceJson_Patient_IsPseudonymInR5PatientExtension()
    {
        var provenance = Export(ExportSamples.Generated());

        var patient = Assert.Single(provenance.Extension);
        Assert.Equal("http://hl7.org/fhir/5.0/StructureDefinition/extension-Provenance.patient", patient.Url);
        var reference = Assert.IsType<ResourceReference>(patient.Value);
        Assert.Equal("Patient", reference.Type);
        Assert.Null(reference.Reference);
        Assert.Equal("https://xefai.health/fhir/sid/patient-pseudonym", reference.Identifier?.System);
        Assert.Equal(ExportSamples.Pseudonym, reference.Identifier?.Value);
    }

    [Fact]
    public void ToProvenanceJson_NoPatient_HasNoPatientExtension()
    {
        Assert.Empty(Export(ExportSamples.Generated() with { PatientPseudonym = null }).Extension);
    }

    [Fact]
    public void ToProvenanceJson_ClinicalTask_IsValidR4WithTemplateTierPolicyAndAssembler()
    {
        var provenance = Export(ClinicalTask());

        Assert.Equal("https://xefai.health/fhir/policy/risk-tier-3", Assert.Single(provenance.Policy));
        var assembler = Assert.Single(provenance.Agent, a => a.Type?.Coding[0].Code == "assembler");
        Assert.Equal("Device", assembler.Who?.Type);
        Assert.Equal("https://xefai.health/fhir/sid/gateway", assembler.Who?.Identifier?.System);
        Assert.Equal("XefAI Gateway", assembler.Who?.Identifier?.Value);

        var template = Assert.Single(provenance.Entity, e => e.What?.Identifier?.System == "https://xefai.health/fhir/sid/prompt-template");
        Assert.Equal(Provenance.ProvenanceEntityRole.Source, template.Role);
        Assert.Equal("discharge-summary/1", template.What?.Identifier?.Value);
        var hash = Assert.Single(template.What!.Extension);
        Assert.Equal("https://xefai.health/fhir/StructureDefinition/content-sha256", hash.Url);
        Assert.Equal(TemplateSha256, Assert.IsType<FhirString>(hash.Value).Value);

        // The input stays a source of its own, beside the template.
        Assert.Single(provenance.Entity, e => e.What?.Identifier?.System == "https://xefai.health/fhir/sid/content-sha256");
    }

    [Fact]
    public void ToProvenanceJson_NoTemplateTierOrAssembler_AddsNoneOfThem()
    {
        var provenance = Export(ExportSamples.Generated());

        Assert.Empty(provenance.Policy);
        Assert.DoesNotContain(provenance.Agent, a => a.Type?.Coding[0].Code == "assembler");
        Assert.DoesNotContain(provenance.Entity, e => e.What?.Identifier?.System == "https://xefai.health/fhir/sid/prompt-template");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void ToProvenanceJson_RiskTierOutOfRange_Throws(int tier)
    {
        Assert.Throws<ArgumentException>(() => _exporter.ToProvenanceJson(ClinicalTask() with { RiskTier = tier }));
    }

    [Fact]
    public void ToProvenanceJson_TemplateWithoutHash_Throws()
    {
        var facts = ClinicalTask() with { PromptTemplate = new ProvenanceTemplate("discharge-summary", "1", " ") };

        Assert.Throws<ArgumentException>(() => _exporter.ToProvenanceJson(facts));
    }

    private const string TemplateSha256 = "c1961e1a08e8e7b378120f958b921df0ef49f3a01c1fc9d0598be3aad3e02b69";

    private static ProvenanceFacts ClinicalTask() => ExportSamples.Generated() with
    {
        PromptTemplate = new ProvenanceTemplate("discharge-summary", "1", TemplateSha256),
        RiskTier = 3,
        AssembledBy = "XefAI Gateway",
    };

    private static ProvenanceFacts Verified() => ExportSamples.Generated() with { VerifiedBy = "dr.hale", VerifiedAt = VerifiedAt };

    private Provenance Export(ProvenanceFacts facts) => FhirR4Validation.ParseValid<Provenance>(_exporter.ToProvenanceJson(facts));
}
