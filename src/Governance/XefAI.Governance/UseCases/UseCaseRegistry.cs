using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace XefAI.Governance;

/// <summary>
/// Builds the use cases of one configuration, for a host that reads every layer's configuration as one snapshot:
/// the use cases, and the controls of their risk tiers, stay those of the options given however configuration is
/// edited later; their statuses stay live.
/// </summary>
public interface IUseCaseRegistryFactory
{
    /// <summary>The use cases of <paramref name="options"/>, which must have passed validation.</summary>
    /// <remarks>
    /// A use case's status is governance state, not configuration: an approval, suspension or retirement recorded in
    /// the governance state store shows in the registry returned as soon as it shows anywhere in this process.
    /// </remarks>
    IUseCaseRegistry Create(GovernanceOptions options);
}

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

    // Readers take this reference once per call and never lock; a reload replaces it whole.
    private ConfiguredUseCases _current;

    public UseCaseRegistry(IOptionsMonitor<GovernanceOptions> options, GovernanceStateCache state, ILogger<UseCaseRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _logger = logger;
        _current = new ConfiguredUseCases(options.CurrentValue, state);

        // OptionsMonitor only calls back with options that passed validation; a bad edit never gets here.
        _subscription = options.OnChange(OnChanged);
    }

    public IReadOnlyCollection<UseCase> All => Volatile.Read(ref _current).All;

    public bool TryGet(string id, [NotNullWhen(true)] out UseCase? useCase) => Volatile.Read(ref _current).TryGet(id, out useCase);

    public void Dispose() => _subscription?.Dispose();

    /// <summary>A use case as configured, before any status change recorded in the governance state store.</summary>
    internal static UseCase ToUseCase(string id, UseCaseOptions options, TierControls? controls = null)
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
            TierControls = controls,
            DeIdentificationOptOut = options.DeIdentification is { OptOut: true, Reason: { } reason } ? reason.Trim() : null,
            OutputLabels = [.. (options.OutputLabels ?? []).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.Trim())],
        };
    }

    private void OnChanged(GovernanceOptions options, string? name)
    {
        if (name != Options.DefaultName)
        {
            return;
        }

        var configured = new ConfiguredUseCases(options, _state);
        Volatile.Write(ref _current, configured);
        LogReloaded(_logger, configured.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Use-case registry reloaded: {Count} use cases.")]
    private static partial void LogReloaded(ILogger logger, int count);
}

/// <inheritdoc cref="IUseCaseRegistryFactory"/>
internal sealed class UseCaseRegistryFactory(GovernanceStateCache state) : IUseCaseRegistryFactory
{
    public IUseCaseRegistry Create(GovernanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ConfiguredUseCases(options, state);
    }
}

/// <summary>
/// The use cases of one configuration, each carrying its tier's controls from that same configuration; never
/// changed once built. Statuses recorded in the governance state store are laid over the configured ones on read.
/// </summary>
internal sealed class ConfiguredUseCases : IConfiguredUseCaseRegistry
{
    private readonly FrozenDictionary<string, UseCase> _configured;
    private readonly GovernanceStateCache _state;
    private View? _view;

    public ConfiguredUseCases(GovernanceOptions options, GovernanceStateCache state)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tiers = RiskTierControls.From(options);
        _configured = options.UseCases
            .Select(pair => UseCaseRegistry.ToUseCase(pair.Key, pair.Value, tiers.For((RiskTier)pair.Value.Tier)))
            .ToFrozenDictionary(u => u.Id, StringComparer.Ordinal);
        _state = state;
    }

    public int Count => _configured.Count;

    public IReadOnlyCollection<UseCase> Configured => _configured.Values;

    public IReadOnlyCollection<UseCase> All => Current().All;

    public bool TryGet(string id, [NotNullWhen(true)] out UseCase? useCase)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Current().ById.TryGetValue(id, out useCase);
    }

    private View Current()
    {
        var state = _state.Current;
        var view = Volatile.Read(ref _view);
        if (view is null || !ReferenceEquals(view.State, state))
        {
            // Two threads may both rebuild; either result is the same.
            view = new View(_configured, state);
            Volatile.Write(ref _view, view);
        }

        return view;
    }

    /// <summary>The configured use cases with the statuses of one state of the store.</summary>
    private sealed class View
    {
        public View(FrozenDictionary<string, UseCase> configured, GovernanceStateView state)
        {
            State = state;
            ById = configured.Values
                .Select(u => WithState(u, state))
                .ToFrozenDictionary(u => u.Id, StringComparer.Ordinal);
            All = [.. ById.Values.OrderBy(u => u.Id, StringComparer.Ordinal)];
        }

        public GovernanceStateView State { get; }

        public FrozenDictionary<string, UseCase> ById { get; }

        public IReadOnlyCollection<UseCase> All { get; }

        // Once per configuration and state, so a call's status check is a field read.
        private static UseCase WithState(UseCase configured, GovernanceStateView state)
        {
            var latest = state.UseCases.GetValueOrDefault(configured.Id);
            var useCase = latest is null ? configured : configured with { Status = latest.To, StatusReason = latest.Reason };
            return ClinicalDecisionSupportActivation.Refusal(useCase, latest, state) is { } refusal
                ? useCase with { ActivationRefusal = refusal }
                : useCase;
        }
    }
}
