using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using XefAI.Governance.Reviews;

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

        // The built-in state stores; a plugin store of another kind is added by the host's scan.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGovernanceStateStore, SqliteGovernanceStateStore>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGovernanceStateStore, PostgresGovernanceStateStore>());
        services.TryAddSingleton<GovernanceStateCache>();
        services.TryAddSingleton<IGovernanceReadiness>(sp => sp.GetRequiredService<GovernanceStateCache>());
        services.TryAddSingleton<IGovernanceStateSync>(sp => sp.GetRequiredService<GovernanceStateCache>());
        services.TryAddSingleton<IUseCaseRegistryFactory, UseCaseRegistryFactory>();
        services.TryAddSingleton<IUseCaseAdministration, UseCaseAdministration>();
        services.TryAddSingleton<IDeploymentSuspensions, DeploymentSuspensions>();
        services.TryAddSingleton<IIncidentReporter, IncidentReporter>();
        services.TryAddSingleton<IErrorRateMonitor, ErrorRateMonitor>();

        // Held answers live beside the rest of the governance state, in the same database: on PostgreSQL when
        // the state is, so any replica can decide a review another one held; otherwise in the SQLite file.
        services.AddOptions<ReviewOptions>().BindConfiguration(ReviewOptions.SectionName);
        services.TryAddSingleton<SqliteReviewQueue>();
        services.TryAddSingleton<PostgresReviewQueue>();
        services.TryAddSingleton<IReviewQueue>(SelectReviewQueue);

        // Accepted client token ids, in the same database, so a replica refuses a token another one accepted.
        services.TryAddSingleton<SqliteTokenReplayStore>();
        services.TryAddSingleton<PostgresTokenReplayStore>();
        services.TryAddSingleton<ITokenReplayStore>(SelectTokenReplayStore);
        return services;
    }

    private static ITokenReplayStore SelectTokenReplayStore(IServiceProvider services) =>
        IsPostgres(services) ? services.GetRequiredService<PostgresTokenReplayStore>() : services.GetRequiredService<SqliteTokenReplayStore>();

    private static bool IsPostgres(IServiceProvider services) => string.Equals(
        services.GetRequiredService<IOptions<GovernanceOptions>>().Value.StateStore,
        PostgresGovernanceStateStore.StoreKind,
        StringComparison.OrdinalIgnoreCase);

    private static IReviewQueue SelectReviewQueue(IServiceProvider services) =>
        string.Equals(
            services.GetRequiredService<IOptions<GovernanceOptions>>().Value.StateStore,
            PostgresGovernanceStateStore.StoreKind,
            StringComparison.OrdinalIgnoreCase)
            ? services.GetRequiredService<PostgresReviewQueue>()
            : services.GetRequiredService<SqliteReviewQueue>();
}
