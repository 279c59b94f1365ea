using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace XefAI.Models.Providers.Registry;

/// <summary>The configured model deployments, rebuilt whenever the <c>Models</c> section reloads.</summary>
/// <remarks>
/// Lookups read one immutable snapshot, so they take no lock and never see half a reload. An invalid edit
/// never reaches <see cref="IOptionsMonitor{TOptions}.OnChange(Action{TOptions, string?})"/>, so the last
/// valid snapshot stays.
/// </remarks>
internal sealed class ModelRegistry : IModelRegistry, IDisposable
{
    private readonly ILogger<ModelRegistry> _logger;
    private readonly IDisposable? _subscription;
    private volatile Snapshot _snapshot;

    public ModelRegistry(IOptionsMonitor<ModelsOptions> options, ILogger<ModelRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        _snapshot = Load(options.CurrentValue);
        _subscription = options.OnChange((value, name) =>
        {
            if (name == Options.DefaultName)
            {
                _snapshot = Load(value);
            }
        });
    }

    public IReadOnlyCollection<ModelDeployment> All => _snapshot.All;

    public bool TryGet(string deploymentId, [NotNullWhen(true)] out ModelDeployment? deployment)
    {
        ArgumentNullException.ThrowIfNull(deploymentId);
        return _snapshot.ById.TryGetValue(deploymentId, out deployment);
    }

    public void Dispose() => _subscription?.Dispose();

    private Snapshot Load(ModelsOptions options)
    {
        var deployments = options.Deployments
            .Where(pair => pair.Value is not null)
            .Select(pair => ToDeployment(pair.Key, pair.Value))
            .OrderBy(deployment => deployment.Id, StringComparer.OrdinalIgnoreCase)
            .ToArray();

        // Configuration keys are case-insensitive, so ids are too.
        var snapshot = new Snapshot(
            deployments.ToFrozenDictionary(deployment => deployment.Id, StringComparer.OrdinalIgnoreCase),
            deployments.AsReadOnly());
        ModelsLog.RegistryLoaded(_logger, deployments.Length, string.Join(", ", deployments.Select(deployment => deployment.Id)));
        return snapshot;
    }

    private static ModelDeployment ToDeployment(string id, ModelDeploymentOptions options) => new(
        id,
        options.Kind?.Trim() ?? string.Empty,
        string.IsNullOrWhiteSpace(options.Cluster) ? null : options.Cluster.Trim(),
        options.Model?.Trim() ?? string.Empty,
        string.IsNullOrWhiteSpace(options.Version) ? null : options.Version.Trim(),
        options.Baa,
        ParseLifecycle(options.Lifecycle) ?? ModelLifecycle.Active,
        options.SunsetDate,
        options.InputPricePer1K is { } input && options.OutputPricePer1K is { } output ? new ModelPricing(input, output) : null,
        options.EmbeddingDimensions);

    internal static ModelLifecycle? ParseLifecycle(string? value) =>
        string.IsNullOrWhiteSpace(value) ? ModelLifecycle.Active
        : Enum.TryParse<ModelLifecycle>(value.Trim(), ignoreCase: true, out var lifecycle) && Enum.IsDefined(lifecycle) ? lifecycle
        : null;

    private sealed record Snapshot(FrozenDictionary<string, ModelDeployment> ById, IReadOnlyCollection<ModelDeployment> All);
}
