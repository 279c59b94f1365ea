using System.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scrutor;
using XefAI.Data;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Plugins;

/// <summary>Registers every plugin found by scanning, once each, so scanning twice is harmless.</summary>
internal static class PluginServiceCollectionExtensions
{
    /// <summary>The plugin seams of the four layers.</summary>
    public static readonly Type[] PluginInterfaces =
    [
        typeof(IModelProvider),
        typeof(IClinicalContextSource),
        typeof(IPolicy),
        typeof(IAuditStore),
        typeof(IGovernanceStateStore),
        typeof(IIngressProtocol),
        typeof(IOutputCheck),
    ];

    public static IServiceCollection AddXefAIPlugins(this IServiceCollection services, IEnumerable<Assembly> assemblies)
    {
        services.Scan(scan => scan
            .FromAssemblies(assemblies)
            .AddClasses(classes => classes.AssignableToAny(PluginInterfaces), publicOnly: false)
            .UsingRegistrationStrategy(TryAddEnumerableStrategy.Instance)
            .As(type => PluginInterfaces.Where(i => i.IsAssignableFrom(type)))
            .WithSingletonLifetime());
        return services;
    }

    /// <summary>Scrutor appends by default; plugin lists want one registration per implementation.</summary>
    private sealed class TryAddEnumerableStrategy : RegistrationStrategy
    {
        public static readonly TryAddEnumerableStrategy Instance = new();

        public override void Apply(IServiceCollection services, ServiceDescriptor descriptor) => services.TryAddEnumerable(descriptor);
    }
}
