using System.Collections.Frozen;
using Microsoft.Extensions.Logging;

namespace XefAI.Governance;

/// <summary>
/// The latest persisted use-case statuses and deployment suspensions, and the clinical sponsors' approvals on record,
/// held in memory for the per-call policies.
/// Loaded on first use, updated at once by this process's own changes, and polled every
/// <c>Governance:StatePollInterval</c> for changes made by other replicas sharing the store.
/// </summary>
/// <remarks>
/// The poll asks the store for its version only and loads the state again only when it moved. A store that
/// cannot be read at first use fails the call (fail closed: a suspension must not be forgotten); a failed
/// poll keeps the last state and is retried on the next tick.
/// </remarks>
internal sealed partial class GovernanceStateCache : IGovernanceReadiness, IGovernanceStateSync, IDisposable
{
    private readonly LastGoodGovernanceOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<GovernanceStateCache> _logger;
    private readonly Lock _loadLock = new();
    private GovernanceStateView? _view;
    private ITimer? _timer;
    private TimeSpan _pollInterval;
    private int _polling;
    private bool _pollFailing;
    private int _disposed;

    // Loads that failed, all told. A caller that waited for the lock while one failed is refused at once rather than
    // trying again in its turn: with the store hanging, each caller blocked a thread for a whole attempt, one after
    // the other, until the thread pool starved and even /healthz stopped answering (fault round 27).
    private int _failedLoads;

    // When a failed load may be tried again (UTC ticks): a second after it failed. A call reads the state more than once
    // (the pipeline, its audit, the metric series), and each read of a hanging store blocked for a whole attempt; in the
    // second after a failure every read is refused at once, so a hanging store costs one blocked thread a second.
    private long _retryAfterTicks;

    /// <summary>How long after a failed load every read is refused at once rather than trying the store again.</summary>
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    public GovernanceStateCache(
        IEnumerable<IGovernanceStateStore> stores,
        LastGoodGovernanceOptions options,
        TimeProvider timeProvider,
        ILogger<GovernanceStateCache> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        Store = SelectStore(stores, options.Value.StateStore);
    }

    /// <summary>The store configuration selects (<c>Governance:StateStore</c>).</summary>
    public IGovernanceStateStore Store { get; }

    /// <summary>The state now; the first read loads it from the store and starts polling.</summary>
    public GovernanceStateView Current => Volatile.Read(ref _view) ?? Load();

