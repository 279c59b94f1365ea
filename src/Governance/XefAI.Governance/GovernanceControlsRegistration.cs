using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace XefAI.Governance;

/// <summary>
/// The services behind risk-tier controls, use-case administration, incidents and governance state; part of
/// <see cref="GovernanceServiceCollectionExtensions.AddXefAIGovernance"/>.
/// </summary>
internal static class GovernanceControlsRegistration
{
    public static IServiceCollection AddGovernanceControls(this IServiceCollection services)
    {
        services.TryAddSingleton<RiskTierControlsSource>();
        services.TryAddSingleton<LastGoodGovernanceOptions>();

        // The built-in state store; a plugin store of another kind is added by the host's scan.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGovernanceStateStore, SqliteGovernanceStateStore>());
        services.TryAddSingleton<GovernanceStateCache>();
        services.TryAddSingleton<IUseCaseAdministration, UseCaseAdministration>();
        services.TryAddSingleton<IDeploymentSuspensions, DeploymentSuspensions>();
        services.TryAddSingleton<IIncidentReporter, IncidentReporter>();
        services.TryAddSingleton<IErrorRateMonitor, ErrorRateMonitor>();

        // Held answers live beside the rest of the governance state, in the same database.
        services.AddOptions<Reviews.ReviewOptions>().BindConfiguration(Reviews.ReviewOptions.SectionName);
        services.TryAddSingleton<IReviewQueue, Reviews.SqliteReviewQueue>();
        return services;
    }
}
