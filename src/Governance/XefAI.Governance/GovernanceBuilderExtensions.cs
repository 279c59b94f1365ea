using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace XefAI.Governance;

/// <summary>Optional registrations on <see cref="IGovernanceBuilder"/>.</summary>
public static class GovernanceBuilderExtensions
{
    /// <summary>Adds a policy to the engine; adding the same policy type twice registers it once.</summary>
    public static IGovernanceBuilder AddPolicy<TPolicy>(this IGovernanceBuilder builder)
        where TPolicy : class, IPolicy
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPolicy, TPolicy>());
        return builder;
    }
}
