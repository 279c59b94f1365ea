using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace XefAI.Governance;

/// <summary>The governance layer's one registration entry.</summary>
public static class GovernanceServiceCollectionExtensions
{
    /// <summary>
    /// Registers the use-case registry, policy engine, audit trail and metrics, with their options bound
    /// from <c>Governance</c> (use cases and risk tiers) and <c>Audit</c> and validated at start-up.
    /// </summary>
    /// <remarks>
    /// Policies (<see cref="IPolicy"/>) and audit stores (<see cref="IAuditStore"/>) are plugins: the host
    /// finds them by assembly scanning, so none is registered here.
    /// </remarks>
    public static IGovernanceBuilder AddXefAIGovernance(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddLogging();
        services.AddMetrics();

        services.AddOptions<GovernanceOptions>()
            .Bind(configuration.GetSection(GovernanceOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GovernanceOptions>, GovernanceOptionsValidator>());

        services.AddOptions<AuditOptions>()
            .Bind(configuration.GetSection(AuditOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IUseCaseRegistry, UseCaseRegistry>();
        services.TryAddSingleton<IPolicyEngine, PolicyEngine>();
        services.AddGovernanceControls();
        services.TryAddSingleton<IAuditTrail, AuditTrail>();
        services.TryAddSingleton<AuditVerifications>();
        services.TryAddSingleton<IAuditVerifications>(provider => provider.GetRequiredService<AuditVerifications>());
        services.AddHostedService(provider => provider.GetRequiredService<AuditVerifications>());
        services.TryAddSingleton<IGatewayMetrics, GatewayMetrics>();

        return new GovernanceBuilder(services);
    }
}
