using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// What de-identification did, and its redaction counts, in the PostgreSQL store (hash version 3), next to the
/// version-2 records of a schema an earlier gateway created.
/// </summary>
public sealed class PostgresAuditDeIdentificationTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task AppendAsync_DeIdentificationAndRedactions_RoundTripThroughGetQueryAndTheirColumns()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();

        var records = new[]
        {
            await store.AppendAsync(DeIdentified(1), CancellationToken.None),
            await store.AppendAsync(AuditEntries.Create(2) with { DeIdentification = DeIdentificationOutcomes.NotRequired }, CancellationToken.None),
            await store.AppendAsync(AuditEntries.Create(3) with { DeIdentification = DeIdentificationOutcomes.Applied, Redactions = "" }, CancellationToken.None),
            await store.AppendAsync(AuditEntries.Create(4), CancellationToken.None),
        };

        foreach (var record in records)
        {
            Assert.Equal(record, await store.GetAsync(record.Id, CancellationToken.None));
        }

        Assert.Equal(records.Reverse(), await store.QueryAsync(new AuditQuery(), CancellationToken.None));
        Assert.Equal(
            "applied|date=2,name=3|5;not-required|(null)|5;applied||5;(null)|(null)|5",
            await schema.ScalarAsync(
                "SELECT string_agg(coalesce(de_identification, '(null)') || '|' || coalesce(redactions, '(null)') || '|' || hash_version, ';' ORDER BY seq) FROM audit_records"));
        VerificationAssert.AssertIntact(4, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresTheory]
    [InlineData("de_identification = 'not-required'")]
    [InlineData("redactions = 'name=3'")]
    [InlineData("redactions = NULL")]
    public async Task VerifyAsync_DeIdentificationOrRedactionsAltered_ReportsThatRecord(string assignment)
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = new List<AuditRecord>();
        for (var i = 0; i < 4; i++)
        {
            records.Add(await store.AppendAsync(DeIdentified(i), CancellationToken.None));
        }

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET {assignment} WHERE seq = 3");

        VerificationAssert.AssertBroken(
            new AuditChainVerification(false, 2, records[2].Id, $"Record {records[2].Id} (seq 3) does not match its hash: its contents were altered."),
            await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task Store_SchemaOfVersion2_IsUpgradedInPlaceAndTheChainContinues()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var old = AuditVersion2.Chain(3);
        await using (var connection = await schema.OpenForeignConnectionAsync())
        {
            await TempPostgresAuditSchema.ExecuteAsync(connection, AuditVersion2.PostgresDdl);
            await AuditVersion2.InsertAsync(connection, old);
        }

        var store = schema.CreateStore();

        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        Assert.Equal(2L, await schema.ScalarAsync(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'audit_records' " +
            "AND column_name IN ('de_identification', 'redactions') AND data_type = 'text' AND is_nullable = 'YES'"));
        VerificationAssert.AssertIntact(3, await store.VerifyAsync(CancellationToken.None));
        var oldRead = (await store.GetAsync(old[2].Id, CancellationToken.None))!;
        Assert.Equal(old[2], oldRead with { Entry = old[2].Entry });
        Assert.Equal(old[2].Entry with { Attempts = oldRead.Entry.Attempts }, oldRead.Entry);

        var next = await store.AppendAsync(DeIdentified(4), CancellationToken.None);

        Assert.Equal(AuditChainHasher.GenesisHash, next.PreviousHash);
        Assert.Equal(next, await store.GetAsync(next.Id, CancellationToken.None));
        VerificationAssert.AssertIntact(4, await store.VerifyAsync(CancellationToken.None));
        Assert.Equal("2,2,2,5", await schema.ScalarAsync("SELECT string_agg(hash_version::text, ',' ORDER BY seq) FROM audit_records"));

        // A second replica starting on the upgraded schema finds it complete.
        var replica = schema.CreateStore();
        Assert.Equal(5, (await replica.AppendAsync(DeIdentified(5), CancellationToken.None)).Sequence);
        VerificationAssert.AssertIntact(5, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task Store_SchemaOfVersion2_IsLaidOutAsANewSchemaAfterTheUpgrade()
    {
        await using var upgraded = await TempPostgresAuditSchema.CreateAsync(database);
        await upgraded.ExecuteAsync(AuditVersion2.PostgresDdl);
        Assert.True(await upgraded.CreateStore().IsReadyAsync(CancellationToken.None));
        await using var fresh = await TempPostgresAuditSchema.CreateAsync(database);
        Assert.True(await fresh.CreateStore().IsReadyAsync(CancellationToken.None));

        const string Layout =
            "SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ', ' ORDER BY ordinal_position) " +
            "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'audit_records'";
        Assert.Equal(await fresh.ScalarAsync(Layout), await upgraded.ScalarAsync(Layout));
    }

    [PostgresTheory]
    [InlineData("de_identification = 'applied'", "de_identification")]
    [InlineData("redactions = ''", "redactions")]
    public async Task VerifyAsync_FieldOfVersion3AddedToVersion2Record_ReportsThatRecord(string assignment, string column)
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var old = AuditVersion2.Chain(3);
        await using (var connection = await schema.OpenForeignConnectionAsync())
        {
            await TempPostgresAuditSchema.ExecuteAsync(connection, AuditVersion2.PostgresDdl);
            await AuditVersion2.InsertAsync(connection, old);
        }

        var store = schema.CreateStore();
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET {assignment} WHERE seq = 2");

        VerificationAssert.AssertBroken(
            new AuditChainVerification(false, 1, old[1].Id, $"Record {old[1].Id} (seq 2) holds {column}, which its hash version 2 does not cover: its contents were altered."),
            await store.VerifyAsync(CancellationToken.None));
    }

    private static AuditEntry DeIdentified(int n) => AuditEntries.Create(n) with
    {
        DeIdentification = DeIdentificationOutcomes.Applied,
        Redactions = "date=2,name=3",
    };
}
