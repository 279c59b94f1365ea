using System.Text.Json;
using XefAI.Data;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// CDS Hooks 2.0: EHRs discover this gateway's services (<c>GET /cds-services</c>), call one when a clinician opens a
/// chart or signs an order (<c>POST /cds-services/{id}</c>, through the governed pipeline like every other call), and
/// tell it what the clinician did with its cards (<c>POST /cds-services/{id}/feedback</c>, recorded in the audit trail
/// against each card's own record). Services authenticate with the same app keys as every other endpoint.
/// </summary>
internal sealed class CdsHooksIngress : IIngressProtocol
{
    public string Name => "cds-hooks";

    public void MapEndpoints(IEndpointRouteBuilder endpoints, IGovernedPipeline pipeline)
    {
        var services = endpoints.ServiceProvider;
        var templates = services.GetRequiredService<IPromptTemplateCatalog>();
        var fetcher = services.GetRequiredService<ICdsPrefetchFetcher>();
        var snapshots = services.GetRequiredService<GatewaySnapshots>();

        endpoints.MapGet("/cds-services", context => DiscoverAsync(context, snapshots.Current));

        // An adapter per call: it carries the service and the answer from translation to release.
        endpoints.MapPost("/cds-services/{id}", context => pipeline.RunAsync(context, new CdsServiceAdapter(templates, fetcher)));
        endpoints.MapPost("/cds-services/{id}/feedback", context => CdsFeedback.HandleAsync(context, snapshots.Current));
    }

    /// <summary>
    /// The services the calling app may use: those whose use case it is granted and that are active now. A suspended,
    /// retired or not yet active use case's service is not listed, from the moment its status changes.
    /// </summary>
    private static async Task DiscoverAsync(HttpContext context, GatewaySnapshot config)
    {
        if (!config.Keys.TryAuthenticateClient(context.Request.Headers.Authorization, out var app))
        {
            await CdsFeedback.Write(context, context.RefuseClient(AuthRoutes.CdsHooks));
            return;
        }

        context.Response.Headers[GatewayHeaders.TraceId] = GatewayHeaders.ResolveTraceId(context);
        context.Response.ContentType = CdsServiceAdapter.ContentType;
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteStartArray("services");
        foreach (var (id, service) in config.CdsHooks.Services.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (service?.UseCase is not { } useCaseId || !app.UseCases.Contains(useCaseId)
                || !config.UseCases.TryGet(useCaseId, out var useCase) || useCase.Status != UseCaseStatus.Active
                || useCase.ActivationRefusal is not null)
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("hook", service.Hook);
            if (!string.IsNullOrWhiteSpace(service.Title))
            {
                writer.WriteString("title", service.Title);
            }

            writer.WriteString("description", service.Description);
            writer.WriteString("id", id);
            if (service.Prefetch.Count > 0)
            {
                writer.WriteStartObject("prefetch");
                foreach (var (key, template) in service.Prefetch.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WriteString(key, template);
                }

                writer.WriteEndObject();
            }

            if (!string.IsNullOrWhiteSpace(service.UsageRequirements))
            {
                writer.WriteString("usageRequirements", service.UsageRequirements);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
