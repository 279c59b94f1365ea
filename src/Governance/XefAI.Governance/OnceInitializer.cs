namespace XefAI.Governance;

/// <summary>
/// Runs a store's one-time set-up (creating its schema) on first use, once even under concurrent callers.
/// A failed set-up is not remembered: the next caller tries again, so a passing fault (a lock, a full disk,
/// a database still starting) does not disable the store for the life of the process.
/// </summary>
internal sealed class OnceInitializer : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile bool _done;

    public bool IsInitialized => _done;

    /// <param name="initialize">The set-up; a static lambda with <paramref name="state"/> keeps the fast path free of allocations.</param>
    public async ValueTask EnsureAsync<TState>(Func<TState, CancellationToken, Task> initialize, TState state, CancellationToken cancellationToken)
    {
        if (_done)
        {
            return;
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (!_done)
            {
                await initialize(state, cancellationToken);
                _done = true;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();
}
