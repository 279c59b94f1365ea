using System.Diagnostics;
using System.Threading.Channels;

namespace XefAI.Governance;

/// <summary>
/// An audit store's append queue and its single writer loop: the loop group-commits whatever appends are
/// waiting, up to a batch size, and completes each caller with its committed record or a failure. The queue is
/// bounded: once as many records wait as the bound allows (queued or in the batch being committed), an append is
/// refused at once with <see cref="AuditUnavailableException"/>, so a stalled store costs calls, not memory.
/// </summary>
internal sealed class AuditBatchWriter : IAsyncDisposable
{
    private readonly string _storeName;
    private readonly int _maxBatchSize;
    private readonly Func<IReadOnlyList<PendingAppend>, CancellationToken, Task<IReadOnlyList<AuditRecord>>> _commitBatch;
    private readonly Action<int, Exception> _batchFailed;
    private readonly TimeSpan? _commitTimeout;
    private readonly int _maxQueuedRecords;
    private readonly Channel<PendingAppend> _queue =
        Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Lazy<Task> _loop;

    private long _committedBatches;

    // Appends taken and not yet completed: queued, or in the batch being committed.
    private int _backlog;

    // Fires half the commit timeout after the deadline of the batch being committed (one timer, re-armed per batch): a
    // commit that ignores its cancellation (a server that stopped answering leaves a driver's cancel request unanswered
    // too) must not hold its callers much past the deadline. The batch and its deadline are read and cleared under _inFlightGate.
    private readonly ITimer? _watchdog;
    private readonly Lock _inFlightGate = new();
    private List<PendingAppend>? _inFlight;
    private long _inFlightDeadline;

    // Set when a batch's deadline passed before its commit returned; cleared when it returns. While set, appends are
    // refused at once instead of queueing behind a commit that may never come back.
    private volatile bool _stalled;

    // Set when a batch failed because another process holds the store's lock (the store says which failures are that);
    // cleared when a batch commits. While set, one append at a time probes the store and every other is refused at once,
    // instead of each batch in turn waiting the lock's whole timeout.
    private readonly Func<Exception, bool>? _isLocked;
    private volatile bool _locked;

    /// <param name="storeName">Named by the <see cref="ObjectDisposedException"/> an append after disposal throws.</param>
    /// <param name="maxBatchSize">The most appends one commit takes.</param>
    /// <param name="commitBatch">Commits a batch in one transaction and returns its records, in the batch's order.</param>
    /// <param name="batchFailed">Told how many appends a failed commit refuses, before their callers are.</param>
    /// <param name="commitTimeout">
    /// The longest an append waits, counted from when it was queued: a batch's commit is cancelled once its
    /// oldest append has waited this long, so time spent queued behind a slow batch counts too. Null: no bound.
    /// </param>
    /// <param name="maxQueuedRecords">The most appends waiting at once, queued or being committed; one more is refused.</param>
    /// <param name="isLocked">Tells a commit that failed on a lock another process holds; null: none is told apart.</param>
    public AuditBatchWriter(
        string storeName,
        int maxBatchSize,
        Func<IReadOnlyList<PendingAppend>, CancellationToken, Task<IReadOnlyList<AuditRecord>>> commitBatch,
        Action<int, Exception> batchFailed,
        TimeSpan? commitTimeout = null,
        int maxQueuedRecords = AuditOptions.DefaultMaxQueuedRecords,
        Func<Exception, bool>? isLocked = null)
    {
        _isLocked = isLocked;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueuedRecords, 1);
        _maxQueuedRecords = maxQueuedRecords;
        _commitTimeout = commitTimeout;
        _storeName = storeName;
        _maxBatchSize = maxBatchSize;
        _commitBatch = commitBatch;
        _batchFailed = batchFailed;
        _loop = new Lazy<Task>(() => Task.Run(RunAsync));
        if (commitTimeout is not null)
        {
            _watchdog = TimeProvider.System.CreateTimer(static state => ((AuditBatchWriter)state!).RefuseOverdue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Transactions committed so far; fewer than appends when group commit works.</summary>
    public long CommittedBatches => Interlocked.Read(ref _committedBatches);

    /// <summary>A batch's deadline passed before its commit returned, and it has not returned yet: appends are refused at once.</summary>
    public bool IsStalled => _stalled;

    /// <summary>Appends waiting for their commit: queued, or in the batch being committed.</summary>
    public int Backlog => Volatile.Read(ref _backlog);

    // Not async itself: an append that cannot be cancelled (the gateway's) hands on its pending task as it is and costs
    // no state machine; only one that can be cancelled awaits, to drop its registration once completed.
    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        _ = _loop.Value;

        // Claim a place first, so the bound holds however many appends race for the last one.
        var held = Interlocked.Increment(ref _backlog);
        if (held > _maxQueuedRecords)
        {
            Interlocked.Decrement(ref _backlog);
            return ValueTask.FromException<AuditRecord>(new AuditUnavailableException(
                $"The audit store has {_maxQueuedRecords} records waiting for their commit, as many as Audit:MaxQueuedRecords allows; the call must not be answered."));
        }

        if (_stalled)
        {
            Interlocked.Decrement(ref _backlog);
            return ValueTask.FromException<AuditRecord>(StalledRefusal());
        }

        // Locked by another process: only an append that finds nothing else held goes on, to probe whether the lock is gone.
        if (_locked && held > 1)
        {
            Interlocked.Decrement(ref _backlog);
            return ValueTask.FromException<AuditRecord>(new AuditUnavailableException(
                "The audit store is locked by another process, and a commit is already waiting for the lock; the call must not be answered."));
        }

        var pending = new PendingAppend(entry, this);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _backlog);
            return ValueTask.FromException<AuditRecord>(new ObjectDisposedException(_storeName));
        }

