using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using XefAI.Data;
using XefAI.Gateway.Configuration;

namespace XefAI.Gateway.Hosting;

/// <summary>Start-up validation of the whole configuration and the observer of its reloads.</summary>
internal static class GatewayConfigurationExtensions
{
    /// <summary>
    /// Registers a fresh bind-and-validate check for every validated options type of the gateway's layers and
    /// plugins; call it after every layer is registered.
    /// </summary>
    public static IServiceCollection AddGatewayConfigurationChecks(this IServiceCollection services)
    {
        var optionsTypes = services
            .Select(d => d.ServiceType)
            .Where(t => t.IsConstructedGenericType && t.GetGenericTypeDefinition() == typeof(IValidateOptions<>))
            .Select(t => t.GetGenericArguments()[0])
            .Where(t => t.Namespace?.StartsWith("XefAI", StringComparison.Ordinal) == true)
            .Distinct()
            .ToList();
        foreach (var type in optionsTypes)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IOptionsCheck), typeof(OptionsCheck<>).MakeGenericType(type)));
        }

        services.TryAddSingleton<ConfigurationReloads>();
        return services;
    }

    /// <summary>
    /// Refuses to start, naming every problem at once, when any options type or the cross-layer check fails;
    /// then reports each reload of the configuration files.
    /// </summary>
    public static void UseGatewayConfiguration(this WebApplication app, IReadOnlyList<LastGoodJsonConfigurationSource> files)
    {
        var reloads = app.Services.GetRequiredService<ConfigurationReloads>();
        var errors = reloads.CheckOptions();
        if (errors.Count == 0)
        {
            errors.AddRange(PromptTemplateProblems(app.Services));
        }

        if (errors.Count == 0)
        {
            // The cross-layer check reads the registries, which cannot be built from options that fail on their own.
            errors.AddRange(app.Services.GetRequiredService<LayerConfigurationValidator>().Validate());
        }

        if (errors.Count > 0)
        {
            // The caller never gets the app to dispose: its file watches and stores end here.
            ((IDisposable)app).Dispose();
            throw new GatewayConfigurationException(errors);
        }

        // Taken now, while the configuration is known good: a first read after a bad edit would throw.
        _ = app.Services.GetRequiredService<LastGoodOptions<GatewayOptions>>();
        _ = app.Services.GetRequiredService<LastGoodOptions<ResilienceOptions>>();

        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("XefAI.Gateway.Configuration");
        if (app.Environment.IsProduction() && app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.Clients.Count == 0)
        {
            ConfigurationLog.NoClients(log);
        }

        foreach (var file in files)
        {
            reloads.Observe(file);
        }
    }

    /// <summary>
    /// The prompt templates load once, here: a malformed one is listed with the other configuration problems instead of
    /// failing the start with a stack trace.
    /// </summary>
    private static IEnumerable<string> PromptTemplateProblems(IServiceProvider services)
    {
        try
        {
            _ = services.GetRequiredService<IPromptTemplateCatalog>();
            return [];
        }
        catch (PromptTemplateException ex)
        {
            return ex.Problems.Select(problem => $"Data:PromptsPath: {problem}");
        }
    }
}
