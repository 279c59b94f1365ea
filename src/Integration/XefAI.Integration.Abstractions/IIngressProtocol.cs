using Microsoft.AspNetCore.Routing;

namespace XefAI.Integration;

/// <summary>
/// A protocol through which workflow apps reach the gateway (OpenAI chat completions today, CDS Hooks and
/// FHIR later). Each maps its own endpoints; the host maps every one it finds.
/// </summary>
public interface IIngressProtocol
{
    /// <summary>Name for logs, e.g. <c>openai</c>.</summary>
    string Name { get; }

    void MapEndpoints(IEndpointRouteBuilder endpoints);
}
