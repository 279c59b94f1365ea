using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// The SQLite trail checked at start against its anchor (the last committed record, noted beside the database): a
/// database deleted, replaced or restored from an older copy while the gateway was stopped is refused, not taken as a
/// new trail.
/// </summary>
public sealed class SqliteAuditAnchorTests
{
    [Fact]
    public async Task Restart_OnTheSameTrail_AppendsContinueAndTheAnchorFollows()
    {
        await using var db = new TempAuditDatabase();
        var first = db.CreateStore();
        await AppendAsync(first, 3);
        await first.DisposeAsync();
        Assert.Equal(3, new AuditTrailAnchor(first.AnchorPath!, TimeProvider.System).Read()!.Sequence);

        var second = db.CreateStore();
        Assert.True(await second.IsReadyAsync(CancellationToken.None));
        var record = await second.AppendAsync(AuditEntries.Create(4), CancellationToken.None);

        Assert.Equal(4, record.Sequence);
        Assert.True((await second.VerifyAsync(CancellationToken.None)).Valid);
    }

    [Fact]
    public async Task Start_DatabaseDeletedWhileStopped_IsRefusedAndNotRecreatedEmpty()
    {
        await using var db = new TempAuditDatabase();
        var first = db.CreateStore();
        await AppendAsync(first, 2);
        await first.DisposeAsync();
        DeleteDatabaseFiles(db.FilePath);

        var second = db.CreateStore();

        Assert.False(await second.IsReadyAsync(CancellationToken.None));
        var failure = await Assert.ThrowsAsync<AuditUnavailableException>(() => second.AppendAsync(AuditEntries.Create(3), CancellationToken.None).AsTask());
        var cause = Assert.IsType<InvalidDataException>(failure.InnerException);
        Assert.Contains("is missing, but the gateway had committed 2 records to it", cause.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AuditUnavailableException>(() => second.QueryAsync(new AuditQuery(), CancellationToken.None).AsTask());
        Assert.False(File.Exists(db.FilePath));
    }

    [Fact]
    public async Task Start_DatabaseReplacedByAnotherTrailWhileStopped_IsRefusedAndVerificationSaysWhy()
    {
        await using var db = new TempAuditDatabase();
        await using var other = new TempAuditDatabase();
        var first = db.CreateStore();
        await AppendAsync(first, 2);
        await first.DisposeAsync();
        var stranger = other.CreateStore();
        await AppendAsync(stranger, 3);
        await stranger.DisposeAsync();

        DeleteDatabaseFiles(db.FilePath);
        File.Copy(other.FilePath, db.FilePath);
        var second = db.CreateStore();

        Assert.False(await second.IsReadyAsync(CancellationToken.None));
        var failure = await Assert.ThrowsAsync<AuditUnavailableException>(() => second.AppendAsync(AuditEntries.Create(3), CancellationToken.None).AsTask());
        Assert.Contains("is not the one the gateway committed", Assert.IsType<IOException>(failure.InnerException).Message, StringComparison.Ordinal);

        // The other trail is sound in itself; the verdict still says it is not the one the gateway wrote.
        var verification = await second.VerifyAsync(CancellationToken.None);
        Assert.False(verification.Valid);
        Assert.Contains("replaced by another trail", verification.Problem, StringComparison.Ordinal);
        Assert.Equal(3, (await second.QueryAsync(new AuditQuery(), CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Start_DatabaseRestoredFromAnOlderCopy_IsRefused()
    {
        await using var db = new TempAuditDatabase();
        var first = db.CreateStore();
        await AppendAsync(first, 2);
        await first.DisposeAsync();
        var backup = db.FilePath + ".backup";
        File.Copy(db.FilePath, backup);

        var second = db.CreateStore();
        await AppendAsync(second, 3, from: 3);
        await second.DisposeAsync();
        DeleteDatabaseFiles(db.FilePath);
        File.Move(backup, db.FilePath);

        var third = db.CreateStore();

        Assert.False(await third.IsReadyAsync(CancellationToken.None));
        await Assert.ThrowsAsync<AuditUnavailableException>(() => third.AppendAsync(AuditEntries.Create(6), CancellationToken.None).AsTask());
        var verification = await third.VerifyAsync(CancellationToken.None);
        Assert.False(verification.Valid);
        Assert.Contains("ends at record 2, but the gateway had committed 5 records", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AnchorMovedAside_BeginsANewTrailAndAnchorsIt()
    {
        await using var db = new TempAuditDatabase();
        var first = db.CreateStore();
        await AppendAsync(first, 2);
        await first.DisposeAsync();
        DeleteDatabaseFiles(db.FilePath);
        File.Move(first.AnchorPath!, first.AnchorPath + ".old");

        var second = db.CreateStore();
        var record = await second.AppendAsync(AuditEntries.Create(1), CancellationToken.None);
        await second.DisposeAsync();

        Assert.Equal(1, record.Sequence);
        var mark = new AuditTrailAnchor(second.AnchorPath!, TimeProvider.System).Read()!;
        Assert.Equal((1L, record.Id, record.Hash), (mark.Sequence, mark.Id, mark.Hash));
    }

    [Fact]
    public async Task Start_TrailWithoutAnAnchor_IsAnchoredAtItsHeadBeforeAnyAppend()
    {
        await using var db = new TempAuditDatabase();
        var unanchored = db.CreateStore(anchorPath: string.Empty);
        var records = await AppendAsync(unanchored, 3);
        await unanchored.DisposeAsync();
        var store = db.CreateStore();
        Assert.False(File.Exists(store.AnchorPath));

        Assert.True(await store.IsReadyAsync(CancellationToken.None));

        var mark = new AuditTrailAnchor(store.AnchorPath!, TimeProvider.System).Read()!;
        Assert.Equal((3L, records[2].Hash), (mark.Sequence, mark.Hash));
    }

    [Fact]
    public async Task Start_AnchorThatIsNotOne_IsNotReadyAndSaysSo()
    {
        await using var db = new TempAuditDatabase();
        var first = db.CreateStore();
        await AppendAsync(first, 1);
        await first.DisposeAsync();
        await File.WriteAllTextAsync(first.AnchorPath!, "not json");

        var second = db.CreateStore();

        Assert.False(await second.IsReadyAsync(CancellationToken.None));
        var failure = await Assert.ThrowsAsync<AuditUnavailableException>(() => second.AppendAsync(AuditEntries.Create(2), CancellationToken.None).AsTask());
        Assert.Contains("cannot be read as one", Assert.IsType<InvalidDataException>(failure.InnerException).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Committed_ManyTimesWithinTheInterval_WritesOnceThenAgainAfterItAndOnFlush()
    {
        var folder = Path.Combine(Path.GetTempPath(), "xefai-governance-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var clock = new SteppedClock();
            var anchor = new AuditTrailAnchor(Path.Combine(folder, "audit.anchor"), clock);

            anchor.Committed(Record(1));
            anchor.Committed(Record(2));
            Assert.Equal(1, anchor.Read()!.Sequence);

            clock.Advance(AuditTrailAnchor.Interval);
            anchor.Committed(Record(3));
            anchor.Committed(Record(4));
            Assert.Equal(3, anchor.Read()!.Sequence);

            anchor.Flush();
            Assert.Equal(4, anchor.Read()!.Sequence);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Committed_WhereTheAnchorCannotBeWritten_NeitherThrowsNorLogsEveryTime()
    {
        // The anchor's folder is a file: every write fails. A commit must not fail for it, and the log says so once.
        var blocker = Path.Combine(Path.GetTempPath(), "xefai-governance-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        File.WriteAllText(blocker, "not a folder");
        try
        {
            var clock = new SteppedClock();
            var logger = new FakeLogger();
            var anchor = new AuditTrailAnchor(Path.Combine(blocker, "audit.anchor"), clock, logger);

            anchor.Committed(Record(1));
            clock.Advance(AuditTrailAnchor.Interval);
            anchor.Committed(Record(2));
            anchor.Flush();

            var warning = Assert.Single(logger.Collector.GetSnapshot());
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Contains("could not be written", warning.Message, StringComparison.Ordinal);
            Assert.Null(anchor.Read());
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Fact]
    public void Committed_WhereTheRenameFails_LeavesNoTemporaryFile()
    {
        // The anchor's path is a folder: the temporary file is written, its rename over the anchor fails (as a full
        // disk fails the write after the file is created). No audit.anchor.<pid>.tmp may be left behind.
        var folder = Path.Combine(Path.GetTempPath(), "xefai-governance-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(folder, "audit.anchor");
        Directory.CreateDirectory(Path.Combine(path, "occupied"));
        try
        {
            var anchor = new AuditTrailAnchor(path, new SteppedClock(), new FakeLogger());

            anchor.Committed(Record(1));

            Assert.Empty(Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void For_ADatabasePath_IsBesideItWithAnotherName()
    {
        var anchor = AuditTrailAnchor.For(Path.Combine("data", "audit.db"));

        Assert.Equal(Path.Combine("data", "audit.anchor"), anchor);
        Assert.False(anchor.StartsWith(Path.Combine("data", "audit.db"), StringComparison.Ordinal));
    }

    private static AuditRecord Record(long sequence) =>
        new($"aud_{sequence:D4}", sequence, AuditEntries.Create((int)sequence), new string('0', 64), new string((char)('a' + sequence), 64));

    private static async Task<List<AuditRecord>> AppendAsync(SqliteAuditStore store, int count, int from = 1)
    {
        var records = new List<AuditRecord>();
        for (var i = from; i < from + count; i++)
        {
            records.Add(await store.AppendAsync(AuditEntries.Create(i), CancellationToken.None));
        }

        return records;
    }

    private static void DeleteDatabaseFiles(string path)
    {
        foreach (var file in (ReadOnlySpan<string>)[path, path + "-wal", path + "-shm"])
        {
            File.Delete(file);
        }
    }

    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
