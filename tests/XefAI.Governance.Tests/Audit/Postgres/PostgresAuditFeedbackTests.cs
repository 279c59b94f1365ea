using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// Clinicians' feedback on an answer (hash version 4: <c>relates_to</c> and <c>feedback</c>) in the PostgreSQL store,
/// next to the version-2 records of a schema an earlier gateway created.
/// </summary>
public sealed class PostgresAuditFeedbackTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task AppendAsync_RelatesToAndFeedback_RoundTripThroughGetQueryAndTheirColumns()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var card = await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);

        var records = new[]
        {
            card,
            await store.AppendAsync(SqliteAuditFeedbackTests.Feedback(2, card.Id, AuditFeedback.Accepted), CancellationToken.None),
            await store.AppendAsync(SqliteAuditFeedbackTests.Feedback(3, card.Id, "overridden:too-late"), CancellationToken.None),
        };

        foreach (var record in records)
        {
            Assert.Equal(record, await store.GetAsync(record.Id, CancellationToken.None));
        }

        Assert.Equal(records.Reverse(), await store.QueryAsync(new AuditQuery(), CancellationToken.None));
        Assert.Equal(
            $"(null)|(null)|5;{card.Id}|accepted|5;{card.Id}|overridden:too-late|5",
            await schema.ScalarAsync(
                "SELECT string_agg(coalesce(relates_to, '(null)') || '|' || coalesce(feedback, '(null)') || '|' || hash_version, ';' ORDER BY seq) FROM audit_records"));
        VerificationAssert.AssertIntact(3, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresTheory]
    [InlineData("feedback = 'accepted'")]
    [InlineData("relates_to = NULL")]
    public async Task VerifyAsync_RelatesToOrFeedbackAltered_ReportsThatRecord(string assignment)
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var records = new List<AuditRecord>();
        for (var i = 0; i < 4; i++)
        {
            records.Add(await store.AppendAsync(SqliteAuditFeedbackTests.Feedback(i, "aud_card", "overridden:not-relevant"), CancellationToken.None));
        }

        await schema.ExecuteAsync("DROP TRIGGER audit_records_no_update ON audit_records");
        await schema.ExecuteAsync($"UPDATE audit_records SET {assignment} WHERE seq = 3");

        VerificationAssert.AssertBroken(
            new AuditChainVerification(false, 2, records[2].Id, $"Record {records[2].Id} (seq 3) does not match its hash: its contents were altered."),
            await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task Store_SchemaOfVersion2_GainsTheFeedbackColumnsAndChainsFeedbackAfterOldRecords()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var old = AuditVersion2.Chain(2);
        await using (var connection = await schema.OpenForeignConnectionAsync())
        {
            await TempPostgresAuditSchema.ExecuteAsync(connection, AuditVersion2.PostgresDdl);
            await AuditVersion2.InsertAsync(connection, old);
        }

        var store = schema.CreateStore();
        var feedback = await store.AppendAsync(SqliteAuditFeedbackTests.Feedback(3, old[1].Id, AuditFeedback.Accepted), CancellationToken.None);

        Assert.Equal(2L, await schema.ScalarAsync(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'audit_records' " +
            "AND column_name IN ('relates_to', 'feedback') AND data_type = 'text' AND is_nullable = 'YES'"));
        Assert.Equal(AuditChainHasher.GenesisHash, feedback.PreviousHash);
        Assert.Equal(feedback, await store.GetAsync(feedback.Id, CancellationToken.None));
        VerificationAssert.AssertIntact(3, await store.VerifyAsync(CancellationToken.None));
    }
}
