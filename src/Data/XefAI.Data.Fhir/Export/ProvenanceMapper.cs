using Hl7.Fhir.Model;

namespace XefAI.Data.Export;

/// <summary>
/// Builds an R4 Provenance for one model output in the style of HL7 AI Transparency on FHIR: reason
/// <c>AIAST</c>, the model as a contained Device that authored the output, the input it was given (and the prompt
/// template that wrote it), the gateway that assembled it, the risk tier's policy, and the verifying clinician once
/// there is one.
/// </summary>
internal static class ProvenanceMapper
{
    private const string ModelDeviceId = "model";

    public static Provenance Map(ProvenanceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentException.ThrowIfNullOrWhiteSpace(facts.UseCaseId, nameof(facts));
        ArgumentException.ThrowIfNullOrWhiteSpace(facts.Deployment, nameof(facts));
        ArgumentException.ThrowIfNullOrWhiteSpace(facts.Model, nameof(facts));
        ArgumentException.ThrowIfNullOrWhiteSpace(facts.Vendor, nameof(facts));

        var verifier = ExportValues.Present(facts.VerifiedBy);
        if (facts.VerifiedAt is { } verifiedAt && (verifier is null || verifiedAt < facts.Recorded))
        {
            throw new ArgumentException("VerifiedAt needs VerifiedBy and cannot precede Recorded.", nameof(facts));
        }

        var provenance = new Provenance
        {
            Id = FhirAuditIds.ToResourceId(facts.AuditId),
            Contained = [ModelDevice(facts)],
            Target = [Output(facts)],

            // Generation, then verification when there was one; the record was last updated at the later of the two.
            Occurred = facts.VerifiedAt is { } end
                ? new Period(new FhirDateTime(facts.Recorded), new FhirDateTime(end))
                : new FhirDateTime(facts.Recorded),
            Recorded = facts.VerifiedAt ?? facts.Recorded,
            Reason = [ExportValues.Concept(FhirExportSystems.ObservationValue, "AIAST", "Artificial Intelligence asserted")],
            Activity = ExportValues.Concept(FhirExportSystems.DataOperation, "CREATE", "create"),
            Agent =
            [
                new Provenance.AgentComponent
                {
                    Type = ExportValues.Concept(FhirExportSystems.ProvenanceParticipantType, "author", "Author"),
                    Role = [ExportValues.Concept(FhirExportSystems.AiDeviceType, "Artificial-Intelligence", "All kinds of Artificial Intelligence")],
                    Who = new ResourceReference("#" + ModelDeviceId),
                },
            ],
        };

        if (ExportValues.Present(facts.AssembledBy) is { } gateway)
        {
            // The gateway wrote the model's input (template, clinical context) and governed the call: W3C PROV's assembler.
            provenance.Agent.Add(new Provenance.AgentComponent
            {
                Type = ExportValues.Concept(FhirExportSystems.ProvenanceParticipantType, "assembler", "Assembler"),
                Who = new ResourceReference { Type = "Device", Identifier = new Identifier(FhirExportSystems.Gateway, gateway), Display = gateway },
            });
        }

        if (facts.RiskTier is { } tier)
        {
            if (tier is < 1 or > 4)
            {
                throw new ArgumentException("RiskTier must be 1 to 4.", nameof(facts));
            }

            provenance.PolicyElement.Add(new FhirUri($"{FhirExportSystems.RiskTierPolicy}{tier}"));
        }

        if (verifier is not null)
        {
            provenance.Agent.Add(new Provenance.AgentComponent
            {
                Type = ExportValues.Concept(FhirExportSystems.ProvenanceParticipantType, "verifier", "Verifier"),
                Who = new ResourceReference { Type = "Practitioner", Identifier = new Identifier(FhirExportSystems.Clinician, verifier) },
            });
        }

        // The use case (its purpose, tier and template) shaped the output; the input was its source.
        provenance.Entity.Add(new Provenance.EntityComponent
        {
            Role = Provenance.ProvenanceEntityRole.Derivation,
            What = new ResourceReference
            {
                Identifier = new Identifier(FhirExportSystems.UseCase, facts.UseCaseId.Trim()),
                Display = ExportValues.Present(facts.UseCaseName),
            },
        });

        if (ExportValues.Present(facts.InputSha256) is { } input)
        {
            provenance.Entity.Add(new Provenance.EntityComponent
            {
                Role = Provenance.ProvenanceEntityRole.Source,
                What = new ResourceReference { Identifier = new Identifier(FhirExportSystems.ContentSha256, input), Display = "Model input" },
            });
        }

        if (facts.PromptTemplate is { } template)
        {
            provenance.Entity.Add(TemplateEntity(template));
        }

        if (PseudonymReference.For(facts.PatientPseudonym, nameof(facts)) is { } patient)
        {
            provenance.Extension.Add(new Extension(FhirExportSystems.ProvenancePatientExtension, patient));
        }

        return provenance;
    }

    // The versioned template is part of what the model was shown; its hash pins the exact text.
    private static Provenance.EntityComponent TemplateEntity(ProvenanceTemplate template)
    {
        if (ExportValues.Present(template.Name) is not { } name
            || ExportValues.Present(template.Version) is not { } version
            || ExportValues.Present(template.Sha256) is not { } sha256)
        {
            throw new ArgumentException("A prompt template needs a name, a version and a SHA-256.", nameof(template));
        }

        var what = new ResourceReference
        {
            Identifier = new Identifier(FhirExportSystems.PromptTemplate, $"{name}/{version}"),
            Display = "Prompt template",
        };
        what.Extension.Add(new Extension(FhirExportSystems.ContentSha256Extension, new FhirString(sha256)));
        return new Provenance.EntityComponent { Role = Provenance.ProvenanceEntityRole.Source, What = what };
    }

    // The model as AI Transparency's AI Device: type Artificial-Intelligence, named and versioned, made by the vendor.
    private static Device ModelDevice(ProvenanceFacts facts)
    {
        var device = new Device
        {
            Id = ModelDeviceId,
            Identifier = [new Identifier(FhirExportSystems.Deployment, facts.Deployment.Trim())],
            Manufacturer = facts.Vendor.Trim(),
            DeviceName = [new Device.DeviceNameComponent { Name = facts.Model.Trim(), Type = DeviceNameType.ModelName }],
            Type = ExportValues.Concept(FhirExportSystems.AiDeviceType, "Artificial-Intelligence", "All kinds of Artificial Intelligence"),
        };

        if (ExportValues.Present(facts.ModelVersion) is { } version)
        {
            device.Version.Add(new Device.VersionComponent { Value = version });
        }

        return device;
    }

    // The output is not a FHIR resource of ours: it is identified by the audit record that holds it, and its hash.
    private static ResourceReference Output(ProvenanceFacts facts)
    {
        var output = new ResourceReference
        {
            Identifier = new Identifier(FhirExportSystems.Audit, facts.AuditId),
            Display = "AI output",
        };

        if (ExportValues.Present(facts.OutputSha256) is { } hash)
        {
            output.Extension.Add(new Extension(FhirExportSystems.ContentSha256Extension, new FhirString(hash)));
        }

        return output;
    }
}
