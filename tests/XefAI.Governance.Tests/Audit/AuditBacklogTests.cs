using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

/// <summary>The backlog gauge (<c>xefai.audit.backlog</c>) and the <c>Audit:MaxQueuedRecords</c> setting.</summary>
public sealed class AuditBacklogTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MetricRecorder _recorder;
    private readonly GatewayMetrics _metrics;

    public AuditBacklogTests()
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        _recorder = new MetricRecorder(meterFactory);
        _metrics = new GatewayMetrics(meterFactory);
    }

    [Fact]
    public async Task AppendAsync_StoreStalled_GaugeShowsRecordsWaitingThenZero()
    {
        var store = new StalledStore();
        var trail = new AuditTrail([store], Options.Create(new AuditOptions()), _metrics);

        // Exported at zero before the first record.
        Assert.Equal(0, Backlog());

        var appends = Enumerable.Range(1, 3).Select(n => trail.AppendAsync(AuditEntries.Create(n), CancellationToken.None).AsTask()).ToArray();
        Assert.Equal(3, Backlog());

        store.Release();
        await Task.WhenAll(appends).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, Backlog());
    }

    [Fact]
    public async Task AppendAsync_SqliteStoreCommitted_GaugeReadsWhatTheWriterHoldsNotCallersYetToResume()
    {
        await using var database = new TempAuditDatabase();
        var store = database.CreateStore();
        var trail = new AuditTrail([store], Options.Create(new AuditOptions()), _metrics);

        // The caller's continuation is held, as a saturated machine holds it waiting for a thread.
        var held = new HeldContinuations();
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(held);
        Task<AuditRecord> append;
        try
        {
            append = trail.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        for (var i = 0; i < 3000 && (store.CommittedBatches == 0 || store.Backlog != 0); i++)
        {
            await Task.Delay(10);
        }

        // Committed, and so out of the writer; its caller has not resumed yet. The gauge says what the writer holds.
        Assert.True(store.CommittedBatches >= 1);
        Assert.Equal(0, store.Backlog);
        Assert.False(append.IsCompleted);
        Assert.Equal(0, Backlog());

        held.RunAll();
        Assert.False(string.IsNullOrEmpty((await append.WaitAsync(TimeSpan.FromSeconds(30))).Hash));
        Assert.Equal(0, Backlog());
    }

    [Fact]
    public async Task AppendAsync_StoreRefuses_GaugeBackAtZero()
    {
        var store = new StalledStore { Failure = new AuditUnavailableException("full") };
        var trail = new AuditTrail([store], Options.Create(new AuditOptions()), _metrics);

        await Assert.ThrowsAsync<AuditUnavailableException>(() => trail.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask());

        Assert.Equal(0, Backlog());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(AuditOptions.MaxMaxQueuedRecords + 1)]
    public void Validate_MaxQueuedRecordsOutOfRange_Fails(int value)
    {
        var result = new AuditOptionsValidator().Validate(null, new AuditOptions { MaxQueuedRecords = value });

        Assert.True(result.Failed);
        Assert.Contains($"Audit:MaxQueuedRecords must be from 1 to {AuditOptions.MaxMaxQueuedRecords}, not {value}.", result.Failures);
    }

    [Fact]
    public void Validate_DefaultMaxQueuedRecords_Succeeds()
    {
        var options = new AuditOptions();

        Assert.Equal(10_000, options.MaxQueuedRecords);
        Assert.True(new AuditOptionsValidator().Validate(null, options).Succeeded);
    }

    public void Dispose()
    {
        _recorder.Dispose();
        _services.Dispose();
    }

    // The gauge as an exporter would read it now.
    private double Backlog()
    {
        _recorder.Observe();
        return _recorder.For("xefai.audit.backlog")[^1].Value;
    }

    /// <summary>Holds what is posted to it until <see cref="RunAll"/>.</summary>
    private sealed class HeldContinuations : SynchronizationContext
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _posted = new();

        public override void Post(SendOrPostCallback d, object? state) => _posted.Enqueue((d, state));

        public void RunAll()
        {
            while (_posted.TryDequeue(out var posted))
            {
                posted.Callback(posted.State);
            }
        }
    }

    private sealed class StalledStore : IAuditStore
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Kind => "sqlite";

        public Exception? Failure { get; init; }

        public void Release() => _gate.TrySetResult();

        public async ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            if (Failure is not null)
            {
                throw Failure;
            }

            await _gate.Task;
            return new AuditRecord("aud_x", 1, entry, AuditChainHasher.GenesisHash, AuditChainHasher.GenesisHash);
        }

        public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);
    }
}
