using Npgsql;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// The PostgreSQL store's chains, one per writer, and their checkpoints: how records link, and what verification
/// catches when someone with write access to the database alters, deletes, reorders or truncates what is there.
/// </summary>
public sealed class PostgresAuditChainTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task AppendAsync_Sequential_ChainsEachRecordInTheWritersChainWithTheFormThatNamesIt()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();

        var records = await AppendManyAsync(store, 5);

        Assert.Equal([1L, 2, 3, 4, 5], records.Select(r => r.Sequence));
        Assert.Equal(AuditChainHasher.GenesisHash, records[0].PreviousHash);
        using var hasher = new AuditChainHasher();
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(hasher.ComputeHash(AuditChainHasher.ChainedVersion, records[i].Id, i + 1, records[i].Entry, records[i].PreviousHash, store.Chain), records[i].Hash);
            if (i > 0)
            {
                Assert.Equal(records[i - 1].Hash, records[i].PreviousHash);
            }
        }

        Assert.Equal("1,2,3,4,5", await schema.ScalarAsync($"SELECT string_agg(chain_seq::text, ',' ORDER BY chain_seq) FROM audit_records WHERE chain_id = '{store.Chain}'"));
        Assert.Equal(5L, await schema.ScalarAsync($"SELECT seq FROM audit_chains WHERE chain_id = '{store.Chain}'"));
        Assert.Equal(records[^1].Hash, await schema.ScalarAsync($"SELECT hash FROM audit_chains WHERE chain_id = '{store.Chain}'"));
        var verification = await store.VerifyAsync(CancellationToken.None);
        VerificationAssert.AssertIntact(5, verification);
        Assert.Equal(1, verification.Chains);
    }

    [PostgresFact]
    public async Task AppendAsync_StoreReopened_WritesAChainOfItsOwnAndBothVerify()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var firstStore = schema.CreateStore(instanceName: "replica-a");
        await AppendManyAsync(firstStore, 3);
        var firstChain = firstStore.Chain;
        await firstStore.DisposeAsync();

        var reopened = schema.CreateStore(instanceName: "replica-a");
        var next = await reopened.AppendAsync(AuditEntries.Create(4), CancellationToken.None);

        Assert.NotEqual(firstChain, reopened.Chain);
        Assert.StartsWith("replica-a-", reopened.Chain, StringComparison.Ordinal);
        Assert.Equal(4, next.Sequence);
        Assert.Equal(AuditChainHasher.GenesisHash, next.PreviousHash);
        var verification = await reopened.VerifyAsync(CancellationToken.None);
        VerificationAssert.AssertIntact(4, verification);
        Assert.Equal(2, verification.Chains);

        // The first store bound its chain's end in a checkpoint as it closed.
        Assert.Equal(1L, verification.Checkpoint);
    }

    [PostgresFact]
    public async Task AppendAsync_TwoReplicasWithOneInstanceName_NeverShareAChain()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var first = schema.CreateStore(instanceName: "pod-0");
        var second = schema.CreateStore(instanceName: "pod-0");

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? first : second).AppendAsync(AuditEntries.Create(i), CancellationToken.None).AsTask()));

        Assert.NotEqual(first.Chain, second.Chain);
        Assert.Equal(2L, await schema.ScalarAsync("SELECT count(*) FROM audit_chains WHERE instance = 'pod-0'"));
        VerificationAssert.AssertIntact(40, await first.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task AppendAsync_AnotherReplicasChainLockedByAStalledSession_CommitsWithoutWaiting()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var stalled = schema.CreateStore(commitTimeoutSeconds: 30);
        var healthy = schema.CreateStore(commitTimeoutSeconds: 30);
        await stalled.AppendAsync(AuditEntries.Create(1), CancellationToken.None);
        await healthy.AppendAsync(AuditEntries.Create(2), CancellationToken.None);

        // The stalled replica's transaction holds its own row, as a frozen process in mid-commit would.
        await using var frozen = await schema.OpenForeignConnectionAsync();
        await using var transaction = await frozen.BeginTransactionAsync();
        await TempPostgresAuditSchema.ExecuteAsync(frozen, $"SELECT seq FROM audit_chains WHERE chain_id = '{stalled.Chain}' FOR UPDATE");

        // With a 30 s commit timeout, a shared lock would hold these for as long as the frozen session lives.
        var committed = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => healthy.AppendAsync(AuditEntries.Create(10 + i), CancellationToken.None).AsTask()))
            .WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(10, committed.Length);
        Assert.True(await healthy.IsReadyAsync(CancellationToken.None));
        await transaction.RollbackAsync();
        VerificationAssert.AssertIntact(12, await healthy.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task VerifyAsync_RowAlteredAfterTriggerDropped_NamesTheRecordAndItsChain()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 5);

        // Someone with access to the database can drop the guard trigger; the hash chain still catches the edit.
        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET output_sha256 = '{new string('c', 64)}' WHERE id = '{records[2].Id}'");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.Equal(
            new AuditChainVerification(false, 2, records[2].Id, $"Record {records[2].Id} (chain {store.Chain}, seq 3) does not match its hash: its contents were altered."),
            verification with { Chains = null, Checked = null });
    }

    [PostgresTheory]
    [InlineData("attempts = 'not json'", "cannot be read: The attempts column is not a JSON array of attempts")]
    [InlineData("hash_version = 6", "has hash version 6, which this gateway does not know: it cannot be verified.")]
    [InlineData("hash_version = 4", "has hash version 4, which records of its chain are never written with: it was altered.")]
    public async Task VerifyAsync_RowUnreadableOrOfWrongForm_ReportsThatRecord(string assignment, string problem)
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 3);

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET {assignment} WHERE id = '{records[1].Id}'");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal(records[1].Id, verification.FirstBrokenRecord);
        Assert.Equal(1, verification.Records);
        Assert.Contains(problem, verification.Problem, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task VerifyAsync_RowRewrittenWithRecomputedHash_ReportsTheNextRecord()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 4);
        var forged = records[1].Entry with { OutputSha256 = new string('f', 64) };
        using var hasher = new AuditChainHasher();
        var forgedHash = hasher.ComputeHash(AuditChainHasher.ChainedVersion, records[1].Id, 2, forged, records[1].PreviousHash, store.Chain);

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET output_sha256 = '{forged.OutputSha256}', hash = '{forgedHash}' WHERE id = '{records[1].Id}'");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal(records[2].Id, verification.FirstBrokenRecord);
        Assert.Equal(2, verification.Records);
        Assert.Contains("does not link to the hash of the record before it", verification.Problem, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task VerifyAsync_TwoRecordsSwapped_ReportsTheReorder()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 4);

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET chain_seq = -chain_seq WHERE id IN ('{records[1].Id}', '{records[2].Id}')");
        await schema.ExecuteAsync($"UPDATE audit_records SET chain_seq = CASE chain_seq WHEN -2 THEN 3 ELSE 2 END WHERE id IN ('{records[1].Id}', '{records[2].Id}')");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal(records[2].Id, verification.FirstBrokenRecord);
        Assert.Equal(1, verification.Records);
    }

    [PostgresFact]
    public async Task VerifyAsync_LastRecordRewrittenWithRecomputedHash_IsCaughtByTheChainsRow()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 3);
        var forged = records[2].Entry with { OutputSha256 = new string('f', 64) };
        using var hasher = new AuditChainHasher();
        var forgedHash = hasher.ComputeHash(AuditChainHasher.ChainedVersion, records[2].Id, 3, forged, records[2].PreviousHash, store.Chain);

        // No record follows the last one to betray it; only the chain's row remembers its hash.
        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET output_sha256 = '{forged.OutputSha256}', hash = '{forgedHash}' WHERE id = '{records[2].Id}'");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.Equal(records[2].Id, verification.FirstBrokenRecord);
        Assert.Equal(
            $"Record {records[2].Id} (chain {store.Chain}, seq 3) is not the record audit_chains names as the chain's end: it, or audit_chains, was rewritten.",
            verification.Problem);
    }

    [PostgresFact]
    public async Task VerifyAsync_LastRecordAndTheChainsRowBothRewrittenAfterACheckpoint_IsCaughtByTheCheckpoint()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 3);
        Assert.True(await store.TakeCheckpointAsync(CancellationToken.None));
        var forged = records[2].Entry with { OutputSha256 = new string('f', 64) };
        using var hasher = new AuditChainHasher();
        var forgedHash = hasher.ComputeHash(AuditChainHasher.ChainedVersion, records[2].Id, 3, forged, records[2].PreviousHash, store.Chain);

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync("DROP TRIGGER audit_chains_forward_only ON audit_chains");
        await schema.ExecuteAsync($"UPDATE audit_records SET output_sha256 = '{forged.OutputSha256}', hash = '{forgedHash}' WHERE id = '{records[2].Id}'");
        await schema.ExecuteAsync($"UPDATE audit_chains SET hash = '{forgedHash}' WHERE chain_id = '{store.Chain}'");

        var verification = await store.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None);

        Assert.Equal(records[2].Id, verification.FirstBrokenRecord);
        Assert.Equal(
            $"Record {records[2].Id} (chain {store.Chain}, seq 3) is not the record checkpoint 1 names as the chain's end: it, or checkpoint 1, was rewritten.",
            verification.Problem);
    }

    [PostgresFact]
    public async Task VerifyAsync_LastRecordsDeleted_ReportsTheChainShorterThanItsRow()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        await AppendManyAsync(store, 5);

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_delete ON audit_records");
        await schema.ExecuteAsync("DELETE FROM audit_records WHERE chain_seq >= 4");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.Equal(
            new AuditChainVerification(false, 3, null, $"Chain {store.Chain} ends at seq 3 but audit_chains puts its end at seq 5: records at its end were removed."),
            verification with { Chains = null, Checked = null });
    }

    [PostgresFact]
    public async Task VerifyAsync_ChainTruncatedAndItsRowMovedBackAfterACheckpoint_IsCaughtByTheCheckpoint()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 5);
        Assert.True(await store.TakeCheckpointAsync(CancellationToken.None));

        // The insider covers the truncation by moving the chain's row back to the new last record.
        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_delete ON audit_records");
        await schema.ExecuteAsync("DROP TRIGGER audit_chains_forward_only ON audit_chains");
        await schema.ExecuteAsync("DELETE FROM audit_records WHERE chain_seq >= 4");
        await schema.ExecuteAsync($"UPDATE audit_chains SET seq = 3, hash = '{records[2].Hash}' WHERE chain_id = '{store.Chain}'");

        var verification = await store.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal($"Chain {store.Chain} ends at seq 3 but checkpoint 1 puts its end at seq 5: records at its end were removed.", verification.Problem);

        // Nor will a later checkpoint bind over the truncation.
        Assert.False(await store.TakeCheckpointAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task VerifyAsync_RowDeletedFromTheMiddle_ReportsRecordAfterTheGap()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 5);

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_delete ON audit_records");
        await schema.ExecuteAsync($"DELETE FROM audit_records WHERE id = '{records[2].Id}'");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal(records[3].Id, verification.FirstBrokenRecord);
        Assert.Equal($"Record {records[3].Id} has seq 4 in chain {store.Chain} where 3 was expected: a record before it is missing.", verification.Problem);
    }

    [PostgresFact]
    public async Task VerifyAsync_AReplicasWholeChainDroppedAfterACheckpoint_NamesTheChain()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var kept = schema.CreateStore(instanceName: "kept");
        var dropped = schema.CreateStore(instanceName: "dropped");
        await AppendManyAsync(kept, 2);
        await AppendManyAsync(dropped, 3);
        Assert.True(await kept.TakeCheckpointAsync(CancellationToken.None));

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_delete ON audit_records");
        await schema.ExecuteAsync("DROP TRIGGER audit_chains_forward_only ON audit_chains");
        await schema.ExecuteAsync($"DELETE FROM audit_records WHERE chain_id = '{dropped.Chain}'");
        await schema.ExecuteAsync($"DELETE FROM audit_chains WHERE chain_id = '{dropped.Chain}'");

        var verification = await kept.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal($"Chain {dropped.Chain} has no records but checkpoint 1 puts its end at seq 3: the chain was dropped.", verification.Problem);
    }

    [PostgresFact]
    public async Task VerifyAsync_AChainsRowDeletedAfterACheckpoint_NamesTheChain()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var kept = schema.CreateStore(instanceName: "kept");
        var other = schema.CreateStore(instanceName: "other");
        await AppendManyAsync(kept, 2);
        await AppendManyAsync(other, 3);
        Assert.True(await kept.TakeCheckpointAsync(CancellationToken.None));

        await schema.ExecuteAsync("DROP TRIGGER audit_chains_forward_only ON audit_chains");
        await schema.ExecuteAsync($"DELETE FROM audit_chains WHERE chain_id = '{other.Chain}'");

        var verification = await kept.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.StartsWith($"Records name chain {other.Chain}, which has no row in audit_chains", verification.Problem, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task VerifyAsync_RecordsOfAChainTheStoreNeverStarted_AreReported()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 2);

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET chain_id = 'forged-chain' WHERE id = '{records[1].Id}'");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.StartsWith("Records name chain forged-chain, which has no row in audit_chains", verification.Problem, StringComparison.Ordinal);
    }

    [PostgresTheory]
    [InlineData("UPDATE audit_checkpoints SET root = '" + AuditChainHasher.GenesisHash + "' WHERE seq = 1", "Checkpoint 1's root does not match the chain ends it lists")]
    [InlineData("UPDATE audit_checkpoints SET \"timestamp\" = '2020-01-01T00:00:00.0000000Z' WHERE seq = 1", "Checkpoint 1 does not match its hash: it was altered.")]
    [InlineData("UPDATE audit_checkpoints SET ends = '[[1]]' WHERE seq = 1", "Checkpoint 1 cannot be read")]
    [InlineData("DELETE FROM audit_checkpoints WHERE seq = 1", "Checkpoint 1 is missing: checkpoint 2 follows checkpoint 0. It was deleted.")]
    [InlineData("UPDATE audit_checkpoints SET prev_hash = '" + AuditChainHasher.GenesisHash + "' WHERE seq = 2", "Checkpoint 2 does not link to the hash of the checkpoint before it")]
    public async Task VerifyAsync_CheckpointAlteredOrDeleted_NamesTheCheckpoint(string attack, string problem)
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        await AppendManyAsync(store, 2);
        Assert.True(await store.TakeCheckpointAsync(CancellationToken.None));
        await AppendManyAsync(store, 2);
        Assert.True(await store.TakeCheckpointAsync(CancellationToken.None));

        await schema.ExecuteAsync("DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints");
        await schema.ExecuteAsync(attack);

        var verification = await store.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.StartsWith(problem, verification.Problem, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task TakeCheckpointAsync_NothingMoved_WritesNoneAndCheckpointsChainAndBindEveryChain()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var first = schema.CreateStore();
        var second = schema.CreateStore();
        var a = await AppendManyAsync(first, 2);
        var b = await AppendManyAsync(second, 3);

        Assert.True(await first.TakeCheckpointAsync(CancellationToken.None));
        Assert.False(await second.TakeCheckpointAsync(CancellationToken.None));

        var ends = AuditCheckpoints.Sorted([new(first.Chain, 2, a[^1].Hash), new(second.Chain, 3, b[^1].Hash)]);
        Assert.Equal(AuditCheckpoints.MerkleRoot(ends), await schema.ScalarAsync("SELECT root FROM audit_checkpoints WHERE seq = 1"));
        Assert.Equal(AuditChainHasher.GenesisHash, await schema.ScalarAsync("SELECT prev_hash FROM audit_checkpoints WHERE seq = 1"));
        var verification = await first.VerifyAsync(CancellationToken.None);
        VerificationAssert.AssertIntact(5, verification);
        Assert.Equal(1L, verification.Checkpoint);
    }

    [PostgresFact]
    public async Task TakeCheckpointAsync_OneChainOfTwoMoved_NamesOnlyItAndCountsEveryChainsRecords()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var active = schema.CreateStore();
        var stopped = schema.CreateStore();
        await AppendManyAsync(active, 2);
        await AppendManyAsync(stopped, 3);
        Assert.True(await active.TakeCheckpointAsync(CancellationToken.None));
        var last = await AppendManyAsync(active, 4);

        Assert.True(await active.TakeCheckpointAsync(CancellationToken.None));

        // A chain that stopped is not restated: a checkpoint grows with the writers, not with every chain ever.
        Assert.Equal(
            AuditCheckpoints.WriteEnds([new(active.Chain, 6, last[^1].Hash)]),
            await schema.ScalarAsync("SELECT ends FROM audit_checkpoints WHERE seq = 2"));
        Assert.Equal(9L, await schema.ScalarAsync("SELECT records FROM audit_checkpoints WHERE seq = 2"));
        var verification = await active.VerifyAsync(CancellationToken.None);
        VerificationAssert.AssertIntact(9, verification);
        Assert.Equal(2L, verification.Checkpoint);

        // The stopped chain's records are still bound by checkpoint 1 and counted by checkpoint 2, even against an
        // insider who rewrites the count and the hash over it.
        await schema.ExecuteAsync("DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints");
        var timestamp = (string)(await schema.ScalarAsync("SELECT \"timestamp\" FROM audit_checkpoints WHERE seq = 2"))!;
        var root = (string)(await schema.ScalarAsync("SELECT root FROM audit_checkpoints WHERE seq = 2"))!;
        var previous = (string)(await schema.ScalarAsync("SELECT prev_hash FROM audit_checkpoints WHERE seq = 2"))!;
        var forged = AuditCheckpoints.ComputeHash(2, timestamp, [new(active.Chain, 6, last[^1].Hash)], 6, root, previous);
        await schema.ExecuteAsync($"UPDATE audit_checkpoints SET records = 6, hash = '{forged}' WHERE seq = 2");
        var full = await active.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None);
        Assert.Equal("Checkpoint 2 counts 6 records in all chains, but the chains bound so far hold 9: a chain was left out, or the count altered.", full.Problem);
    }

    [PostgresFact]
    public async Task VerifyAsync_Incremental_ResumesFromTheLastProvedCheckpointAndFullWalksEverything()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var early = await AppendManyAsync(store, 3);
        Assert.True(await store.TakeCheckpointAsync(CancellationToken.None));
        var proved = await store.VerifyAsync(CancellationToken.None);
        await AppendManyAsync(store, 2);
        Assert.True(await store.TakeCheckpointAsync(CancellationToken.None));

        var progress = new List<AuditVerificationProgress>();
        var resumed = await store.VerifyAsync(new AuditVerificationRequest { Progress = new SynchronousProgress(progress.Add) }, CancellationToken.None);

        Assert.Equal((true, 3L, 1L, (long?)null, 3L), (proved.Valid, proved.Records, proved.Checkpoint, proved.ResumedFrom, proved.Checked));
        Assert.Equal((true, 5L, 2L, (long?)1, 2L), (resumed.Valid, resumed.Records, resumed.Checkpoint, resumed.ResumedFrom, resumed.Checked));
        Assert.Equal(2, progress[^1].Checked);
        Assert.Equal(2, progress[^1].ToCheck);

        // What the incremental walk skips, the full one still walks.
        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET decision = 'denied' WHERE id = '{early[0].Id}'");
        Assert.True((await store.VerifyAsync(CancellationToken.None)).Valid);
        var full = await store.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None);
        Assert.Equal(early[0].Id, full.FirstBrokenRecord);
    }

    [PostgresFact]
    public async Task VerifyAsync_ProvedCheckpointRewritten_IncrementalWalkRefusesToResume()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        await AppendManyAsync(store, 2);
        Assert.True(await store.TakeCheckpointAsync(CancellationToken.None));
        Assert.True((await store.VerifyAsync(CancellationToken.None)).Valid);

        await schema.ExecuteAsync("DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints");
        await schema.ExecuteAsync($"UPDATE audit_checkpoints SET hash = '{new string('e', 64)}' WHERE seq = 1");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.Equal("Checkpoint 1 is not the checkpoint an earlier verification proved: it was rewritten.", verification.Problem);
    }

    [PostgresFact]
    public async Task VerifyAsync_PacedWalk_StillProvesEverything()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        await AppendManyAsync(store, 20);

        var verification = await store.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full, MaxBusyShare = 0.5 }, CancellationToken.None);

        VerificationAssert.AssertIntact(20, verification);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await store.VerifyAsync(new AuditVerificationRequest { MaxBusyShare = 0 }, CancellationToken.None));
    }

    [PostgresFact]
    public async Task AuditTables_UpdateDeleteTruncateOrChainMovedBack_AreRejected()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        await AppendManyAsync(store, 2);
        Assert.True(await store.TakeCheckpointAsync(CancellationToken.None));

        string[] attacks =
        [
            "UPDATE audit_records SET decision = 'denied'",
            "DELETE FROM audit_records",
            "TRUNCATE audit_records",
            "UPDATE audit_chains SET seq = 1",
            "UPDATE audit_chains SET instance = 'someone-else'",
            "DELETE FROM audit_chains",
            "TRUNCATE audit_chains",
            "UPDATE audit_checkpoints SET root = 'x'",
            "DELETE FROM audit_checkpoints",
            "TRUNCATE audit_checkpoints",
        ];
        foreach (var attack in attacks)
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => schema.ExecuteAsync(attack));
            Assert.Matches("append-only|only moves forward", error.MessageText);
        }

        VerificationAssert.AssertIntact(2, await store.VerifyAsync(CancellationToken.None));
    }

    private static async Task<List<AuditRecord>> AppendManyAsync(PostgresAuditStore store, int count)
    {
        var records = new List<AuditRecord>();
        for (var i = 0; i < count; i++)
        {
            records.Add(await store.AppendAsync(AuditEntries.Create(i), CancellationToken.None));
        }

        return records;
    }
}
