using Npgsql;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// Verbatim audit in the PostgreSQL store: user, input and output texts (hash version 2 and later), next to the
/// version-1 records of a schema an earlier gateway created.
/// </summary>
public sealed class PostgresAuditVerbatimTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task AppendAsync_UserAndTexts_RoundTripThroughGetQueryAndTheirColumns()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var entry = Verbatim(1);
        var empty = AuditEntries.Create(2) with { InputText = "", OutputText = "" };

        var appended = await store.AppendAsync(entry, CancellationToken.None);
        var appendedEmpty = await store.AppendAsync(empty, CancellationToken.None);
        var hashesOnly = await store.AppendAsync(AuditEntries.Create(3), CancellationToken.None);

        Assert.Equal(appended, await store.GetAsync(appended.Id, CancellationToken.None));
        Assert.Equal(appendedEmpty, await store.GetAsync(appendedEmpty.Id, CancellationToken.None));
        Assert.Equal(hashesOnly, await store.GetAsync(hashesOnly.Id, CancellationToken.None));
        Assert.Equal([entry.OutputText, "", null], (await store.QueryAsync(new AuditQuery(), CancellationToken.None)).Select(r => r.Entry.OutputText).Reverse());
        Assert.Equal(entry.InputText, await schema.ScalarAsync("SELECT input_text FROM audit_records WHERE seq = 1"));
        Assert.Equal(entry.UserId, await schema.ScalarAsync("SELECT user_id FROM audit_records WHERE seq = 1"));
        Assert.Equal(2L, await schema.ScalarAsync("SELECT count(*) FROM audit_records WHERE input_text IS NOT NULL"));
        Assert.Equal(3L, await schema.ScalarAsync("SELECT count(*) FROM audit_records WHERE hash_version = 5"));
        VerificationAssert.AssertIntact(3, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresTheory]
    [InlineData("OutputText")]
    [InlineData("InputText")]
    [InlineData("UserId")]
    public async Task AppendAsync_NulCharacterInUserOrText_IsRejectedAndOthersStillCommit(string field)
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var bad = field switch
        {
            "OutputText" => Verbatim(1) with { OutputText = "before\0after" },
            "InputText" => Verbatim(1) with { InputText = "\0" },
            _ => Verbatim(1) with { UserId = "u\0" },
        };

        var rejected = store.AppendAsync(bad, CancellationToken.None).AsTask();
        var good = store.AppendAsync(Verbatim(2), CancellationToken.None).AsTask();

        // Refused, not cleaned: the record must hold what was sent and released.
        var error = await Assert.ThrowsAsync<ArgumentException>(() => rejected);
        Assert.Contains($"{field} contains a NUL character, which PostgreSQL cannot store", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await good).Sequence);
        VerificationAssert.AssertIntact(1, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task AppendAsync_LoneSurrogateInText_IsRejectedByTheSharedGuard()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => store.AppendAsync(Verbatim(1) with { OutputText = "stable \uD83D" }, CancellationToken.None).AsTask());

        Assert.Contains("OutputText is not well-formed UTF-16", error.Message, StringComparison.Ordinal);
    }

    [PostgresTheory]
    [InlineData("output_text = 'The patient may be discharged today.'")]
    [InlineData("output_text = NULL")]
    [InlineData("input_text = input_text || ' '")]
    [InlineData("user_id = 'u-9999'")]
    public async Task VerifyAsync_UserOrTextAltered_ReportsThatRecord(string assignment)
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = new List<AuditRecord>();
        for (var i = 0; i < 4; i++)
        {
            records.Add(await store.AppendAsync(Verbatim(i), CancellationToken.None));
        }

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET {assignment} WHERE seq = 3");

        var verification = await store.VerifyAsync(CancellationToken.None);

        VerificationAssert.AssertBroken(
            new AuditChainVerification(false, 2, records[2].Id, $"Record {records[2].Id} (seq 3) does not match its hash: its contents were altered."),
            verification);
    }

    [PostgresFact]
    public async Task Store_SchemaOfVersion1_IsUpgradedInPlaceAndTheChainContinues()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var old = AuditVersion1.Chain(3);
        await using (var connection = await schema.OpenForeignConnectionAsync())
        {
            await TempPostgresAuditSchema.ExecuteAsync(connection, AuditVersion1.PostgresDdl);
            await AuditVersion1.InsertAsync(connection, old);
        }

        var store = schema.CreateStore();

        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        Assert.Equal(3L, await schema.ScalarAsync(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'audit_records' " +
            "AND column_name IN ('user_id', 'input_text', 'output_text') AND data_type = 'text' AND is_nullable = 'YES'"));
        VerificationAssert.AssertIntact(3, await store.VerifyAsync(CancellationToken.None));
        var oldRead = (await store.GetAsync(old[2].Id, CancellationToken.None))!;
        Assert.Equal(old[2], oldRead with { Entry = old[2].Entry });
        Assert.Equal(old[2].Entry with { Attempts = oldRead.Entry.Attempts }, oldRead.Entry);
        Assert.Equal(old[2].Entry.Attempts, oldRead.Entry.Attempts);

        var next = await store.AppendAsync(Verbatim(4), CancellationToken.None);
        await store.AppendAsync(AuditEntries.Create(5), CancellationToken.None);

        // The old records stay the legacy chain; this process writes a chain of its own.
        Assert.Equal(4, next.Sequence);
        Assert.Equal(AuditChainHasher.GenesisHash, next.PreviousHash);
        Assert.Equal(next, await store.GetAsync(next.Id, CancellationToken.None));
        VerificationAssert.AssertIntact(5, await store.VerifyAsync(CancellationToken.None));
        Assert.Equal("1,1,1,5,5", await schema.ScalarAsync("SELECT string_agg(hash_version::text, ',' ORDER BY seq) FROM audit_records"));

        // A second replica starting on the upgraded schema finds it complete; the guards still hold.
        var replica = schema.CreateStore();
        Assert.Equal(6, (await replica.AppendAsync(Verbatim(6), CancellationToken.None)).Sequence);
        VerificationAssert.AssertIntact(6, await store.VerifyAsync(CancellationToken.None));
        var update = await Assert.ThrowsAsync<PostgresException>(() => schema.ExecuteAsync("UPDATE audit_records SET output_text = 'forged' WHERE seq = 1"));
        Assert.Contains("append-only", update.MessageText, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Store_SchemaOfVersion1_IsLaidOutAsANewSchemaAfterTheUpgrade()
    {
        await using var upgraded = await TempPostgresAuditSchema.CreateAsync(database);
        await upgraded.ExecuteAsync(AuditVersion1.PostgresDdl);
        Assert.True(await upgraded.CreateStore().IsReadyAsync(CancellationToken.None));
        await using var fresh = await TempPostgresAuditSchema.CreateAsync(database);
        Assert.True(await fresh.CreateStore().IsReadyAsync(CancellationToken.None));

        const string Layout =
            "SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ', ' ORDER BY ordinal_position) " +
            "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'audit_records'";
        Assert.Equal(await fresh.ScalarAsync(Layout), await upgraded.ScalarAsync(Layout));
    }

    [PostgresTheory]
    [InlineData("output_text = 'The patient may be discharged today.'", "output_text")]
    [InlineData("user_id = 'u-0042'", "user_id")]
    public async Task VerifyAsync_FieldOfVersion2AddedToVersion1Record_ReportsThatRecord(string assignment, string column)
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var old = AuditVersion1.Chain(3);
        await using (var connection = await schema.OpenForeignConnectionAsync())
        {
            await TempPostgresAuditSchema.ExecuteAsync(connection, AuditVersion1.PostgresDdl);
            await AuditVersion1.InsertAsync(connection, old);
        }

        var store = schema.CreateStore();
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET {assignment} WHERE seq = 2");

        var verification = await store.VerifyAsync(CancellationToken.None);

        VerificationAssert.AssertBroken(
            new AuditChainVerification(false,
                1,
                old[1].Id,
                $"Record {old[1].Id} (seq 2) holds {column}, which its hash version 1 does not cover: its contents were altered."),
            verification);
    }

    private static AuditEntry Verbatim(int n) => AuditEntries.Create(n) with
    {
        UserId = $"u-{n:D4}",
        InputText = $"Summarise the stay of [PATIENT] (case {n}):\n\"BP 120/80, Résumé <ok> & stable\"\r\n\ttab 👍",
        OutputText = $"Discharge summary {n}: stable; follow-up in 2 weeks. ✓",
    };
}
