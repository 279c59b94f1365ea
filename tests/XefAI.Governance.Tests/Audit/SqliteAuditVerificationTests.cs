using Microsoft.Data.Sqlite;

using static XefAI.Governance.Tests.SqliteAuditStoreTests;

namespace XefAI.Governance.Tests;

/// <summary>
/// The SQLite store's verification as a request asks for it: counted first, reported as it goes, paced, and resumed
/// from the last record an earlier walk proved, with the verdicts of a walk in one snapshot.
/// </summary>
public sealed class SqliteAuditVerificationTests
{
    private static readonly AuditVerificationRequest Full = new() { Mode = AuditVerificationMode.Full };

    [Fact]
    public async Task VerifyAsync_WriteLockHeldPastTheBusyTimeout_VerdictStandsWithoutItsMark()
    {
        // Found by the gateway's fuzz test (one run in three under load): the walk's verdict failed with "database is
        // locked" because the mark it writes for the next walk met the writer's lock.
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore(busyTimeoutSeconds: 1);
        await AppendManyAsync(store, 3);
        AuditChainVerification verdict;
        using (var holder = db.OpenForeignConnection())
        {
            Execute(holder, "BEGIN IMMEDIATE");
            verdict = await store.VerifyAsync(Full, CancellationToken.None);
            Execute(holder, "ROLLBACK");
        }

        Assert.True(verdict.Valid);
        Assert.Equal(3, verdict.Records);

        // Unmarked, so the next incremental walk walks everything again, and marks it.
        var next = await store.VerifyAsync(new AuditVerificationRequest(), CancellationToken.None);
        Assert.Equal((true, (long?)null, 3L), (next.Valid, next.ResumedFrom, next.Checked));
        Assert.Equal(3L, (await store.VerifyAsync(new AuditVerificationRequest(), CancellationToken.None)).ResumedFrom);
    }

