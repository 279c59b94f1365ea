using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using XefAI.Data;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Hosting;

/// <summary>The configuration snapshot: its registration, its start-up validation and the observer of its reloads.</summary>
internal static class GatewayConfigurationExtensions
{
    /// <summary>
    /// Registers the configuration snapshot and makes the gateway's readers outside a call (admin endpoints, use-case
    /// administration, incidents, the key check of every route, the CDS Hooks adapter's templates) follow the snapshot
    /// in force, so none of them sees an edit the snapshot refused. Call it after the Data, Governance and Models layers
    /// are registered: it replaces their registries and prompt catalog, which follow their own options or load once,
    /// with views of the snapshot.
    /// </summary>
    public static IServiceCollection AddGatewaySnapshots(this IServiceCollection services)
    {
        services.TryAddSingleton<GatewaySnapshotBuilder>();
        services.TryAddSingleton<GatewaySnapshots>();
        services.TryAddSingleton<LayerConfigurationValidator>();
        services.Replace(ServiceDescriptor.Singleton<IUseCaseRegistry, SnapshotUseCaseRegistry>());
        services.Replace(ServiceDescriptor.Singleton<IModelRegistry, SnapshotModelRegistry>());
        services.Replace(ServiceDescriptor.Singleton<IPromptTemplateCatalog, SnapshotPromptTemplateCatalog>());
        services.Replace(ServiceDescriptor.Singleton(sp => ApiKeyDirectory.Following(InForce(sp, s => s.Keys))));
        services.Replace(ServiceDescriptor.Singleton(sp => LastGoodOptions<GatewayOptions>.Following(InForce(sp, s => s.Gateway))));
        services.Replace(ServiceDescriptor.Singleton(sp => LastGoodOptions<ResilienceOptions>.Following(InForce(sp, s => s.Resilience))));
        services.Replace(ServiceDescriptor.Singleton(sp => LastGoodOptions<UnauthenticatedOptions>.Following(InForce(sp, s => s.Unauthenticated))));
        return services;
    }

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
    /// Builds the first configuration snapshot, refusing to start, naming every problem at once, when any options
    /// type or the cross-layer check fails; then turns each reload of the configuration files into a new snapshot.
    /// </summary>
    public static void UseGatewayConfiguration(this WebApplication app, ConfigurationFiles files)
    {
        var snapshots = app.Services.GetRequiredService<GatewaySnapshots>();
        var errors = snapshots.Start();
        if (errors.Count > 0)
        {
            // The caller never gets the app to dispose: its file watches and stores end here.
            ((IDisposable)app).Dispose();
            throw new GatewayConfigurationException(errors);
        }

        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("XefAI.Gateway.Configuration");
        if (app.Environment.IsProduction() && snapshots.Current.Gateway.Clients.Count == 0)
        {
            ConfigurationLog.NoClients(log);
        }

        app.Services.GetRequiredService<ConfigurationReloads>().Observe(files);
    }

    private static Func<T> InForce<T>(IServiceProvider services, Func<GatewaySnapshot, T> read)
    {
        var snapshots = services.GetRequiredService<GatewaySnapshots>();
        return () => read(snapshots.Current);
    }
}
