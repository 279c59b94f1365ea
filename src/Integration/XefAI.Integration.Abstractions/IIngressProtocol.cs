using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace XefAI.Integration;

/// <summary>
/// A way in through which workflow apps reach the gateway (OpenAI chat completions and embeddings, the clinical
/// invoke API, CDS Hooks, or a plugin's own protocol). It maps its endpoints and hands every call to the governed
/// pipeline with a <see cref="IProtocolAdapter"/>: it gets the pipeline, never a way around it.
/// </summary>
public interface IIngressProtocol
{
    /// <summary>Name for logs, e.g. <c>openai</c>.</summary>
    string Name { get; }

    /// <param name="endpoints">Where to map the protocol's endpoints.</param>
    /// <param name="pipeline">The only way a call of this protocol reaches a model.</param>
    void MapEndpoints(IEndpointRouteBuilder endpoints, IGovernedPipeline pipeline);
}

/// <summary>
/// The governed request path: authenticate → resolve use case → govern → build clinical context → protect data →
/// invoke model → restore data → check output → review → commit audit → release. Every step is the pipeline's; the
/// adapter only translates its protocol's request into a <see cref="GatewayRequest"/> and the result back.
/// </summary>
public interface IGovernedPipeline
{
    /// <summary>
    /// Runs one call and writes its response: answered, held, refused or failed, each with its committed audit record
    /// (a keyless call is counted in aggregate instead). Never throws for bad input.
    /// </summary>
    Task RunAsync(HttpContext httpContext, IProtocolAdapter adapter);
}
