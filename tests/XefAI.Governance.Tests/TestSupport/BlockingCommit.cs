namespace XefAI.Governance.Tests;

/// <summary>
/// A commit that waits for the test's word, heeding no cancellation, as one on a server that stopped answering; once
/// released it commits every batch at once.
/// </summary>
internal sealed class BlockingCommit
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _committed;

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Committed => Volatile.Read(ref _committed);

    public void Release() => _gate.TrySetResult();

    public async Task<IReadOnlyList<AuditRecord>> CommitAsync(IReadOnlyList<PendingAppend> batch, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        await _gate.Task;
        var records = batch
            .Select(p => new AuditRecord($"aud_{p.Entry.TraceId}", Interlocked.Increment(ref _committed), p.Entry, AuditChainHasher.GenesisHash, AuditChainHasher.GenesisHash))
            .ToList();
        return records;
    }
}
