using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace XefAI.Models.Providers.Registry;

/// <summary>
/// Builds the deployments of one configuration, for a host that reads every layer's configuration as one snapshot:
/// the registry returned never changes, however the <c>Models</c> section is edited later.
/// </summary>
public interface IModelRegistryFactory
{
    /// <summary>The deployments of <paramref name="options"/>, which must have passed validation.</summary>
    IModelRegistry Create(ModelsOptions options);
}

/// <summary>The configured model deployments, rebuilt whenever the <c>Models</c> section reloads.</summary>
/// <remarks>
/// Lookups read one immutable snapshot, so they take no lock and never see half a reload. An invalid edit
/// never reaches <see cref="IOptionsMonitor{TOptions}.OnChange(Action{TOptions, string?})"/>, so the last
/// valid snapshot stays.
/// </remarks>
internal sealed class ModelRegistry : IModelRegistry, IDisposable
{
    private readonly IDisposable? _subscription;
    private volatile IModelRegistry _snapshot;

    public ModelRegistry(IOptionsMonitor<ModelsOptions> options, ILogger<ModelRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var factory = new ModelRegistryFactory();
        _snapshot = Load(factory, options.CurrentValue, logger);
        _subscription = options.OnChange((value, name) =>
        {
            if (name == Options.DefaultName)
            {
                _snapshot = Load(factory, value, logger);
            }
        });
    }

    public IReadOnlyCollection<ModelDeployment> All => _snapshot.All;

    public bool TryGet(string deploymentId, [NotNullWhen(true)] out ModelDeployment? deployment) =>
        _snapshot.TryGet(deploymentId, out deployment);

    public void Dispose() => _subscription?.Dispose();

    private static IModelRegistry Load(ModelRegistryFactory factory, ModelsOptions options, ILogger logger)
    {
        var loaded = factory.Create(options);
        ModelsLog.RegistryLoaded(logger, loaded.All.Count, string.Join(", ", loaded.All.Select(deployment => deployment.Id)));
        return loaded;
    }

    internal static ModelLifecycle? ParseLifecycle(string? value) =>
        string.IsNullOrWhiteSpace(value) ? ModelLifecycle.Active
        : Enum.TryParse<ModelLifecycle>(value.Trim(), ignoreCase: true, out var lifecycle) && Enum.IsDefined(lifecycle) ? lifecycle
        : null;

    internal static ModelDeployment ToDeployment(string id, ModelDeploymentOptions options) => new(
        id,
        options.Kind?.Trim() ?? string.Empty,
        string.IsNullOrWhiteSpace(options.Cluster) ? null : options.Cluster.Trim(),
        options.Model?.Trim() ?? string.Empty,
        string.IsNullOrWhiteSpace(options.Version) ? null : options.Version.Trim(),
        options.Baa,
        ParseLifecycle(options.Lifecycle) ?? ModelLifecycle.Active,
        options.SunsetDate,
        options.InputPricePer1K is { } input && options.OutputPricePer1K is { } output ? new ModelPricing(input, output) : null,
        options.EmbeddingDimensions,
        ParseOperations(options.Operations) ?? ModelOperations.Any);

    /// <returns>The operations named, <see cref="ModelOperations.Any"/> when none are, or null when one is unknown.</returns>
    internal static ModelOperations? ParseOperations(IReadOnlyList<string>? values)
    {
        if (values is null || values.Count == 0)
        {
            return ModelOperations.Any;
        }

        var operations = (ModelOperations)0;
        foreach (var value in values)
        {
            if (!Enum.TryParse<ModelOperations>(value?.Trim(), ignoreCase: true, out var operation) || operation is not (ModelOperations.Chat or ModelOperations.Embeddings))
            {
                return null;
            }

            operations |= operation;
        }

        return operations;
    }

    /// <summary>The deployments of one configuration; immutable, so lookups take no lock.</summary>
    internal sealed class ConfiguredDeployments : IModelRegistry
    {
        private readonly FrozenDictionary<string, ModelDeployment> _byId;

        public ConfiguredDeployments(ModelDeployment[] deployments)
        {
            // Configuration keys are case-insensitive, so ids are too.
            _byId = deployments.ToFrozenDictionary(deployment => deployment.Id, StringComparer.OrdinalIgnoreCase);
            All = deployments.AsReadOnly();
        }

        public IReadOnlyCollection<ModelDeployment> All { get; }

        public bool TryGet(string deploymentId, [NotNullWhen(true)] out ModelDeployment? deployment)
        {
            ArgumentNullException.ThrowIfNull(deploymentId);
            return _byId.TryGetValue(deploymentId, out deployment);
        }
    }
}

/// <inheritdoc cref="IModelRegistryFactory"/>
/// <remarks>Logs nothing: the host that builds a registry per snapshot reports the snapshot, accepted or refused.</remarks>
internal sealed class ModelRegistryFactory : IModelRegistryFactory
{
    public IModelRegistry Create(ModelsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var deployments = options.Deployments
            .Where(pair => pair.Value is not null)
            .Select(pair => ModelRegistry.ToDeployment(pair.Key, pair.Value))
            .OrderBy(deployment => deployment.Id, StringComparer.OrdinalIgnoreCase)
            .ToArray();
        return new ModelRegistry.ConfiguredDeployments(deployments);
    }
}
