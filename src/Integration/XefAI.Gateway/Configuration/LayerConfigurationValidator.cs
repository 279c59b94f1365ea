using Microsoft.Extensions.Options;
using XefAI.Data;
using XefAI.Data.Configuration;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// Checks what no single layer can: that client grants name real use cases, that use cases name registered
/// deployments and prompt templates that were loaded, that each deployment's provider kind is loaded and its cluster
/// exists. Only the host knows
/// all four layers, so this check lives here; it runs at start-up, once every options type is valid, and a
/// failure refuses to start.
/// </summary>
internal sealed class LayerConfigurationValidator(
    IOptions<GatewayOptions> gateway,
    IUseCaseRegistry useCases,
    IModelRegistry models,
    IModelProviderCatalog providers,
    IPromptTemplateCatalog templates,
    IOptions<DataOptions> data,
    IHostEnvironment environment,
    IConfiguration configuration)
{
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var clusters = configuration.GetSection("ReverseProxy:Clusters").GetChildren().Select(c => c.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);

        // Vendors are YARP clusters reached only through the governed pipeline. A YARP route would forward requests
        // on its own, with no key check, no policy and no audit record: it is refused, never silently served.
        foreach (var route in configuration.GetSection("ReverseProxy:Routes").GetChildren())
        {
            errors.Add($"ReverseProxy:Routes:{route.Key} is not allowed: a YARP route forwards without the gateway's key check, policies and audit. Vendors need only ReverseProxy:Clusters.");
        }

        foreach (var (appId, client) in gateway.Value.Clients)
        {
            foreach (var id in client.UseCases.Where(id => !useCases.TryGet(id, out _)))
            {
                errors.Add($"Gateway:Clients:{appId} grants use case '{id}', which is not in Governance:UseCases.");
            }
        }

        foreach (var useCase in useCases.All)
        {
            foreach (var id in useCase.Providers.Where(id => !models.TryGet(id, out _)))
            {
                errors.Add($"Governance:UseCases:{useCase.Id} lists provider '{id}', which is not in Models:Deployments.");
            }
        }

        foreach (var useCase in useCases.All)
        {
            // Caught here rather than at the first clinical task call, which could only answer 503: a template folder
            // left behind (a copy of config/ without prompts/) is an operator's mistake to fix before start.
            if (useCase.PromptTemplate is { } template && templates.Find(template.Id, template.Version) is null)
            {
                var folder = Path.GetFullPath(data.Value.PromptsPath, environment.ContentRootPath);
                var loaded = templates.Templates.Count == 0 ? "none" : string.Join(", ", templates.Templates.Select(t => $"{t.Name}/{t.Version}"));
                errors.Add($"Governance:UseCases:{useCase.Id} names prompt template {template.Id}/{template.Version}, which is not in Data:PromptsPath ({folder}; loaded: {loaded}).");
            }
        }

        foreach (var deployment in models.All)
        {
            if (!providers.TryGet(deployment.Kind, out var provider))
            {
                errors.Add($"Models:Deployments:{deployment.Id} has kind '{deployment.Kind}', but no such provider is loaded (loaded: {string.Join(", ", providers.Kinds)}).");
            }
            else if (provider is IHttpModelProvider && (deployment.Cluster is null || !clusters.Contains(deployment.Cluster)))
            {
                errors.Add($"Models:Deployments:{deployment.Id} must name a cluster of ReverseProxy:Clusters (it names '{deployment.Cluster}').");
            }
        }

        return errors;
    }
}
