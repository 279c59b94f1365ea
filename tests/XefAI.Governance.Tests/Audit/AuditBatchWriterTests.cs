namespace XefAI.Governance.Tests;

/// <summary>The writer's queue is bounded: a stalled commit costs calls (refused at once), never unbounded memory.</summary>
public sealed class AuditBatchWriterTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AppendAsync_CommitBlockedAndQueueFull_NextAppendFailsFastThenBacklogDrainsToZero()
    {
        const int limit = 3;
        var commit = new BlockingCommit();
        await using var writer = new AuditBatchWriter("test", maxBatchSize: 256, commit.CommitAsync, (_, _) => { }, maxQueuedRecords: limit);

        var first = writer.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask();
        await commit.Entered.Task.WaitAsync(Generous);
        var queued = new[] { first }
            .Concat(Enumerable.Range(2, limit - 1).Select(n => writer.AppendAsync(AuditEntries.Create(n), CancellationToken.None).AsTask()))
            .ToArray();
        Assert.Equal(limit, writer.Backlog);

        var refused = writer.AppendAsync(AuditEntries.Create(limit + 1), CancellationToken.None);

        // Refused at once, not queued behind the stalled commit.
        Assert.True(refused.IsCompleted);
        var error = await Assert.ThrowsAsync<AuditUnavailableException>(() => refused.AsTask());
        Assert.Contains("Audit:MaxQueuedRecords", error.Message, StringComparison.Ordinal);
        Assert.Equal(limit, writer.Backlog);
        Assert.All(queued, t => Assert.False(t.IsCompleted));

        commit.Release();
        var records = await Task.WhenAll(queued).WaitAsync(Generous);

        Assert.Equal(["trace-0001", "trace-0002", "trace-0003"], records.Select(r => r.Entry.TraceId));
        Assert.Equal(0, writer.Backlog);
        Assert.Equal(limit, commit.Committed);
        Assert.Equal("trace-0005", (await writer.AppendAsync(AuditEntries.Create(5), CancellationToken.None).AsTask().WaitAsync(Generous)).Entry.TraceId);
    }

    [Fact]
    public async Task AppendAsync_QueuedAppendWithdrawn_LeavesTheBacklogAndFreesItsPlace()
    {
        var commit = new BlockingCommit();
        await using var writer = new AuditBatchWriter("test", maxBatchSize: 256, commit.CommitAsync, (_, _) => { }, maxQueuedRecords: 2);
        var first = writer.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask();
        await commit.Entered.Task.WaitAsync(Generous);
        using var cancel = new CancellationTokenSource();
        var withdrawn = writer.AppendAsync(AuditEntries.Create(2), cancel.Token).AsTask();
        Assert.Equal(2, writer.Backlog);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn.WaitAsync(Generous));
        Assert.Equal(1, writer.Backlog);
        var third = writer.AppendAsync(AuditEntries.Create(3), CancellationToken.None).AsTask();
        commit.Release();
        await Task.WhenAll(first, third).WaitAsync(Generous);
        Assert.Equal(0, writer.Backlog);
        Assert.Equal(2, commit.Committed);
    }

    [Fact]
    public async Task AppendAsync_CommitFails_BacklogDrainsAndCallersGetAuditUnavailable()
    {
        await using var writer = new AuditBatchWriter(
            "test", maxBatchSize: 256, (_, _) => Task.FromException<IReadOnlyList<AuditRecord>>(new IOException("disk gone")), (_, _) => { }, maxQueuedRecords: 2);

        await Assert.ThrowsAsync<AuditUnavailableException>(() => writer.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask().WaitAsync(Generous));

        Assert.Equal(0, writer.Backlog);
    }

    [Fact]
    public async Task AppendAsync_CommitHangsPastTheTimeout_CallersAreRefusedWithoutWaitingForIt()
    {
        // The blocking commit ignores its cancellation, as a driver does when the server stopped answering (its cancel
        // request goes unanswered too): the callers' bound must not depend on the commit coming back.
        var commit = new BlockingCommit();
        await using var writer = new AuditBatchWriter(
            "test", maxBatchSize: 256, commit.CommitAsync, (_, _) => { }, commitTimeout: TimeSpan.FromMilliseconds(200), maxQueuedRecords: 16);
        var first = writer.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask();
        await commit.Entered.Task.WaitAsync(Generous);
        var queued = writer.AppendAsync(AuditEntries.Create(2), CancellationToken.None).AsTask();

        await Assert.ThrowsAsync<AuditUnavailableException>(() => first.WaitAsync(Generous));
        await Assert.ThrowsAsync<AuditUnavailableException>(() => queued.WaitAsync(Generous));

        // Refused while the commit still hangs: nothing was released, nothing committed.
        Assert.Equal(0, commit.Committed);
        Assert.True(writer.IsStalled);

        // Behind a commit that has not come back, an append is refused at once rather than queued behind it; the hung
        // batch's record is still held (it may yet be written), the refused ones are not.
        var during = writer.AppendAsync(AuditEntries.Create(3), CancellationToken.None);
        Assert.True(during.IsCompleted);
        var error = await Assert.ThrowsAsync<AuditUnavailableException>(() => during.AsTask());
        Assert.Contains("hung or unreachable", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, writer.Backlog);

        // Once the commit returns, appends are taken again.
        commit.Release();
        var deadline = DateTime.UtcNow + Generous;
        while (writer.IsStalled && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.False(writer.IsStalled);
        var after = await writer.AppendAsync(AuditEntries.Create(4), CancellationToken.None).AsTask().WaitAsync(Generous);
        Assert.Equal("trace-0004", after.Entry.TraceId);
        Assert.Equal(0, writer.Backlog);
    }

    [Fact]
    public async Task AppendAsync_CommitSlowButWithinTheTimeout_IsNotRefused()
    {
        var commit = new BlockingCommit();
        await using var writer = new AuditBatchWriter(
            "test", maxBatchSize: 256, commit.CommitAsync, (_, _) => { }, commitTimeout: TimeSpan.FromMinutes(5), maxQueuedRecords: 16);
        var first = writer.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask();
        await commit.Entered.Task.WaitAsync(Generous);
        var queued = writer.AppendAsync(AuditEntries.Create(2), CancellationToken.None).AsTask();
        await Task.Delay(50);

        Assert.False(writer.IsStalled);
        commit.Release();
        var records = await Task.WhenAll(first, queued).WaitAsync(Generous);
        Assert.Equal(["trace-0001", "trace-0002"], records.Select(r => r.Entry.TraceId));
        Assert.Equal(0, writer.Backlog);
    }

    [Fact]
    public void Constructor_QueueBoundBelowOne_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AuditBatchWriter("test", 1, (_, _) => Task.FromResult<IReadOnlyList<AuditRecord>>([]), (_, _) => { }, maxQueuedRecords: 0));
}
