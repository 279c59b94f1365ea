using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace XefAI.Models.Providers.Registry;

/// <summary>Checks every deployment and reports all problems at once.</summary>
/// <remarks>
/// Provider kinds are not checked here: HTTP providers may come from plugin assemblies the host loads,
/// so only the host knows them all.
/// </remarks>
internal sealed class ModelsOptionsValidator(ILogger<ModelsOptionsValidator> logger) : IValidateOptions<ModelsOptions>
{
    /// <summary>Larger than any embedding model's vectors; the bound keeps a typo from costing memory per call.</summary>
    public const int MaxEmbeddingDimensions = 8192;

    public ValidateOptionsResult Validate(string? name, ModelsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var errors = new List<string>();
        foreach (var (id, deployment) in options.Deployments.OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase))
        {
            var path = $"{ModelsOptions.SectionName}:Deployments:{id}";
            if (deployment is null)
            {
                errors.Add($"{path} is empty.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(deployment.Kind))
            {
                errors.Add($"{path}:Kind is required.");
            }

            if (string.IsNullOrWhiteSpace(deployment.Model))
            {
                errors.Add($"{path}:Model is required.");
            }

            if (deployment.Cluster is not null && string.IsNullOrWhiteSpace(deployment.Cluster))
            {
                errors.Add($"{path}:Cluster is blank; remove it or name a cluster.");
            }

            var lifecycle = ModelRegistry.ParseLifecycle(deployment.Lifecycle);
            if (lifecycle is null || int.TryParse(deployment.Lifecycle, out _))
            {
                errors.Add($"{path}:Lifecycle '{deployment.Lifecycle}' is not one of candidate, validated, active, deprecated, retired.");
            }
            else if (lifecycle == ModelLifecycle.Deprecated && deployment.SunsetDate is null)
            {
                errors.Add($"{path}:SunsetDate is required for a deprecated deployment.");
            }

            if (deployment.InputPricePer1K is null != deployment.OutputPricePer1K is null)
            {
                errors.Add($"{path}: set both InputPricePer1K and OutputPricePer1K, or neither.");
            }
            else if (deployment.InputPricePer1K < 0 || deployment.OutputPricePer1K < 0)
            {
                errors.Add($"{path}: prices cannot be negative.");
            }

            if (deployment.EmbeddingDimensions is < 1 or > MaxEmbeddingDimensions)
            {
                errors.Add($"{path}:EmbeddingDimensions must be from 1 to {MaxEmbeddingDimensions}.");
            }

            if (ModelRegistry.ParseOperations(deployment.Operations) is null)
            {
                errors.Add($"{path}:Operations may name only chat and embeddings.");
            }
        }

        if (errors.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        // At start-up the host also refuses to start; at run time this line is the only trace of a rejected
        // edit, because OptionsMonitor throws on the reload thread and the registry keeps the last good set.
        ModelsLog.ConfigurationRejected(logger, string.Join(" ", errors));
        return ValidateOptionsResult.Fail(errors);
    }
}
