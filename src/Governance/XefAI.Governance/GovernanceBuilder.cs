using Microsoft.Extensions.DependencyInjection;

namespace XefAI.Governance;

internal sealed class GovernanceBuilder(IServiceCollection services) : IGovernanceBuilder
{
    public IServiceCollection Services { get; } = services;
}
