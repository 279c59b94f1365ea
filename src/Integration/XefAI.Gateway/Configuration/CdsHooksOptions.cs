namespace XefAI.Gateway.Configuration;

/// <summary>
/// The <c>CdsHooks</c> section: the CDS Hooks 2.0 services this gateway offers EHRs, each a way into one governed use
/// case. Protocol configuration, so it lives with the host, not with governance: a service only names the use case
/// whose template, tier and controls serve it.
/// </summary>
internal sealed class CdsHooksOptions
{
    public const string SectionName = "CdsHooks";

    /// <summary>Services keyed by their CDS service id, the last segment of <c>/cds-services/{id}</c>.</summary>
    public Dictionary<string, CdsServiceOptions> Services { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One CDS service: the hook it answers, what discovery says of it and the use case that answers it.</summary>
internal sealed class CdsServiceOptions
{
    /// <summary>The use case (<c>Governance:UseCases</c>) whose prompt template answers the hook.</summary>
    public string? UseCase { get; set; }

    /// <summary>The CDS hook the service answers, e.g. <c>patient-view</c>.</summary>
    public string? Hook { get; set; }

    /// <summary>Human-friendly name shown in discovery.</summary>
    public string? Title { get; set; }

    /// <summary>What the service does, shown in discovery (required by the specification).</summary>
    public string? Description { get; set; }

    /// <summary>Prefetch templates by key: FHIR queries relative to the EHR's FHIR server, with <c>{{context.x}}</c> tokens.</summary>
    public Dictionary<string, string> Prefetch { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The cards' indicator: <c>info</c> (default), <c>warning</c> or <c>critical</c>.</summary>
    public string Indicator { get; set; } = "info";

    /// <summary>What an EHR must agree to before using the service, shown in discovery.</summary>
    public string? UsageRequirements { get; set; }
}
