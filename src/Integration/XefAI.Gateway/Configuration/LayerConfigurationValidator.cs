using XefAI.Models;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// Checks what no single layer can: that client grants name real use cases, that use cases name registered
/// deployments and prompt templates that exist, that each deployment's provider kind is loaded and its cluster
/// exists. Only the host knows all four layers, so this check lives here. It judges a whole snapshot before it is
/// put in force: at start-up a failure refuses to start, on a reload it keeps the last good snapshot.
/// </summary>
/// <param name="configuration">The YARP section, which YARP itself reads; its clusters and routes are checked here.</param>
/// <param name="services">Where the content root comes from, against which a relative prompts folder is named.</param>
internal sealed class LayerConfigurationValidator(IModelProviderCatalog providers, IConfiguration configuration, IServiceProvider services)
{
    public IReadOnlyList<string> Validate(GatewaySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var errors = new List<string>();
        var clusters = configuration.GetSection("ReverseProxy:Clusters").GetChildren().Select(c => c.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);

        // Vendors are YARP clusters reached only through the governed pipeline. A YARP route would forward requests
        // on its own, with no key check, no policy and no audit record: it is refused, never silently served.
        foreach (var route in configuration.GetSection("ReverseProxy:Routes").GetChildren())
        {
            errors.Add($"ReverseProxy:Routes:{route.Key} is not allowed: a YARP route forwards without the gateway's key check, policies and audit. Vendors need only ReverseProxy:Clusters.");
        }

        // The configured use cases, not the registry: a use case exists whatever its status, and reading statuses
        // would open the governance state store.
        var useCases = snapshot.Governance.UseCases;
        foreach (var (appId, client) in snapshot.Gateway.Clients)
        {
            foreach (var id in client.UseCases.Where(id => !useCases.ContainsKey(id)))
            {
                errors.Add($"Gateway:Clients:{appId} grants use case '{id}', which is not in Governance:UseCases.");
            }
        }

        foreach (var (id, useCase) in useCases)
        {
            foreach (var provider in useCase.Providers.Select(p => p.Trim()).Where(p => !snapshot.Models.TryGet(p, out _)))
            {
                errors.Add($"Governance:UseCases:{id} lists provider '{provider}', which is not in Models:Deployments.");
            }
        }

        foreach (var deployment in snapshot.Models.All)
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

        CheckPromptTemplates(snapshot, errors);
        CheckCdsServices(snapshot, errors);
        return errors;
    }

    /// <summary>Each CDS service names a configured use case that has a prompt template: a hook is answered as a clinical task.</summary>
    private static void CheckCdsServices(GatewaySnapshot snapshot, List<string> errors)
    {
        // An app without a key is reached only through the CDS clients that count as it: without one, nothing could call it.
        foreach (var (appId, client) in snapshot.Gateway.Clients)
        {
            if (client.ApiKeySha256 is null && !snapshot.CdsHooks.Clients.Values.Any(c => c?.App == appId))
            {
                errors.Add($"Gateway:Clients:{appId}:ApiKeySha256 is required: the 64-character hex SHA-256 of the app's key (printf %s \"$KEY\" | sha256sum). Only an app that CDS Hooks clients count as (CdsHooks:Clients:<name>:App) may have no key.");
            }
        }

        foreach (var (id, service) in snapshot.CdsHooks.Services)
        {
            if (service?.UseCase is not { } useCaseId || string.IsNullOrWhiteSpace(useCaseId))
            {
                continue;
            }

            if (!snapshot.Governance.UseCases.TryGetValue(useCaseId, out var useCase))
            {
                errors.Add($"CdsHooks:Services:{id} names use case '{useCaseId}', which is not in Governance:UseCases.");
            }
            else if (useCase.PromptTemplate is not { Id: not null, Version: not null })
            {
                errors.Add($"CdsHooks:Services:{id} names use case '{useCaseId}', which has no PromptTemplate: a hook is answered by the use case's template.");
            }
        }
    }

    private void CheckPromptTemplates(GatewaySnapshot snapshot, List<string> errors)
    {
        // The snapshot's own catalog, loaded with it (a template that does not load refuses the snapshot before this
        // check): a reference is judged against the templates the snapshot's calls will render.
        var catalog = snapshot.Prompts;
        var references = snapshot.Governance.UseCases
            .Where(pair => pair.Value.PromptTemplate is { Id: not null, Version: not null })
            .Select(pair => (UseCase: pair.Key, Id: pair.Value.PromptTemplate!.Id!.Trim(), Version: pair.Value.PromptTemplate.Version!.Trim()))
            .Where(r => catalog?.Find(r.Id, r.Version) is null)
            .ToList();
        foreach (var (useCase, id, version) in references)
        {
            // Caught here rather than at the first clinical task, which could only answer 503: a copy of config/ left
            // without its prompts/ folder is an operator's mistake to fix before start.
            var folder = GatewaySnapshotBuilder.PromptsFolder(snapshot.Data, services);
            var loaded = catalog is null || catalog.Templates.Count == 0 ? "none" : string.Join(", ", catalog.Templates.Select(t => $"{t.Name}/{t.Version}"));
            errors.Add($"Governance:UseCases:{useCase} names prompt template {id}/{version}, which is not in Data:PromptsPath ({folder}; loaded: {loaded}).");
        }
    }
}
