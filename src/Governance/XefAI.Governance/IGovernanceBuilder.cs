using Microsoft.Extensions.DependencyInjection;

namespace XefAI.Governance;

/// <summary>Returned by <c>AddXefAIGovernance</c>; optional governance features hang off it.</summary>
public interface IGovernanceBuilder
{
    IServiceCollection Services { get; }
}
