using Npgsql;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// Batches of many records in the PostgreSQL store, written as one INSERT: order, hashes and values come out as they
/// went in, and a batch the server refuses acknowledges none of its records. Each test holds the writer's first commit
/// on its chain row's lock until the records under test are queued, so they are committed together in the next batch.
/// </summary>
public sealed class PostgresAuditBatchTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task AppendAsync_TwoHundredRecordsInOneBatch_ChainedInTheOrderAppendedAndVerified()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore(maxBatchSize: 256);
        var entries = Enumerable.Range(1, 200).Select(i => AuditEntries.Create(i)).ToArray();

        var (opener, appends) = await AppendBehindABlockedCommitAsync(schema, store, entries);
        var records = await Task.WhenAll(appends);

        Assert.Equal(2, store.CommittedBatches);
        Assert.Equal(opener.Hash, records[0].PreviousHash);
        for (var i = 0; i < records.Length; i++)
        {
            Assert.Equal(entries[i], records[i].Entry);
            Assert.Equal(records[i], await store.GetAsync(records[i].Id, CancellationToken.None));
            if (i > 0)
            {
                Assert.Equal(records[i - 1].Hash, records[i].PreviousHash);
                Assert.True(records[i].Sequence > records[i - 1].Sequence, $"record {i}'s locator does not rise along the chain");
            }
        }

        // The chain's own numbering, which the verifier walks, follows the order the records were appended in.
        Assert.Equal(
            Enumerable.Range(1, 200).Select(i => $"trace-{i:D4}"),
            await ReadTraceIdsInChainOrderAsync(schema, store.Chain, after: 1));
        Assert.Equal(201L, await schema.ScalarAsync($"SELECT seq FROM audit_chains WHERE chain_id = '{store.Chain}'"));
        Assert.Equal(records[^1].Hash, await schema.ScalarAsync($"SELECT hash FROM audit_chains WHERE chain_id = '{store.Chain}'"));
        VerificationAssert.AssertIntact(201, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresTheory]
    [InlineData("BEFORE INSERT ON audit_records FOR EACH ROW")]
    [InlineData("AFTER INSERT ON audit_records DEFERRABLE INITIALLY DEFERRED FOR EACH ROW")]
    public async Task AppendAsync_BatchWithARecordTheServerRefusesAtInsertOrAtCommit_AcknowledgesNoneOfItAndTheChainContinues(string when)
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore(maxBatchSize: 256);
        Assert.True(await store.IsReadyAsync(CancellationToken.None));

        // Stands in for any row the server refuses (a constraint, a DBA's trigger), as it is inserted or only as its
        // transaction commits, after the rows were returned: either way no record of the batch may be acknowledged.
        var constraint = when.StartsWith("AFTER", StringComparison.Ordinal) ? "CONSTRAINT " : "";
        await schema.ExecuteAsync($$"""
            CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'refused by test trigger';
            END $$;
            CREATE {{constraint}}TRIGGER refuse_poison {{when}}
                WHEN (NEW.trace_id = 'poison') EXECUTE FUNCTION refuse_poison();
            """);
        AuditEntry[] entries = [AuditEntries.Create(2), AuditEntries.Create(3) with { TraceId = "poison" }, AuditEntries.Create(4)];

        var (opener, appends) = await AppendBehindABlockedCommitAsync(schema, store, entries);
        var failures = await Task.WhenAll(appends.Select(append => Assert.ThrowsAsync<AuditUnavailableException>(() => append)));
        var next = await store.AppendAsync(AuditEntries.Create(5), CancellationToken.None);

        Assert.All(failures, failure => Assert.Equal("P0001", Assert.IsType<PostgresException>(failure.InnerException).SqlState));
        Assert.Equal(2L, await schema.ScalarAsync("SELECT count(*) FROM audit_records"));
        Assert.Equal(opener.Hash, next.PreviousHash);
        Assert.Equal(["trace-0001", "trace-0005"], await ReadTraceIdsInChainOrderAsync(schema, store.Chain, after: 0));
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        VerificationAssert.AssertIntact(2, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task AppendAsync_NullsEmptiesUnicodeAndArrayMetacharactersInOneBatch_RoundTripExactly()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore(maxBatchSize: 256);

        // Synthetic values only. The texts hold what an array literal would have to escape ("NULL", braces, quotes,
        // backslashes, commas), text outside the BMP, combining marks and right-to-left script.
        AuditEntry[] entries =
        [
            new() { Timestamp = AuditEntries.BaseTime, TraceId = "trace-min", Decision = "denied", StatusCode = 403, LatencyMs = 2 },
            AuditEntries.Create(2) with
            {
                UserId = "NULL",
                InputText = "{\"a\": [1, 2]}, \\\\ \"NULL\" {} ,",
                OutputText = "Résumé: e\u0301 😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 漢字 مرحبا",
                Reasons = "tier_requires_review,phi_minimized",
                CostUsd = 0.1 + 0.2,
                Streamed = true,
                Attempts = [new("gpt-eu-1", "openai/primary", "vendor_error", 503, 0.5), new("gpt-eu-1", null, "answered", null, 12.75)],
            },
            AuditEntries.Create(3) with { AppId = "", UserId = "", InputText = "", OutputText = "", RiskTier = null, InputTokens = null, CostUsd = 0 },
            AuditEntries.Create(4) with { InputText = new string('x', 100_000) + "🩺", OutputText = null, LatencyMs = 0.1 + 0.7 },
        ];

        var (_, appends) = await AppendBehindABlockedCommitAsync(schema, store, entries);
        var records = await Task.WhenAll(appends);
        var queried = (await store.QueryAsync(new AuditQuery(), CancellationToken.None)).Reverse().Skip(1).ToArray();

        Assert.Equal(2, store.CommittedBatches);
        for (var i = 0; i < entries.Length; i++)
        {
            AssertSameEntry(entries[i], records[i].Entry);
            AssertSameRecord(records[i], await store.GetAsync(records[i].Id, CancellationToken.None));
            AssertSameRecord(records[i], queried[i]);
        }

        Assert.Equal(DBNull.Value, await schema.ScalarAsync($"SELECT user_id FROM audit_records WHERE id = '{records[0].Id}'"));
        Assert.Equal("NULL", await schema.ScalarAsync($"SELECT user_id FROM audit_records WHERE id = '{records[1].Id}'"));
        Assert.Equal("", await schema.ScalarAsync($"SELECT app_id FROM audit_records WHERE id = '{records[2].Id}'"));
        VerificationAssert.AssertIntact(5, await store.VerifyAsync(CancellationToken.None));
    }

    // The store keeps a copy of the attempts, so the lists are compared by their items.
    private static void AssertSameEntry(AuditEntry expected, AuditEntry actual)
    {
        Assert.Equal(expected.Attempts, actual.Attempts);
        Assert.Equal(expected with { Attempts = [] }, actual with { Attempts = [] });
    }

    private static void AssertSameRecord(AuditRecord expected, AuditRecord? actual)
    {
        Assert.NotNull(actual);
        AssertSameEntry(expected.Entry, actual.Entry);
        Assert.Equal(expected with { Entry = actual.Entry }, actual);
    }

    /// <summary>
    /// Appends an opening record whose commit waits for its chain row's lock, held by another session; once it waits,
    /// appends <paramref name="entries"/> in order, then lets the opener commit. The entries are then all queued, so
    /// the writer takes them into its next batch together (up to its batch size).
    /// </summary>
    private static async Task<(AuditRecord Opener, Task<AuditRecord>[] Appends)> AppendBehindABlockedCommitAsync(
        TempPostgresAuditSchema schema, PostgresAuditStore store, IReadOnlyList<AuditEntry> entries)
    {
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        Task<AuditRecord> opener;
        Task<AuditRecord>[] appends;
        await using (var holder = await schema.OpenForeignConnectionAsync())
        {
            await using var transaction = await holder.BeginTransactionAsync();
            await TempPostgresAuditSchema.ExecuteAsync(holder, $"SELECT seq FROM audit_chains WHERE chain_id = '{store.Chain}' FOR UPDATE");
            opener = store.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask();
            await WaitForALockWaitAsync(schema);
            appends = entries.Select(entry => store.AppendAsync(entry, CancellationToken.None).AsTask()).ToArray();
        }

        return (await opener, appends);
    }

    // Only this test class's database: other classes run in parallel against databases of their own.
    private static async Task WaitForALockWaitAsync(TempPostgresAuditSchema schema)
    {
        while (!Equals(await schema.ScalarAsync("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock')"), true))
        {
            await Task.Delay(10);
        }
    }

    private static async Task<List<string>> ReadTraceIdsInChainOrderAsync(TempPostgresAuditSchema schema, string chain, long after)
    {
        await using var connection = await schema.OpenForeignConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT trace_id FROM audit_records WHERE chain_id = $1 AND chain_seq > $2 ORDER BY chain_seq", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = chain });
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        var traceIds = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            traceIds.Add(reader.GetString(0));
        }

        return traceIds;
    }
}