        // The watchdog sets _stalled, then drains the queue once: an append that read _stalled just before it was set
        // and reached the queue just after the drain would wait on a commit that may never return. With a full fence
        // on both sides, the drain finds it or this sees _stalled; both claim it first, so it is refused once.
        if (_watchdog is not null)
        {
            Interlocked.MemoryBarrier();
            if (_stalled && pending.TryClaim())
            {
                Interlocked.Decrement(ref _backlog);
                pending.TrySetException(StalledRefusal());
            }
        }

        return cancellationToken.CanBeCanceled ? AwaitCancellableAsync(pending, cancellationToken) : new ValueTask<AuditRecord>(pending.Task);
    }

    private AuditUnavailableException StalledRefusal() => new(
        $"The audit store has not finished a commit within {DurationText.Format(_commitTimeout!.Value)} and may be hung or unreachable; the call must not be answered.");

    // Cancelling only withdraws an entry still queued; once in a batch the commit decides the outcome.
    private static async ValueTask<AuditRecord> AwaitCancellableAsync(PendingAppend pending, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.UnsafeRegister(
            static (state, token) => ((PendingAppend)state!).TryCancel(token),
            pending);
        return await pending.Task;
    }

    /// <summary>Entries already queued are still committed; this returns once the queue is empty.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop.IsValueCreated)
        {
            await _loop.Value;
        }

        _watchdog?.Dispose();
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingAppend>(_maxBatchSize);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatchSize && _queue.Reader.TryRead(out var pending))
            {
                if (pending.TryClaim())
                {
                    batch.Add(pending);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            using var deadline = StartDeadline(batch, out var remaining);
            if (deadline is not null)
            {
                // A commit that heeds its cancellation (a lock wait, a statement timeout) comes back soon after the
                // deadline and fails its callers itself; one still out half the timeout later is taken as hung.
                var hungAfter = (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) + (_commitTimeout!.Value / 2);
                lock (_inFlightGate)
                {
                    _inFlight = batch;
                    _inFlightDeadline = Stopwatch.GetTimestamp() + (long)(hungAfter.TotalSeconds * Stopwatch.Frequency);
                }

                _watchdog!.Change(hungAfter, Timeout.InfiniteTimeSpan);
            }

            try
            {
                deadline?.Token.ThrowIfCancellationRequested();
                var records = await _commitBatch(batch, deadline?.Token ?? CancellationToken.None);
                Interlocked.Increment(ref _committedBatches);
                _locked = false;

                // Out of the backlog before any caller resumes, so a caller that sees its record sees the backlog without it.
                Interlocked.Add(ref _backlog, -batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].TrySetResult(records[i]);
                }
            }
            catch (Exception ex)
            {
                // The writer must outlive any failure; the store decides what of its state to drop.
                var failure = ex is OperationCanceledException && deadline is { IsCancellationRequested: true }
                    ? new TimeoutException($"The audit commit did not finish within {DurationText.Format(_commitTimeout!.Value)}.", ex)
                    : ex;
                _batchFailed(batch.Count, failure);
                if (_isLocked is not null && _isLocked(ex))
                {
                    _locked = true;
                }

                Interlocked.Add(ref _backlog, -batch.Count);
                foreach (var pending in batch)
                {
                    pending.TrySetException(new AuditUnavailableException(
                        "The audit store could not commit the audit record; the call must not be answered.", failure));
                }
            }
            finally
            {
                if (deadline is not null)
                {
                    _watchdog!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    lock (_inFlightGate)
                    {
                        _inFlight = null;
                    }

                    _stalled = false;
                }

                batch.Clear();
            }
        }
    }

    /// <summary>
    /// The batch being committed is still out half the timeout after its deadline: its callers are refused now, whether
    /// or not the commit comes back (one that does may still have committed, as with any interrupted commit), and so is
    /// every append queued behind it, which could only be reached after it. Until the commit returns, new appends are
    /// refused at once. The batch's records stay in the backlog until then: they are still held, and may still be
    /// written.
    /// </summary>
    private void RefuseOverdue()
    {
        var failure = new AuditUnavailableException(
            "The audit store could not commit the audit record in time; the call must not be answered.",
            new TimeoutException($"The audit commit did not finish within {DurationText.Format(_commitTimeout!.Value)}."));
        lock (_inFlightGate)
        {
            // A firing meant for a batch that has since returned finds none in flight.
            if (_inFlight is not { } batch)
            {
                return;
            }

            // A timer may round a little short: the rest is waited for, not skipped.
            var early = _inFlightDeadline - Stopwatch.GetTimestamp();
            if (early > 0)
            {
                _watchdog!.Change(TimeSpan.FromSeconds((double)early / Stopwatch.Frequency) + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
                return;
            }

            // The store hears of the failure when the commit returns (the loop reports it then, once); until then
            // its own readiness probe finds the server not answering.
            _stalled = true;
            foreach (var pending in batch)
            {
                pending.TrySetException(failure);
            }
        }

        // Pairs with the fence in AppendAsync between its write to the queue and its second look at _stalled.
        Interlocked.MemoryBarrier();
        while (_queue.Reader.TryRead(out var queued))
        {
            if (queued.TryClaim())
            {
                Interlocked.Decrement(ref _backlog);
                queued.TrySetException(failure);
            }
        }
    }

    internal void Withdrawn() => Interlocked.Decrement(ref _backlog);

    // Cancels when the batch's oldest append has waited the commit timeout; already cancelled if it has.
    private CancellationTokenSource? StartDeadline(List<PendingAppend> batch, out TimeSpan remaining)
    {
        remaining = Timeout.InfiniteTimeSpan;
        if (_commitTimeout is not { } timeout)
        {
            return null;
        }

        var oldest = batch[0].EnqueuedAt;
        foreach (var pending in batch)
        {
            oldest = Math.Min(oldest, pending.EnqueuedAt);
        }

        remaining = timeout - Stopwatch.GetElapsedTime(oldest);
        var source = new CancellationTokenSource();
        if (remaining <= TimeSpan.Zero)
        {
            source.Cancel();
        }
        else
        {
            source.CancelAfter(remaining);
        }

        return source;
    }
}

/// <summary>One queued append; the writer completes it with the committed record or a failure.</summary>
internal sealed class PendingAppend(AuditEntry entry, AuditBatchWriter? writer = null)
    : TaskCompletionSource<AuditRecord>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    private const int Queued = 0;
    private const int Claimed = 1;
    private const int Withdrawn = 2;

    private int _state;

    public AuditEntry Entry { get; } = entry;

    /// <summary>When the append was queued, as a <see cref="Stopwatch"/> timestamp.</summary>
    public long EnqueuedAt { get; } = Stopwatch.GetTimestamp();

    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued;

    public void TryCancel(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Withdrawn, Queued) == Queued)
        {
            // Withdrawn: its caller no longer waits, so it leaves the backlog now; the loop skips it when it comes.
            writer?.Withdrawn();
            TrySetCanceled(cancellationToken);
        }
    }
}
