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
/// against each card's own record), and ask for a held card's answer once a clinician has reviewed it
/// (<c>GET /cds-services/{id}/held/{card}</c>, <see cref="CdsHeldCards"/>). Callers authenticate with an app key, as on every other endpoint, or as the
/// specification has EHRs do, with a JWT they sign (<see cref="CdsClientAuthentication"/>).
/// </summary>
internal sealed class CdsHooksIngress(TimeProvider time, ILogger<CdsHooksIngress> logger) : IIngressProtocol, IDisposable
{
    private readonly CdsJwksCache _jwks = new(time, logger);

    public string Name => "cds-hooks";

    public void Dispose() => _jwks.Dispose();

    public void MapEndpoints(IEndpointRouteBuilder endpoints, IGovernedPipeline pipeline)
    {
        var services = endpoints.ServiceProvider;
        var templates = services.GetRequiredService<IPromptTemplateCatalog>();
        var fetcher = services.GetRequiredService<ICdsPrefetchFetcher>();
        var snapshots = services.GetRequiredService<GatewaySnapshots>();
        var clients = new CdsClientAuthentication(new CdsClientTokens(_jwks, new CdsTokenReplays(time), time, services.GetService<ITokenReplayStore>()));

        endpoints.MapGet("/cds-services", async context =>
        {
            var config = snapshots.Current;
            if (await clients.AuthenticateAsync(context, config) is { } app)
            {
                await DiscoverAsync(context, config, app);
            }
        });

        // An adapter per call: it carries the service and the answer from translation to release.
        endpoints.MapPost("/cds-services/{id}", context => CallAsync(context, pipeline, clients, snapshots.Current, new CdsServiceAdapter(templates, fetcher)));
        endpoints.MapPost("/cds-services/{id}/feedback", async context =>
        {
            var config = snapshots.Current;
            if (await clients.AuthenticateAsync(context, config) is { } app)
            {
                await CdsFeedback.HandleAsync(context, config, app);
            }
        });

        // CDS Hooks has no callback: the EHR asks for a held card's answer once it is reviewed.
        endpoints.MapGet("/cds-services/{id}/held/{card}", async context =>
        {
            var config = snapshots.Current;
            if (await clients.AuthenticateAsync(context, config) is { } app)
            {
                await CdsHeldCards.HandleAsync(context, config, app);
            }
        });
    }

    /// <summary>
    /// A service call: an app key goes to the pipeline as on every endpoint; a client JWT is verified first, and the
    /// pipeline's authenticate step then takes the app it was verified for.
    /// </summary>
    private static async Task CallAsync(
        HttpContext context, IGovernedPipeline pipeline, CdsClientAuthentication clients, GatewaySnapshot config, CdsServiceAdapter adapter)
    {
        if (!CdsClientAuthentication.TryGetToken(context.Request, config.Keys, out var token))
        {
            await pipeline.RunAsync(context, adapter);
            return;
        }

        // A refused token is answered here, before the pipeline: it never reaches a step, as a refused key never passes the first.
        AccessAudit.MarkAudited(context);
        if (await clients.VerifyAsync(context, config, token) is not { } app)
        {
            return;
        }

        // The verified client is a feature of the request now (TokenAuthenticatedClient): the authenticate step takes it.
        await pipeline.RunAsync(context, adapter);
    }

    /// <summary>
    /// The services the calling app may use: those whose use case it is granted and that are active now. A suspended,
    /// retired or not yet active use case's service is not listed, from the moment its status changes.
    /// </summary>
    private static async Task DiscoverAsync(HttpContext context, GatewaySnapshot config, ClientApp app)
    {
        GatewayHeaders.SetTraceId(context.Response, GatewayHeaders.ResolveTraceId(context));
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
