using Microsoft.Extensions.Options;
using XefAI.Data;
using XefAI.Data.Configuration;
using XefAI.Integration;

namespace XefAI.Gateway.Clinical;

/// <summary>
/// The clinical task API, <c>POST /v1/use-cases/{id}/invoke</c>: an EHR app sends a patient's FHIR Bundle and the task's
/// parameters, and the use case's versioned prompt template, filled with the normalized clinical context, is what the
/// model is asked. The answer comes back with its audit id and a FHIR Provenance.
/// </summary>
internal sealed class ClinicalTaskIngress : IIngressProtocol
{
    public string Name => "clinical-task";

    public void MapEndpoints(IEndpointRouteBuilder endpoints, IGovernedPipeline pipeline)
    {
        var exporter = endpoints.ServiceProvider.GetRequiredService<IFhirAuditExporter>();
        var data = endpoints.ServiceProvider.GetRequiredService<IOptionsMonitor<DataOptions>>();
        var fhirServers = endpoints.ServiceProvider.GetService<IFhirServerClient>();
        var clinicalTasks = endpoints.ServiceProvider.GetService<IOptionsMonitor<ClinicalTaskOptions>>();

        // An adapter per call: it carries what the output's Provenance needs from translation to release.
        endpoints.MapPost(
            "/v1/use-cases/{id}/invoke",
            httpContext => pipeline.RunAsync(httpContext, new ClinicalTaskAdapter(exporter, data, fhirServers, clinicalTasks)));
    }
}
