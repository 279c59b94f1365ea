using Microsoft.Extensions.Options;
using XefAI.Data;
using XefAI.Data.Configuration;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Models.Providers.Registry;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// Builds a <see cref="GatewaySnapshot"/> from the configuration as it is now: every options type bound afresh and
/// validated, then the snapshot checked across layers. Every problem is collected, so one message lists them all.
/// </summary>
/// <param name="services">
/// Where the registries' factories and the cross-layer check come from, once the options are known to be valid: some
/// of what they are built from (the governance state store) reads its options when it is created, and would throw on
/// options that fail, where a list of every problem is wanted.
/// </param>
internal sealed class GatewaySnapshotBuilder(
    IEnumerable<IOptionsCheck> checks,
    IOptionsFactory<GatewayOptions> gateway,
    IOptionsFactory<ResilienceOptions> resilience,
    IOptionsFactory<UnauthenticatedOptions> unauthenticated,
    IOptionsFactory<GovernanceOptions> governance,
    IOptionsFactory<ModelsOptions> models,
    IOptionsFactory<DataOptions> data,
    IOptionsFactory<CdsHooksOptions> cdsHooks,
    IServiceProvider services)
{
    // Bound below for the snapshot itself; the checks of every other options type (audit, reviews, plugins') run as they are.
    private static readonly HashSet<Type> SnapshotOptions =
    [
        typeof(GatewayOptions), typeof(ResilienceOptions), typeof(UnauthenticatedOptions),
        typeof(GovernanceOptions), typeof(ModelsOptions), typeof(DataOptions), typeof(CdsHooksOptions),
    ];

    /// <param name="clusters">The <c>ReverseProxy</c> section captured with this configuration, for its governed description.</param>
    /// <returns>The snapshot, or null when <paramref name="errors"/> received why it cannot be built.</returns>
    public GatewaySnapshot? Build(long version, List<string> errors, IReadOnlyDictionary<string, string?>? clusters = null)
    {
        var gatewayOptions = OptionsCheck.TryCreate(gateway, errors);
        var resilienceOptions = OptionsCheck.TryCreate(resilience, errors);
        var unauthenticatedOptions = OptionsCheck.TryCreate(unauthenticated, errors);
        var governanceOptions = OptionsCheck.TryCreate(governance, errors);
        var modelsOptions = OptionsCheck.TryCreate(models, errors);
        var dataOptions = OptionsCheck.TryCreate(data, errors);
        var cdsHooksOptions = OptionsCheck.TryCreate(cdsHooks, errors);
        foreach (var check in checks.Where(c => !SnapshotOptions.Contains(c.OptionsType)))
        {
            errors.AddRange(check.Check());
        }

        if (errors.Count > 0)
        {
            // The cross-layer check needs the registries, which cannot be built from options that fail on their own.
            return null;
        }

        // Loaded even when no use case names a template yet: a malformed template file is a mistake to learn of when
        // it is written, not when a use case first names it. A missing folder is an empty catalog.
        if (LoadPrompts(dataOptions!, errors) is not { } prompts)
        {
            return null;
        }

        var snapshot = new GatewaySnapshot(
            version,
            gatewayOptions!,
            resilienceOptions!,
            ApiKeyDirectory.From(gatewayOptions!),
            services.GetRequiredService<IUseCaseRegistryFactory>().Create(governanceOptions!),
            services.GetRequiredService<IModelRegistryFactory>().Create(modelsOptions!))
        {
            Unauthenticated = unauthenticatedOptions!,
            Governance = governanceOptions!,
            Data = dataOptions!,
            CdsHooks = cdsHooksOptions!,
            Prompts = prompts,
        };
        errors.AddRange(services.GetRequiredService<LayerConfigurationValidator>().Validate(snapshot));
        return errors.Count == 0 ? snapshot.Describe(clusters) : null;
    }

    /// <summary>The full path of the prompts folder: a relative <c>PromptsPath</c> lives beside <c>config/</c>.</summary>
    internal static string PromptsFolder(DataOptions data, IServiceProvider services) =>
        Path.GetFullPath(data.PromptsPath, services.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory());

    private IPromptTemplateCatalog? LoadPrompts(DataOptions data, List<string> errors)
    {
        try
        {
            // A fresh catalog each time, never changed after: the snapshots before this one keep theirs.
            return services.GetRequiredService<IPromptTemplateCatalogLoader>().Load(PromptsFolder(data, services));
        }
        catch (Exception ex) when (ex is PromptTemplateException or IOException or UnauthorizedAccessException)
        {
            // Template problems name files, lines of template syntax and variable names, never a call's values.
            errors.Add($"Data:PromptsPath: the prompt templates cannot be loaded: {ex.Message}");
            return null;
        }
    }
}
