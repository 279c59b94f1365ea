using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using XefAI.Data.Configuration;
using XefAI.Data.Context;
using XefAI.Data.Deidentification;
using XefAI.Data.Export;
using XefAI.Data.FhirServer;
using XefAI.Data.Prompts;
using XefAI.Data.Pseudonymization;

namespace XefAI.Data;

/// <summary>Registers the data layer: clinical context building, prompt templates and patient pseudonyms.</summary>
public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates the <c>Data</c> section (a missing salt refuses to start) and registers the defaults.
    /// Context sources (<see cref="IClinicalContextSource"/>) are not registered here: the host finds them by assembly scanning.
    /// </summary>
    public static IServiceCollection AddXefAIData(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<DataOptions>()
            .Bind(configuration.GetSection(DataOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DataOptions>, DataOptionsValidator>());

        services.TryAddSingleton<IClinicalContextBuilder, ClinicalContextBuilder>();
        services.TryAddSingleton<IPatientPseudonymizer, PatientPseudonymizer>();
        services.TryAddSingleton<IDataProtector, SafeHarborDataProtector>();
        services.TryAddSingleton<IFhirAuditExporter, FhirAuditExporter>();

        // Clinical context fetched from a FHIR server (Data:FhirServer holds its timeouts and limits).
        services.AddOptions<FhirServerOptions>()
            .Bind(configuration.GetSection(FhirServerOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FhirServerOptions>, FhirServerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFhirServerClient, FhirServerClient>();

        // Built on first use; a relative PromptsPath lives beside config/, like the audit database and plugins folder.
        // A host that reloads its configuration loads a catalog per configuration snapshot with the loader instead.
        services.TryAddSingleton<IPromptTemplateCatalogLoader, FilePromptTemplateCatalogLoader>();
        services.TryAddSingleton<IPromptTemplateCatalog>(provider => provider.GetRequiredService<IPromptTemplateCatalogLoader>().Load(Path.GetFullPath(
            provider.GetRequiredService<IOptions<DataOptions>>().Value.PromptsPath,
            provider.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory())));
        return services;
    }
}
