using Microsoft.Extensions.Options;
using System.Runtime.CompilerServices;

namespace XefAI.Governance;

/// <summary>
/// The audit store configuration selects (<c>Audit:Store</c>); the gateway writes through it. Every append is
/// measured here, whoever writes it (calls, governance actions, access records, refused-key aggregates).
/// </summary>
/// <remarks>The backlog gauge reads a built-in store's writer (<see cref="IQueuedAuditStore"/>) directly.</remarks>
internal sealed class AuditTrail : IAuditTrail
{
    private readonly IAuditStore _store;
    private readonly IGatewayMetrics? _metrics;
    private readonly IGatewayMetrics? _backlogMetrics;
    private readonly TimeProvider _time;

    public AuditTrail(IEnumerable<IAuditStore> stores, IOptions<AuditOptions> options, IGatewayMetrics? metrics = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = SelectStore(stores, options.Value.Store);
        _time = time ?? TimeProvider.System;

        // A store with a writer of its own says exactly what it holds; any other is counted here, append by append.
        if (_store is IQueuedAuditStore queued)
        {
            metrics?.ObserveAuditBacklog(() => queued.Backlog);
        }
        else
        {
            _backlogMetrics = metrics;
        }

        _metrics = metrics;
    }

    public string StoreKind => _store.Kind;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();

        // The backlog gauge, for a store without a writer of its own: handed to it and not yet committed or refused.
        _backlogMetrics?.RecordAuditBacklog(1);
        try
        {
            var record = await _store.AppendAsync(entry, cancellationToken);
            _backlogMetrics?.RecordAuditBacklog(-1);
            _metrics?.RecordAuditWrite(committed: true, _time.GetElapsedTime(started));
            return record;
        }
        catch
        {
            _backlogMetrics?.RecordAuditBacklog(-1);
            _metrics?.RecordAuditWrite(committed: false, _time.GetElapsedTime(started));
            throw;
        }
    }

    public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) =>
        _store.QueryAsync(query, cancellationToken);

    public ValueTask<long> CountAsync(AuditQuery query, CancellationToken cancellationToken) =>
        _store.CountAsync(query, cancellationToken);

    public ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        _store.GetAsync(id, cancellationToken);

    public ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken) =>
        _store.VerifyAsync(cancellationToken);

    public ValueTask<AuditChainVerification> VerifyAsync(AuditVerificationRequest request, CancellationToken cancellationToken) =>
        _store.VerifyAsync(request, cancellationToken);

    public ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken) =>
        _store.IsReadyAsync(cancellationToken);

    internal static IAuditStore SelectStore(IEnumerable<IAuditStore> stores, string? kind)
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
        throw new InvalidOperationException($"Audit:Store is '{kind}', but no audit store of that kind exists ({knownKinds}).");
    }
}
