using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// Every layer's configuration as one call sees it. A call takes the current snapshot when it starts and reads only
/// that one until it ends, so it never mixes settings from before and after an edit.
/// </summary>
internal sealed class GatewaySnapshot(
    long version,
    GatewayOptions gateway,
    ResilienceOptions resilience,
    ApiKeyDirectory keys,
    IUseCaseRegistry useCases,
    IModelRegistry models)
{
    /// <summary>Increases with each accepted reload; for logs and tests.</summary>
    public long Version { get; } = version;

    public GatewayOptions Gateway { get; } = gateway;

    public ResilienceOptions Resilience { get; } = resilience;

    public ApiKeyDirectory Keys { get; } = keys;

    public IUseCaseRegistry UseCases { get; } = useCases;

    public IModelRegistry Models { get; } = models;
}

/// <summary>Hands each call the configuration snapshot in force.</summary>
internal sealed class GatewaySnapshots(
    LastGoodOptions<GatewayOptions> gateway,
    LastGoodOptions<ResilienceOptions> resilience,
    ApiKeyDirectory keys,
    IUseCaseRegistry useCases,
    IModelRegistry models)
{
    public GatewaySnapshot Current => new(0, gateway.Value, resilience.Value, keys, useCases, models);
}
