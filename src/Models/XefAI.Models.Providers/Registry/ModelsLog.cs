using Microsoft.Extensions.Logging;

namespace XefAI.Models.Providers.Registry;

internal static partial class ModelsLog
{
    [LoggerMessage(1, LogLevel.Error, "Models configuration rejected; a running gateway keeps its previous model registry: {Errors}")]
    public static partial void ConfigurationRejected(ILogger logger, string errors);

    [LoggerMessage(2, LogLevel.Information, "Model registry loaded {Count} deployments: {DeploymentIds}")]
    public static partial void RegistryLoaded(ILogger logger, int count, string deploymentIds);
}
