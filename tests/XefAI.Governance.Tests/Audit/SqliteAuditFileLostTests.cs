using Microsoft.Data.Sqlite;

namespace XefAI.Governance.Tests;

/// <summary>
/// A database file deleted or replaced under the running writer: SQLite would go on committing into the open, unlinked
/// file and every append would be acknowledged into a trail that is gone once the process ends.
/// </summary>
public sealed class SqliteAuditFileLostTests
{
    [Fact]
    public async Task AppendAsync_DatabaseDeletedWhileOpen_IsRefusedFromThenOnAndTheStoreIsNotReady()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);
        Assert.True(await store.IsReadyAsync(CancellationToken.None));

        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(db.FilePath)!))
        {
            File.Delete(file);
        }

        var failure = await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(2), CancellationToken.None).AsTask());
        var cause = Assert.IsType<IOException>(failure.InnerException);
        Assert.Contains("was deleted or replaced while the gateway was writing to it", cause.Message, StringComparison.Ordinal);
        Assert.Contains(db.FilePath, cause.Message, StringComparison.Ordinal);

        // Sticky: later appends are refused too, and nothing made a new, empty trail at the path.
        await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(3), CancellationToken.None).AsTask());
        Assert.False(await store.IsReadyAsync(CancellationToken.None));
        Assert.False(File.Exists(db.FilePath));
    }

    [Fact]
    public async Task AppendAsync_DatabaseReplacedByAnotherFileWhileOpen_IsRefused()
    {
        await using var db = new TempAuditDatabase();
        await using var other = new TempAuditDatabase();
        var store = db.CreateStore();
        await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);

        // Another trail, with the same schema, renamed over the path: the writer still has the old file open.
        var otherStore = other.CreateStore();
        await otherStore.AppendAsync(AuditEntries.Create(1), CancellationToken.None);
        await otherStore.DisposeAsync();
        File.Move(other.FilePath, db.FilePath, overwrite: true);

        var failure = await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(2), CancellationToken.None).AsTask());
        Assert.Contains("deleted or replaced", Assert.IsType<IOException>(failure.InnerException).Message, StringComparison.Ordinal);
        Assert.False(await store.IsReadyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_WriteAheadLogDeletedWhileOpen_IsRefused()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);
        Assert.True(File.Exists(db.FilePath + "-wal"));

        File.Delete(db.FilePath + "-wal");

        await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(2), CancellationToken.None).AsTask());
        Assert.False(await store.IsReadyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Store_FileInPlace_KeepsAppendingAcrossManyBatches()
    {
        // The check must not refuse a healthy file: many batches, a reader in between, the file never touched.
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore(maxBatchSize: 4);
        for (var i = 1; i <= 40; i++)
        {
            await store.AppendAsync(AuditEntries.Create(i), CancellationToken.None);
            if (i % 10 == 0)
            {
                Assert.True(await store.IsReadyAsync(CancellationToken.None));
            }
        }

        Assert.Equal(new AuditChainVerification(true, 40), await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Readers_DatabaseDeletedBeforeTheFirstAppend_DoNotCreateAnEmptyTrailAtThePath()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(db.FilePath)!))
        {
            File.Delete(file);
        }

        Assert.False(await store.IsReadyAsync(CancellationToken.None));
        await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask());
        Assert.False(File.Exists(db.FilePath));
    }
}
