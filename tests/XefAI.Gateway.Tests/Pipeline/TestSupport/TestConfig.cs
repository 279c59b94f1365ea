using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline.TestSupport;

/// <summary>
/// A configuration snapshot made from test options, as the gateway makes one per call: one app, three use cases
/// (tier 2 served in process, tier 1 at a vendor, tier 3 held for review) and their deployments.
/// </summary>
internal static class TestConfig
{
    public const string AppId = "test-app";
    public const string ClientKey = "step-test-client-key";

    public static UseCase Summary { get; } = new(
        "summary", "Chart summary", "Test owner", null, null, RiskTier.Operational, UseCaseStatus.Active, ["local"]);

    public static UseCase VendorChat { get; } = new(
        "vendor-chat", "Vendor chat", "Test owner", null, null, RiskTier.Administrative, UseCaseStatus.Active, ["vendor", "backup"]);

    public static UseCase Held { get; } = new(
        "held-case", "Held", "Test owner", null, null, RiskTier.ClinicalAssistive, UseCaseStatus.Active, ["local"]);

    /// <summary>Configured, but not granted to the test app.</summary>
    public static UseCase Ungranted { get; } = new(
        "ungranted", "Not granted", "Other owner", null, null, RiskTier.Administrative, UseCaseStatus.Active, ["local"]);

    public static ModelDeployment Local { get; } = new("local", "local", null, "xefai-local-extractive", null, HasBaa: false);

    public static ModelDeployment Vendor { get; } = new("vendor", "openai", "vendor", "gpt-4o-mini", "2024-07-18", HasBaa: true);

    public static ModelDeployment Backup { get; } = new("backup", "openai", "backup", "gpt-4o", null, HasBaa: false, ModelLifecycle.Deprecated, new DateOnly(2030, 1, 31));

    public static GatewayOptions Options(Action<GatewayOptions>? configure = null)
    {
        var options = new GatewayOptions();
        options.Clients[AppId] = new ClientAppOptions
        {
            ApiKeySha256 = ApiKeyDirectory.HashKey(ClientKey),
            UseCases = [Summary.Id, VendorChat.Id, Held.Id],
        };
        configure?.Invoke(options);
        return options;
    }

    public static GatewaySnapshot Snapshot(
        Action<GatewayOptions>? configure = null, IEnumerable<UseCase>? useCases = null, IEnumerable<ModelDeployment>? models = null)
    {
        var options = Options(configure);
        return new GatewaySnapshot(
            1,
            options,
            new ResilienceOptions { MaxRetries = 0 },
            ApiKeyDirectory.From(options),
            new UseCaseTable(useCases ?? [Summary, VendorChat, Held, Ungranted]),
            new ModelTable(models ?? [Local, Vendor, Backup]));
    }

    /// <summary>What hands each call its snapshot, as the gateway's pipeline gets it.</summary>
    public static GatewaySnapshots Snapshots(Action<GatewayOptions>? configure = null)
    {
        return GatewaySnapshots.Of(Snapshot(configure));
    }

    /// <summary>Options that never change, for the few gateway types that follow reloads.</summary>
    public sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    private sealed class UseCaseTable(IEnumerable<UseCase> useCases) : IUseCaseRegistry
    {
        private readonly Dictionary<string, UseCase> _byId = useCases.ToDictionary(u => u.Id, StringComparer.Ordinal);

        public IReadOnlyCollection<UseCase> All => _byId.Values;

        public bool TryGet(string id, [NotNullWhen(true)] out UseCase? useCase) => _byId.TryGetValue(id, out useCase);
    }

    private sealed class ModelTable(IEnumerable<ModelDeployment> deployments) : IModelRegistry
    {
        private readonly Dictionary<string, ModelDeployment> _byId = deployments.ToDictionary(d => d.Id, StringComparer.Ordinal);

        public IReadOnlyCollection<ModelDeployment> All => _byId.Values;

        public bool TryGet(string deploymentId, [NotNullWhen(true)] out ModelDeployment? deployment) => _byId.TryGetValue(deploymentId, out deployment);
    }
}
