using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace XefAI.Governance;

/// <summary>The configured use cases, swapped as a whole when configuration reloads.</summary>
internal sealed partial class UseCaseRegistry : IUseCaseRegistry, IDisposable
{
    private readonly ILogger<UseCaseRegistry> _logger;
    private readonly IDisposable? _subscription;

    // Readers take this reference once per call and never lock; a reload replaces it whole.
    private Snapshot _snapshot;

    public UseCaseRegistry(IOptionsMonitor<GovernanceOptions> options, ILogger<UseCaseRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        _snapshot = Snapshot.From(options.CurrentValue);

        // OptionsMonitor only calls back with options that passed validation; a bad edit never gets here.
        _subscription = options.OnChange(OnChanged);
    }

    public IReadOnlyCollection<UseCase> All => Volatile.Read(ref _snapshot).All;

    public bool TryGet(string id, [NotNullWhen(true)] out UseCase? useCase)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Volatile.Read(ref _snapshot).ById.TryGetValue(id, out useCase);
    }

    public void Dispose() => _subscription?.Dispose();

    private void OnChanged(GovernanceOptions options, string? name)
    {
        if (name != Options.DefaultName)
        {
            return;
        }

        var snapshot = Snapshot.From(options);
        Volatile.Write(ref _snapshot, snapshot);
        LogReloaded(_logger, snapshot.ById.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Use-case registry reloaded: {Count} use cases.")]
    private static partial void LogReloaded(ILogger logger, int count);

    private sealed class Snapshot(FrozenDictionary<string, UseCase> byId)
    {
        public FrozenDictionary<string, UseCase> ById { get; } = byId;

        public IReadOnlyCollection<UseCase> All { get; } = [.. byId.Values.OrderBy(u => u.Id, StringComparer.Ordinal)];

        public static Snapshot From(GovernanceOptions options)
        {
            var useCases = options.UseCases.Select(pair => ToUseCase(pair.Key, pair.Value));
            return new Snapshot(useCases.ToFrozenDictionary(u => u.Id, StringComparer.Ordinal));
        }

        private static UseCase ToUseCase(string id, UseCaseOptions options)
        {
            UseCaseOptions.TryParseStatus(options.Status, out var status);
            return new UseCase(
                id,
                options.Name!.Trim(),
                options.Owner!.Trim(),
                options.ClinicalSponsor,
                options.IntendedUse,
                (RiskTier)options.Tier,
                status,
                [.. options.Providers.Select(p => p.Trim())],
                options.StatusReason);
        }
    }
}
