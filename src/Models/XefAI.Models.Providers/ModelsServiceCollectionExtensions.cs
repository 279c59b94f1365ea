using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using XefAI.Models.Providers;
using XefAI.Models.Providers.Registry;

namespace XefAI.Models;

/// <summary>Registers the Models layer.</summary>
public static class ModelsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the model registry bound to the <c>Models</c> section and the provider catalog. Providers are not
    /// registered here: the host finds every <see cref="IModelProvider"/> by assembly scanning, plugins included.
    /// </summary>
    public static IServiceCollection AddXefAIModels(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddLogging();
        services.AddOptions<ModelsOptions>()
            .Bind(configuration.GetSection(ModelsOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelsOptions>, ModelsOptionsValidator>());

        services.TryAddSingleton<IModelRegistry, ModelRegistry>();
        services.TryAddSingleton<IModelRegistryFactory, ModelRegistryFactory>();
        services.TryAddSingleton<IModelProviderCatalog, ModelProviderCatalog>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
