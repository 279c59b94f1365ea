using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

public sealed class GovernanceStateCacheLoadTests
{
    [Fact]
    public async Task Current_WhileTheStoreFailsAndAnotherCallRetriesIt_IsRefusedAtOnceInsteadOfQueueing()
    {
        // Fault round 27: a state store that hung at start held every call's thread on the load lock in turn.
        var store = new GatedStore();
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        using var cache = new GovernanceStateCache([store], new LastGoodGovernanceOptions(new FixedMonitor()), clock, NullLogger<GovernanceStateCache>.Instance);

        // The first read fails: the store is down.
        store.Next = Task.FromException<GovernanceStateSnapshot>(new InvalidOperationException("down"));
        Assert.Throws<GovernanceStateUnavailableException>(() => cache.Current);

        // Within a second of the failure, every read is refused without trying the store.
        clock.Now += GovernanceStateCache.RetryDelay - TimeSpan.FromTicks(1);
        var early = Assert.Throws<GovernanceStateUnavailableException>(() => cache.Current);
        Assert.Contains("failed less than a second ago", early.Message, StringComparison.Ordinal);
        Assert.Equal(1, store.Loads);

        // A second caller, after it, tries it again, and hangs in the store.
        clock.Now += TimeSpan.FromTicks(1);
        var gate = new TaskCompletionSource<GovernanceStateSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Next = gate.Task;
        var retrying = Task.Factory.StartNew(() => cache.Current, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await store.Entered.Task;

        // A third is refused at once rather than blocked until the retry ends (the bound only keeps a regression from hanging the run).
        var third = Task.Factory.StartNew(() => cache.Current, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        GovernanceStateUnavailableException refusal;
        try
        {
            refusal = await Assert.ThrowsAsync<GovernanceStateUnavailableException>(() => third.WaitAsync(TimeSpan.FromMinutes(2)));
        }
        catch
        {
            // Lets the retry end, so disposing the cache (which takes the lock) does not hang the run.
            gate.TrySetResult(new GovernanceStateSnapshot(7, [], []));
            throw;
        }

        Assert.Contains("another call is trying it again", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(2, store.Loads);

        // The store answers: the retry succeeds, and so does every call after it.
        gate.SetResult(new GovernanceStateSnapshot(7, [], []));
        Assert.Equal(7, (await retrying).Version);
        Assert.Equal(7, cache.Current.Version);
        Assert.Equal(2, store.Loads);
    }

    private sealed class FixedMonitor : IOptionsMonitor<GovernanceOptions>
    {
        public GovernanceOptions CurrentValue { get; } = new() { StateStore = "gated" };

        public GovernanceOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<GovernanceOptions, string?> listener) => null;
    }

    private sealed class GatedStore : IGovernanceStateStore
    {
        private int _loads;

        public Task<GovernanceStateSnapshot> Next { get; set; } = Task.FromResult(new GovernanceStateSnapshot(0, [], []));

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Loads => Volatile.Read(ref _loads);

        public string Kind => "gated";

        public ValueTask<GovernanceStateSnapshot> LoadAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _loads) == 2)
            {
                Entered.TrySetResult();
            }

            return new ValueTask<GovernanceStateSnapshot>(Next);
        }

        public ValueTask<long> GetVersionAsync(CancellationToken cancellationToken) => ValueTask.FromResult(0L);

        public ValueTask<IReadOnlyList<UseCaseStatusChange>> GetUseCaseHistoryAsync(string useCaseId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<UseCaseStatusChange?> TryAppendUseCaseChangeAsync(UseCaseStatusChange change, string? expectedLatestId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<DeploymentSuspensionChange>> GetDeploymentHistoryAsync(string deploymentId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<DeploymentSuspensionChange?> TryAppendDeploymentChangeAsync(DeploymentSuspensionChange change, string? expectedLatestId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<Incident> AppendIncidentAsync(Incident incident, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<Incident>> QueryIncidentsAsync(IncidentQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
