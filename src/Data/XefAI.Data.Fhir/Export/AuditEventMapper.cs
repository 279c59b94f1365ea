using System.Globalization;
using Hl7.Fhir.Model;

namespace XefAI.Data.Export;

/// <summary>
/// Builds an R4 AuditEvent for one gateway call, following IHE Basic Audit Log Patterns (BALP): a RESTful
/// interaction seen from the gateway, with client, server and user agents, the patient by pseudonym,
/// and the call's details as entity details.
/// </summary>
internal static class AuditEventMapper
{
    public static AuditEvent Map(AuditEventFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentException.ThrowIfNullOrWhiteSpace(facts.TraceId, nameof(facts));
        ArgumentException.ThrowIfNullOrWhiteSpace(facts.GatewayName, nameof(facts));
        ArgumentException.ThrowIfNullOrWhiteSpace(facts.Decision, nameof(facts));

        var auditEvent = new AuditEvent
        {
            Id = FhirAuditIds.ToResourceId(facts.AuditId),
            Type = new Coding(FhirExportSystems.AuditEventType, "rest", "RESTful Operation"),
            Subtype = [IsGovernanceAction(facts.Decision)
                ? new Coding(FhirExportSystems.AiInteraction, "governance-action", "Governance action")
                : new Coding(FhirExportSystems.AiInteraction, "chat-completion", "Chat completion")],
            Action = AuditEvent.AuditEventAction.E,
            Recorded = facts.Recorded,
            Outcome = IsGovernanceAction(facts.Decision) ? OutcomeOfStatus(facts.StatusCode) : OutcomeOf(facts.Decision, nameof(facts)),
            OutcomeDesc = ExportValues.Present(facts.Reasons),
            Agent = Agents(facts),
            Source = new AuditEvent.SourceComponent
            {
                Observer = Gateway(facts.GatewayName),
                Type = [new Coding(FhirExportSystems.SecuritySourceType, "4", "Application Server")],
            },
        };

        // BALP's patient entity: Person in the role Patient, here identified only by the pseudonym.
        if (PseudonymReference.For(facts.PatientPseudonym, nameof(facts)) is { } patient)
        {
            auditEvent.Entity.Add(new AuditEvent.EntityComponent
            {
                What = patient,
                Type = new Coding(FhirExportSystems.AuditEntityType, "1", "Person"),
                Role = new Coding(FhirExportSystems.ObjectRole, "1", "Patient"),
            });
        }

        auditEvent.Entity.Add(UseCase(facts));

        // BALP's transaction entity, with the gateway's own trace header in place of X-Request-Id.
        auditEvent.Entity.Add(new AuditEvent.EntityComponent
        {
            What = new ResourceReference { Identifier = new Identifier(FhirExportSystems.Trace, facts.TraceId) },
            Type = new Coding(FhirExportSystems.GatewayEntityType, "trace", "Gateway trace id (X-XefAI-Trace-Id)"),
        });
        return auditEvent;
    }

    // 'streaming' opens a stream the gateway let through (its closing record says how it ended); 'held' is an
    // answer produced and held for clinician review. Both are successful calls. 'interrupted' closes a stream
    // the gateway stopped serving mid-way (it went down): the client's answer is incomplete.
    private static AuditEvent.AuditEventOutcome OutcomeOf(string decision, string paramName) => decision switch
    {
        "answered" or "streaming" or "held" => AuditEvent.AuditEventOutcome.N0,
        "denied" => AuditEvent.AuditEventOutcome.N4,
        "failed" or "interrupted" => AuditEvent.AuditEventOutcome.N8,
        _ => throw new ArgumentException("The decision must be 'answered', 'denied', 'failed', 'streaming', 'interrupted' or 'held'.", paramName),
    };

