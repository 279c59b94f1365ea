using Npgsql;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// The PostgreSQL store's hash chain: how records link, and what verification catches when someone with
/// access to the database edits it.
/// </summary>
public sealed class PostgresAuditChainTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task AppendAsync_Sequential_ChainsEachRecordWithTheSqliteStoresCanonicalHash()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();

        var records = new List<AuditRecord>();
        for (var i = 0; i < 5; i++)
        {
            records.Add(await store.AppendAsync(AuditEntries.Create(i), CancellationToken.None));
        }

        Assert.Equal([1L, 2, 3, 4, 5], records.Select(r => r.Sequence));
        Assert.Equal(AuditChainHasher.GenesisHash, records[0].PreviousHash);
        using var hasher = new AuditChainHasher();
        for (var i = 0; i < records.Count; i++)
        {
            // The hash is the shared canonical form's, so a record verifies the same in either store.
            Assert.Equal(hasher.ComputeHash(records[i].Id, records[i].Sequence, records[i].Entry, records[i].PreviousHash), records[i].Hash);
            if (i > 0)
            {
                Assert.Equal(records[i - 1].Hash, records[i].PreviousHash);
                Assert.True(string.CompareOrdinal(records[i - 1].Id, records[i].Id) < 0, "ids sort in commit order");
            }
        }

        Assert.Equal(new AuditChainVerification(true, 5), await store.VerifyAsync(CancellationToken.None));
        Assert.Equal(5L, await schema.ScalarAsync("SELECT seq FROM audit_chain_head"));
        Assert.Equal(records[^1].Hash, await schema.ScalarAsync("SELECT hash FROM audit_chain_head"));
    }

    [PostgresFact]
    public async Task AppendAsync_StoreReopened_ContinuesTheChain()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var firstStore = schema.CreateStore();
        var last = (await AppendManyAsync(firstStore, 3))[^1];
        await firstStore.DisposeAsync();

        var reopened = schema.CreateStore();
        var next = await reopened.AppendAsync(AuditEntries.Create(4), CancellationToken.None);

        Assert.Equal(4, next.Sequence);
        Assert.Equal(last.Hash, next.PreviousHash);
        Assert.Equal(new AuditChainVerification(true, 4), await reopened.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task VerifyAsync_RowAlteredAfterTriggerDropped_ReportsFirstBrokenRecord()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 5);

        // Someone with access to the database can drop the guard trigger; the hash chain still catches the edit.
        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET output_sha256 = '{new string('c', 64)}' WHERE seq = 3");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.Equal(
            new AuditChainVerification(false, 2, records[2].Id, $"Record {records[2].Id} (seq 3) does not match its hash: its contents were altered."),
            verification);
    }

    [PostgresTheory]
    [InlineData("attempts = 'not json'", "cannot be read: The attempts column is not a JSON array of attempts")]
    [InlineData("hash_version = 5", "has hash version 5, which this gateway does not know: it cannot be verified.")]
    public async Task VerifyAsync_RowUnreadableOrOfUnknownForm_ReportsThatRecord(string assignment, string problem)
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 3);

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET {assignment} WHERE seq = 2");

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
        var forgedHash = hasher.ComputeHash(records[1].Id, 2, forged, records[1].PreviousHash);

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET output_sha256 = '{forged.OutputSha256}', hash = '{forgedHash}' WHERE seq = 2");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal(records[2].Id, verification.FirstBrokenRecord);
        Assert.Equal(2, verification.Records);
    }

    [PostgresFact]
    public async Task VerifyAsync_LastRecordRewrittenWithRecomputedHash_IsCaughtByTheHead()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 3);
        var forged = records[2].Entry with { OutputSha256 = new string('f', 64) };
        using var hasher = new AuditChainHasher();
        var forgedHash = hasher.ComputeHash(records[2].Id, 3, forged, records[2].PreviousHash);

        // No record follows the last one to betray it; only the head remembers its hash.
        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET output_sha256 = '{forged.OutputSha256}', hash = '{forgedHash}' WHERE seq = 3");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.Equal(
            new AuditChainVerification(false, 2, records[2].Id, $"Record {records[2].Id} (seq 3) is not the record the chain head names: it, or the head, was rewritten."),
            verification);
    }

    [PostgresFact]
    public async Task VerifyAsync_LastRecordsDeleted_ReportsTheChainShorterThanItsHead()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        await AppendManyAsync(store, 5);

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_delete ON audit_records");
        await schema.ExecuteAsync("DELETE FROM audit_records WHERE seq >= 4");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.Equal(
            new AuditChainVerification(false, 3, null, "The chain ends at seq 3 but its head records seq 5: records at its end were removed."),
            verification);
    }

    [PostgresFact]
    public async Task VerifyAsync_RowDeletedFromTheMiddle_ReportsRecordAfterTheGap()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = await AppendManyAsync(store, 5);

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_delete ON audit_records");
        await schema.ExecuteAsync("DELETE FROM audit_records WHERE seq = 3");

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal(records[3].Id, verification.FirstBrokenRecord);
        Assert.Contains("missing", verification.Problem, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task AuditTables_UpdateDeleteTruncateOrHeadMovedBack_AreRejected()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        await AppendManyAsync(store, 2);

        string[] attacks =
        [
            "UPDATE audit_records SET decision = 'denied'",
            "DELETE FROM audit_records",
            "TRUNCATE audit_records",
            "UPDATE audit_chain_head SET seq = 1",
            "DELETE FROM audit_chain_head",
            "TRUNCATE audit_chain_head",
        ];
        foreach (var attack in attacks)
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => schema.ExecuteAsync(attack));
            Assert.Matches("append-only|only moves forward", error.MessageText);
        }

        Assert.Equal(new AuditChainVerification(true, 2), await store.VerifyAsync(CancellationToken.None));
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
