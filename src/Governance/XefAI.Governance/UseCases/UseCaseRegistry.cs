using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace XefAI.Governance;

/// <summary>
/// The configured use cases, swapped as a whole when configuration reloads, with the latest status recorded
/// in the governance state store (approvals, suspensions, retirements) laid over the configured one.
/// </summary>
/// <remarks>
/// A status change applied in this process shows at once; one applied by another replica shows once the
/// state cache's poll has seen it. Once a use case has a recorded change, its configured status and reason
/// no longer apply.
/// </remarks>
internal sealed partial class UseCaseRegistry : IUseCaseRegistry, IDisposable
{
    private readonly GovernanceStateCache _state;
    private readonly ILogger<UseCaseRegistry> _logger;
    private readonly IDisposable? _subscription;

    // Readers take these references once per call and never lock; a reload or a state change replaces them whole.
    private FrozenDictionary<string, UseCase> _configured;
    private Snapshot? _snapshot;

    public UseCaseRegistry(IOptionsMonitor<GovernanceOptions> options, GovernanceStateCache state, ILogger<UseCaseRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _logger = logger;
        _configured = Configure(options.CurrentValue);

        // OptionsMonitor only calls back with options that passed validation; a bad edit never gets here.
        _subscription = options.OnChange(OnChanged);
    }

    public IReadOnlyCollection<UseCase> All => Current().All;

    public bool TryGet(string id, [NotNullWhen(true)] out UseCase? useCase)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Current().ById.TryGetValue(id, out useCase);
    }

    public void Dispose() => _subscription?.Dispose();

    /// <summary>A use case as configured, before any status change recorded in the governance state store.</summary>
    internal static UseCase ToUseCase(string id, UseCaseOptions options)
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
            options.StatusReason)
        {
            AllowedApps = [.. (options.AllowedApps ?? []).Select(a => a.Trim())],
            OutOfScopeUse = options.OutOfScopeUse,
            PromptTemplate = options.PromptTemplate is { Id: { } templateId, Version: { } version }
                ? new PromptTemplateReference(templateId.Trim(), version.Trim())
                : null,
            ModelCard = options.ModelCard,
        };
    }

    private static FrozenDictionary<string, UseCase> Configure(GovernanceOptions options) =>
        options.UseCases.Select(pair => ToUseCase(pair.Key, pair.Value)).ToFrozenDictionary(u => u.Id, StringComparer.Ordinal);

    private Snapshot Current()
    {
        var configured = Volatile.Read(ref _configured);
        var state = _state.Current;
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null || !ReferenceEquals(snapshot.Configured, configured) || !ReferenceEquals(snapshot.State, state))
        {
            // Two threads may both rebuild; either result is the same.
            snapshot = new Snapshot(configured, state);
            Volatile.Write(ref _snapshot, snapshot);
        }

        return snapshot;
    }

    private void OnChanged(GovernanceOptions options, string? name)
    {
        if (name != Options.DefaultName)
        {
            return;
        }

        var configured = Configure(options);
        Volatile.Write(ref _configured, configured);
        LogReloaded(_logger, configured.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Use-case registry reloaded: {Count} use cases.")]
    private static partial void LogReloaded(ILogger logger, int count);

    private sealed class Snapshot
    {
        public Snapshot(FrozenDictionary<string, UseCase> configured, GovernanceStateView state)
        {
            Configured = configured;
            State = state;
            ById = configured.Values
                .Select(u => state.UseCases.TryGetValue(u.Id, out var change) ? u with { Status = change.To, StatusReason = change.Reason } : u)
                .ToFrozenDictionary(u => u.Id, StringComparer.Ordinal);
            All = [.. ById.Values.OrderBy(u => u.Id, StringComparer.Ordinal)];
        }

        public FrozenDictionary<string, UseCase> Configured { get; }

        public GovernanceStateView State { get; }

        public FrozenDictionary<string, UseCase> ById { get; }

        public IReadOnlyCollection<UseCase> All { get; }
    }
}