    /// <summary>
    /// Everything that is not a model call shares the chain with the calls: reviews, admin actions, use-case status
    /// changes, API reads (<c>access</c>) and aggregated authentication failures (<c>auth-refused</c>). Their status
    /// says how they ended, and a decision this mapper has never heard of still exports instead of failing.
    /// </summary>
    private static bool IsGovernanceAction(string decision) =>
        decision is not ("answered" or "streaming" or "held" or "denied" or "failed" or "interrupted");

    private static AuditEvent.AuditEventOutcome OutcomeOfStatus(int status) => status switch
    {
        < 400 => AuditEvent.AuditEventOutcome.N0,
        < 500 => AuditEvent.AuditEventOutcome.N4,
        _ => AuditEvent.AuditEventOutcome.N8,
    };

    private static List<AuditEvent.AgentComponent> Agents(AuditEventFacts facts)
    {
        var agents = new List<AuditEvent.AgentComponent>();
        var user = ExportValues.Present(facts.UserId);

        // BALP: the human is the requestor when known; otherwise the app is.
        if (user is not null)
        {
            agents.Add(new AuditEvent.AgentComponent
            {
                Type = ExportValues.Concept(FhirExportSystems.ParticipationType, "IRCP", "information recipient"),
                Who = new ResourceReference { Identifier = new Identifier(FhirExportSystems.User, user) },
                Requestor = true,
            });
        }

        if (ExportValues.Present(facts.AppId) is { } app)
        {
            agents.Add(new AuditEvent.AgentComponent
            {
                Type = ExportValues.Concept(FhirExportSystems.Dicom, "110153", "Source Role ID"),
                Role = [ExportValues.Concept(FhirExportSystems.Dicom, "110150", "Application")],
                Who = new ResourceReference { Type = "Device", Identifier = new Identifier(FhirExportSystems.ClientApp, app) },
                Requestor = user is null,
            });
        }

        agents.Add(new AuditEvent.AgentComponent
        {
            Type = ExportValues.Concept(FhirExportSystems.Dicom, "110152", "Destination Role ID"),
            Who = Gateway(facts.GatewayName),
            Requestor = false,
        });
        return agents;
    }

    // The use case the call was for, as a system object in the role Job, carrying what the gateway did.
    private static AuditEvent.EntityComponent UseCase(AuditEventFacts facts)
    {
        var entity = new AuditEvent.EntityComponent
        {
            What = ExportValues.Present(facts.UseCaseId) is { } useCase
                ? new ResourceReference { Identifier = new Identifier(FhirExportSystems.UseCase, useCase) }
                : null,
            Type = new Coding(FhirExportSystems.AuditEntityType, "2", "System Object"),
            Role = new Coding(FhirExportSystems.ObjectRole, "20", "Job"),
        };

        AddDetail(entity, "decision", facts.Decision);
        AddDetail(entity, "http-status", facts.StatusCode.ToString(CultureInfo.InvariantCulture));
        AddDetail(entity, "risk-tier", facts.RiskTier?.ToString(CultureInfo.InvariantCulture));
        AddDetail(entity, "provider", facts.Provider);
        AddDetail(entity, "deployment", facts.Deployment);
        AddDetail(entity, "model", facts.Model);
        AddDetail(entity, "model-version", facts.ModelVersion);
        AddDetail(entity, "input-sha256", facts.InputSha256);
        AddDetail(entity, "output-sha256", facts.OutputSha256);
        AddDetail(entity, "deidentification", facts.DeIdentification);
        AddDetail(entity, "redactions", facts.Redactions);
        return entity;
    }

    private static void AddDetail(AuditEvent.EntityComponent entity, string type, string? value)
    {
        if (ExportValues.Present(value) is { } present)
        {
            entity.Detail.Add(new AuditEvent.DetailComponent { Type = type, Value = new FhirString(present) });
        }
    }

    private static ResourceReference Gateway(string name) => new()
    {
        Type = "Device",
        Identifier = new Identifier(FhirExportSystems.Gateway, name),
        Display = name,
    };
}