    [Fact]
    public async Task VerifyAsync_MarkCannotBeWritten_VerdictStandsWithoutItsMark()
    {
        // Found in a fault drill: on a full disk, GET /admin/audit/verify answered 503, because the walk's mark for the
        // next walk could not be written (SQLITE_FULL), though the walk itself only reads. Here a trigger refuses it.
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await AppendManyAsync(store, 3);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "CREATE TRIGGER refuse_mark BEFORE INSERT ON audit_verified_records BEGIN SELECT RAISE(ABORT, 'no room'); END");
        }

        var verdict = await store.VerifyAsync(Full, CancellationToken.None);

        Assert.Equal((true, 3L, (long?)3L), (verdict.Valid, verdict.Records, verdict.Checked));
        var next = await store.VerifyAsync(new AuditVerificationRequest(), CancellationToken.None);
        Assert.Equal((true, (long?)null), (next.Valid, next.ResumedFrom));
    }

    [Fact]
    public async Task VerifyAsync_Incremental_ResumesAfterTheLastProvedRecordAndFullWalksEverything()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var early = await AppendManyAsync(store, 3);
        var proved = await store.VerifyAsync(Full, CancellationToken.None);
        await AppendManyAsync(store, 2);

        var progress = new List<AuditVerificationProgress>();
        var resumed = await store.VerifyAsync(new AuditVerificationRequest { Progress = new SynchronousProgress(progress.Add) }, CancellationToken.None);

        Assert.Equal((true, 3L, 3L, (long?)null, 3L), (proved.Valid, proved.Records, proved.Checkpoint, proved.ResumedFrom, proved.Checked));
        Assert.Equal((true, 5L, 5L, (long?)3, 2L), (resumed.Valid, resumed.Records, resumed.Checkpoint, resumed.ResumedFrom, resumed.Checked));

        // Counted before a record was read, then told where the walk ended.
        Assert.Equal(new AuditVerificationProgress(0, 2, 0), progress[0]);
        Assert.Equal(new AuditVerificationProgress(2, 2, 0), progress[^1]);

        // An incremental walk trusts what an earlier walk proved: an old record altered since is found by a full walk.
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_update");
            Execute(connection, $"UPDATE audit_records SET decision = 'denied' WHERE id = '{early[0].Id}'");
        }

        Assert.True((await store.VerifyAsync(new AuditVerificationRequest(), CancellationToken.None)).Valid);
        var full = await store.VerifyAsync(Full, CancellationToken.None);
        Assert.False(full.Valid);
        Assert.Equal(early[0].Id, full.FirstBrokenRecord);
        Assert.Equal(0, full.Records);
    }

    [Fact]
    public async Task VerifyAsync_IncrementalAfterAProvedWalk_WalksOnlyNewRecordsAndFindsTheOneAlteredAmongThem()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await AppendManyAsync(store, 4);
        Assert.True((await store.VerifyAsync(Full, CancellationToken.None)).Valid);
        var later = await AppendManyAsync(store, 3);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_update");
            Execute(connection, $"UPDATE audit_records SET output_sha256 = '{new string('c', 64)}' WHERE id = '{later[1].Id}'");
        }

        var verification = await store.VerifyAsync(new AuditVerificationRequest(), CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal(later[1].Id, verification.FirstBrokenRecord);
        Assert.Equal(5, verification.Records);
        Assert.Equal(1, verification.Checked);
        Assert.Equal(4, verification.ResumedFrom);
        Assert.Contains("altered", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_NothingNewSinceAProvedWalk_ChecksNothingAndStaysValid()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await AppendManyAsync(store, 3);
        Assert.True((await store.VerifyAsync(new AuditVerificationRequest(), CancellationToken.None)).Valid);

        var again = await store.VerifyAsync(new AuditVerificationRequest(), CancellationToken.None);

        Assert.Equal((true, 3L, 3L, (long?)3, 0L), (again.Valid, again.Records, again.Checkpoint, again.ResumedFrom, again.Checked));
    }

    [Theory]
    [InlineData("UPDATE audit_records SET hash = 'eeee' WHERE seq = 3", "is not the record an earlier verification proved: it was rewritten.")]
    [InlineData("DELETE FROM audit_records WHERE seq = 3", "Record seq 3, the last an earlier verification proved, is missing: it was deleted.")]
    public async Task VerifyAsync_LastProvedRecordRewrittenOrDeleted_IncrementalWalkRefusesToResume(string attack, string problem)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await AppendManyAsync(store, 3);
        Assert.True((await store.VerifyAsync(Full, CancellationToken.None)).Valid);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_update; DROP TRIGGER audit_records_no_delete");
            Execute(connection, attack);
        }

        var verification = await store.VerifyAsync(new AuditVerificationRequest(), CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.EndsWith(problem, verification.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DELETE FROM audit_records WHERE seq >= 3")]
    [InlineData("DELETE FROM audit_records WHERE seq = 5")]
    public async Task VerifyAsync_TailTruncatedPastTheLastProvedRecord_FullWalkFindsItToo(string attack)
    {
        // Found by hostile testing, round 18: the incremental walk refused, the full walk said valid.
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await AppendManyAsync(store, 3);
        Assert.True((await store.VerifyAsync(Full, CancellationToken.None)).Valid);
        await AppendManyAsync(store, 2);
        Assert.True((await store.VerifyAsync(Full, CancellationToken.None)).Valid);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_delete");
            Execute(connection, attack);
        }

        var full = await store.VerifyAsync(Full, CancellationToken.None);
        var incremental = await store.VerifyAsync(new AuditVerificationRequest(), CancellationToken.None);

        const string Deleted = "Record seq 5, the last an earlier verification proved, is missing: it was deleted.";
        Assert.Equal((false, Deleted), (full.Valid, full.Problem));
        Assert.Equal((false, Deleted), (incremental.Valid, incremental.Problem));
    }

    [Fact]
    public async Task VerifyAsync_TailTruncatedPastTheLastProvedRecordAndRefilled_FullWalkNamesTheRewrittenRecord()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await AppendManyAsync(store, 4);
        Assert.True((await store.VerifyAsync(Full, CancellationToken.None)).Valid);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_delete");
            Execute(connection, "DELETE FROM audit_records WHERE seq >= 3");
        }

        // The store's own writer goes on from the truncated end, so seq 4 is there again, with another hash.
        var refill = db.CreateStore();
        await AppendManyAsync(refill, 3);
        var full = await refill.VerifyAsync(Full, CancellationToken.None);

        Assert.False(full.Valid);
        Assert.EndsWith("(seq 4) is not the record an earlier verification proved: it was rewritten.", full.Problem, StringComparison.Ordinal);
    }

    public static TheoryData<string> Attacks =>
    [
        "UPDATE audit_records SET output_sha256 = 'forged' WHERE seq = 3",
        "DELETE FROM audit_records WHERE seq = 3",
        "UPDATE audit_records SET seq = 100 WHERE seq = 2; UPDATE audit_records SET seq = 2 WHERE seq = 3; UPDATE audit_records SET seq = 3 WHERE seq = 100",
        "UPDATE audit_records SET hash_version = 99 WHERE seq = 4",
    ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task VerifyAsync_RecordTamperedDeletedOrReordered_EveryModeGivesTheVerdictOfTheWalkInOneSnapshot(string attack)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await AppendManyAsync(store, 5);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_update; DROP TRIGGER audit_records_no_delete");
            Execute(connection, attack);
        }

        var snapshot = await store.VerifyAsync(CancellationToken.None);
        var full = await store.VerifyAsync(Full, CancellationToken.None);
        var incremental = await store.VerifyAsync(new AuditVerificationRequest(), CancellationToken.None);

        Assert.False(snapshot.Valid);
        foreach (var paged in new[] { full, incremental })
        {
            Assert.Equal(
                (snapshot.Valid, snapshot.Records, snapshot.FirstBrokenRecord, snapshot.Problem),
                (paged.Valid, paged.Records, paged.FirstBrokenRecord, paged.Problem));
        }
    }

    [Fact]
    public async Task VerifyAsync_MoreRecordsThanAPage_ReportsProgressAfterEachPage()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var count = AuditWalkPace.RecordPage + 5;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => store.AppendAsync(AuditEntries.Create(i), CancellationToken.None).AsTask()));
        var progress = new List<AuditVerificationProgress>();

        var verification = await store.VerifyAsync(Full with { Progress = new SynchronousProgress(progress.Add) }, CancellationToken.None);

        VerificationAssert.AssertIntact(count, verification);
        Assert.Equal(
            [new(0, count, 0), new(AuditWalkPace.RecordPage, count, 0), new(count, count, 0)],
            progress);
    }

    [Fact]
    public async Task VerifyAsync_PacedWalk_StillProvesEverything()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await AppendManyAsync(store, 20);

        var verification = await store.VerifyAsync(Full with { MaxBusyShare = 0.5 }, CancellationToken.None);

        VerificationAssert.AssertIntact(20, verification);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await store.VerifyAsync(new AuditVerificationRequest { MaxBusyShare = 0 }, CancellationToken.None));
    }

    [Fact]
    public async Task VerifiedRecordsTable_UpdateOrDeleteThroughSql_IsRejected()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await AppendManyAsync(store, 2);
        Assert.True((await store.VerifyAsync(Full, CancellationToken.None)).Valid);

        using var connection = db.OpenForeignConnection();
        var update = Assert.Throws<SqliteException>(() => Execute(connection, "UPDATE audit_verified_records SET seq = 1"));
        var delete = Assert.Throws<SqliteException>(() => Execute(connection, "DELETE FROM audit_verified_records"));

        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
    }
}