    /// <inheritdoc/>
    /// <remarks>
    /// A replica whose first load failed refuses every call (503 <c>governance_state_unavailable</c>), and a load
    /// balancer that routes no calls to a replica it sees unready would never give it one to try again with: the probe
    /// tries itself, one caller at a time, as a call does.
    /// </remarks>
    public ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _view) is not null)
        {
            return ValueTask.FromResult(true);
        }

        return new ValueTask<bool>(Task.Run(
            () =>
            {
                try
                {
                    _ = Load();
                    return true;
                }
                catch (GovernanceStateUnavailableException)
                {
                    return false;
                }
            },
            cancellationToken));
    }

    /// <summary>Makes a change this process stored effective here at once, without waiting for the poll.</summary>
    public void Observe(UseCaseStatusChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Update(view => view.With(change));
    }

    /// <inheritdoc cref="Observe(UseCaseStatusChange)"/>
    public void Observe(DeploymentSuspensionChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Update(view => view.With(change));
    }

    /// <summary>Checks the store's version and reloads when it moved; what each poll does.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var current = Current;
        var version = await Store.GetVersionAsync(cancellationToken);
        if (version == current.Version)
        {
            return;
        }

        var snapshot = await Store.LoadAsync(cancellationToken);
        Update(view => view.Merge(snapshot));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            lock (_loadLock)
            {
                _timer?.Dispose();
            }
        }
    }

    internal static IGovernanceStateStore SelectStore(IEnumerable<IGovernanceStateStore> stores, string? kind)
    {
        ArgumentNullException.ThrowIfNull(stores);
        var known = new List<string>();
        foreach (var store in stores)
        {
            if (string.Equals(store.Kind, kind, StringComparison.OrdinalIgnoreCase))
            {
                return store;
            }

            known.Add(store.Kind);
        }

        var knownKinds = known.Count == 0 ? "none is registered" : "registered kinds: " + string.Join(", ", known);
        throw new InvalidOperationException($"Governance:StateStore is '{kind}', but no governance state store of that kind exists ({knownKinds}).");
    }

    private GovernanceStateView Load()
    {
        // While the store is failing, one caller at a time tries it again; the others are refused at once (503,
        // Retry-After) instead of each holding a thread blocked on the lock.
        var failedBefore = Volatile.Read(ref _failedLoads);
        if (failedBefore != 0)
        {
            if (_timeProvider.GetUtcNow().UtcTicks < Volatile.Read(ref _retryAfterTicks))
            {
                throw Unavailable("it failed less than a second ago");
            }

            if (!_loadLock.TryEnter())
            {
                throw Unavailable("another call is trying it again now");
            }
        }
        else
        {
            _loadLock.Enter();
        }

        try
        {
            if (Volatile.Read(ref _view) is { } loaded)
            {
                return loaded;
            }

            if (Volatile.Read(ref _failedLoads) != failedBefore)
            {
                throw Unavailable("a call that tried it while this one waited failed");
            }

            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            GovernanceStateSnapshot snapshot;
            try
            {
                // Once per process, before the first call is governed: the store is local or a connection away.
                snapshot = Store.LoadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                Volatile.Write(ref _retryAfterTicks, (_timeProvider.GetUtcNow() + RetryDelay).UtcTicks);
                Interlocked.Increment(ref _failedLoads);
                LogLoadFailed(_logger, Store.Kind, ex);

                // Tried again by the next reader: nothing is cached, so an outage at start-up ends with the outage.
                throw new GovernanceStateUnavailableException(
                    $"The governance state store ({Store.Kind}) could not be read ({ex.GetType().Name}).", ex);
            }

            var view = GovernanceStateView.Empty.Merge(snapshot);
            Volatile.Write(ref _view, view);
            _pollInterval = _options.Value.StatePollInterval;
            _timer = _timeProvider.CreateTimer(static state => ((GovernanceStateCache)state!).OnTimer(), this, _pollInterval, _pollInterval);
            return view;
        }
        finally
        {
            _loadLock.Exit();
        }
    }

    private GovernanceStateUnavailableException Unavailable(string why) =>
        new($"The governance state store ({Store.Kind}) could not be read: {why}.");

    private void Update(Func<GovernanceStateView, GovernanceStateView> change)
    {
        var current = Current;
        while (true)
        {
            var updated = change(current);
            var seen = Interlocked.CompareExchange(ref _view, updated, current);
            if (ReferenceEquals(seen, current))
            {
                return;
            }

            current = seen!;
        }
    }

    private void OnTimer()
    {
        // A slow store must not pile polls up: a tick that finds one still running is skipped.
        if (Interlocked.Exchange(ref _polling, 1) != 0)
        {
            return;
        }

        _ = PollAsync();
    }

    private async Task PollAsync()
    {
        try
        {
            await RefreshAsync(CancellationToken.None);
            if (_pollFailing)
            {
                _pollFailing = false;
                LogPollRecovered(_logger, Store.Kind);
            }
        }
        catch (Exception ex) when (_disposed == 0)
        {
            // Logged once per outage, not once per second.
            if (!_pollFailing)
            {
                _pollFailing = true;
                LogPollFailed(_logger, Store.Kind, ex);
            }
        }
        catch (Exception)
        {
            // Disposed while polling: nothing left to keep fresh.
        }
        finally
        {
            ReschedulePoll();
            Volatile.Write(ref _polling, 0);
        }
    }

    private void ReschedulePoll()
    {
        var interval = _options.Value.StatePollInterval;
        lock (_loadLock)
        {
            if (_disposed == 0 && interval != _pollInterval && _timer is not null)
            {
                _pollInterval = interval;
                _timer.Change(interval, interval);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The governance state store ({Kind}) cannot be read; governed calls fail until it can.")]
    private static partial void LogLoadFailed(ILogger logger, string kind, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The governance state store ({Kind}) cannot be polled; changes made by other replicas are not seen until it can.")]
    private static partial void LogPollFailed(ILogger logger, string kind, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The governance state store ({Kind}) can be polled again.")]
    private static partial void LogPollRecovered(ILogger logger, string kind);
}

/// <summary>An immutable view of the latest persisted changes; replaced whole, read without locks.</summary>
internal sealed class GovernanceStateView
{
    private GovernanceStateView(
        long version,
        FrozenDictionary<string, UseCaseStatusChange> useCases,
        FrozenDictionary<string, DeploymentSuspensionChange> deployments,
        FrozenDictionary<string, FrozenSet<string>> sponsorApprovals)
    {
        Version = version;
        UseCases = useCases;
        Deployments = deployments;
        SponsorApprovals = sponsorApprovals;
    }

    public static GovernanceStateView Empty { get; } = new(
        -1,
        FrozenDictionary<string, UseCaseStatusChange>.Empty,
        FrozenDictionary<string, DeploymentSuspensionChange>.Empty,
        FrozenDictionary<string, FrozenSet<string>>.Empty);

    /// <summary>The store version this view was last loaded at; -1 before the first load.</summary>
    public long Version { get; }

    /// <summary>The latest change of each use case that has one.</summary>
    public FrozenDictionary<string, UseCaseStatusChange> UseCases { get; }

    /// <summary>The latest change of each deployment that has one.</summary>
    public FrozenDictionary<string, DeploymentSuspensionChange> Deployments { get; }

    /// <summary>For each use case with one, the clinical sponsors (case-insensitive) whose approval is on record.</summary>
    public FrozenDictionary<string, FrozenSet<string>> SponsorApprovals { get; }

    /// <summary>Whether <paramref name="sponsor"/> approved the use case, as the administration's tier-4 check compares them.</summary>
    public bool HasSponsorApproval(string useCaseId, string sponsor) =>
        SponsorApprovals.TryGetValue(useCaseId, out var sponsors) && sponsors.Contains(sponsor.Trim());

    /// <summary>
    /// This view with a loaded snapshot applied. Histories only grow, so for each id the change with the higher
    /// sequence wins: a change observed in-process after the snapshot was read is not lost.
    /// </summary>
    public GovernanceStateView Merge(GovernanceStateSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var useCases = new Dictionary<string, UseCaseStatusChange>(UseCases, StringComparer.Ordinal);
        foreach (var change in snapshot.UseCases)
        {
            if (!useCases.TryGetValue(change.UseCaseId, out var known) || known.Sequence < change.Sequence)
            {
                useCases[change.UseCaseId] = change;
            }
        }

        var deployments = new Dictionary<string, DeploymentSuspensionChange>(Deployments, StringComparer.Ordinal);
        foreach (var change in snapshot.Deployments)
        {
            if (!deployments.TryGetValue(change.DeploymentId, out var known) || known.Sequence < change.Sequence)
            {
                deployments[change.DeploymentId] = change;
            }
        }

        // Approvals are never withdrawn: the ones known stay, whatever order snapshots and observed changes come in.
        var approvals = snapshot.SponsorApprovals.Count == 0 ? SponsorApprovals : WithApprovals(SponsorApprovals, snapshot.SponsorApprovals);
        return new GovernanceStateView(
            snapshot.Version,
            useCases.ToFrozenDictionary(StringComparer.Ordinal),
            deployments.ToFrozenDictionary(StringComparer.Ordinal),
            approvals);
    }

    public GovernanceStateView With(UseCaseStatusChange change)
    {
        if (UseCases.TryGetValue(change.UseCaseId, out var known) && known.Sequence >= change.Sequence)
        {
            return this;
        }

        var useCases = new Dictionary<string, UseCaseStatusChange>(UseCases, StringComparer.Ordinal) { [change.UseCaseId] = change };
        var approvals = IsSponsorApproval(change) ? WithApprovals(SponsorApprovals, [change]) : SponsorApprovals;
        return new GovernanceStateView(Version, useCases.ToFrozenDictionary(StringComparer.Ordinal), Deployments, approvals);
    }

    public GovernanceStateView With(DeploymentSuspensionChange change)
    {
        if (Deployments.TryGetValue(change.DeploymentId, out var known) && known.Sequence >= change.Sequence)
        {
            return this;
        }

        var deployments = new Dictionary<string, DeploymentSuspensionChange>(Deployments, StringComparer.Ordinal) { [change.DeploymentId] = change };
        return new GovernanceStateView(Version, UseCases, deployments.ToFrozenDictionary(StringComparer.Ordinal), SponsorApprovals);
    }

    private static bool IsSponsorApproval(UseCaseStatusChange change) =>
        change.Action == UseCaseAction.Approve && !string.IsNullOrWhiteSpace(change.ClinicalSponsor);

    private static FrozenDictionary<string, FrozenSet<string>> WithApprovals(
        FrozenDictionary<string, FrozenSet<string>> known, IEnumerable<UseCaseStatusChange> approvals)
    {
        var merged = known.ToDictionary(p => p.Key, p => new HashSet<string>(p.Value, StringComparer.OrdinalIgnoreCase), StringComparer.Ordinal);
        foreach (var approval in approvals.Where(IsSponsorApproval))
        {
            if (!merged.TryGetValue(approval.UseCaseId, out var sponsors))
            {
                merged[approval.UseCaseId] = sponsors = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            }

            sponsors.Add(approval.ClinicalSponsor!.Trim());
        }

        return merged.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenSet(StringComparer.OrdinalIgnoreCase), StringComparer.Ordinal);
    }
}
