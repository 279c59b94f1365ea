using Microsoft.Data.Sqlite;

namespace XefAI.Governance.Tests;

/// <summary>
/// Clinicians' feedback on an answer (hash version 4: <c>relates_to</c> and <c>feedback</c>) in the SQLite store, next
/// to the version-2 records of a file an earlier gateway wrote.
/// </summary>
public sealed class SqliteAuditFeedbackTests
{
    [Fact]
    public async Task AppendAsync_RelatesToAndFeedback_RoundTripThroughGetQueryAndTheirColumns()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var card = await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);

        var records = new[]
        {
            card,
            await store.AppendAsync(Feedback(2, card.Id, AuditFeedback.Accepted), CancellationToken.None),
            await store.AppendAsync(Feedback(3, card.Id, "overridden:too-late"), CancellationToken.None),
        };

        foreach (var record in records)
        {
            Assert.Equal(record, await store.GetAsync(record.Id, CancellationToken.None));
        }

        Assert.Equal(records.Reverse(), await store.QueryAsync(new AuditQuery(), CancellationToken.None));
        Assert.Equal(
            ["(null)|(null)|4", $"{card.Id}|accepted|4", $"{card.Id}|overridden:too-late|4"],
            Rows(db, "SELECT ifnull(relates_to, '(null)') || '|' || ifnull(feedback, '(null)') || '|' || hash_version FROM audit_records ORDER BY seq"));
        Assert.Equal(new AuditChainVerification(true, 3), await store.VerifyAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("feedback = 'accepted'")]
    [InlineData("feedback = NULL")]
    [InlineData("relates_to = 'aud_other'")]
    [InlineData("relates_to = NULL")]
    public async Task VerifyAsync_RelatesToOrFeedbackAltered_ReportsThatRecord(string assignment)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var records = new List<AuditRecord>();
        for (var i = 0; i < 4; i++)
        {
            records.Add(await store.AppendAsync(Feedback(i, "aud_card", "overridden:not-relevant"), CancellationToken.None));
        }

        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_update");
            Execute(connection, $"UPDATE audit_records SET {assignment} WHERE seq = 3");
        }

        Assert.Equal(
            new AuditChainVerification(false, 2, records[2].Id, $"Record {records[2].Id} (seq 3) does not match its hash: its contents were altered."),
            await store.VerifyAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("feedback = 'accepted'", "feedback")]
    [InlineData("relates_to = 'aud_card'", "relates_to")]
    public async Task VerifyAsync_FieldOfVersion4AddedToVersion2Record_ReportsThatRecord(string assignment, string column)
    {
        await using var db = new TempAuditDatabase();
        Directory.CreateDirectory(Path.GetDirectoryName(db.FilePath)!);
        var old = AuditVersion2.Chain(3);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, AuditVersion2.SqliteDdl);
            AuditVersion2.Insert(connection, old);
        }

        var store = db.CreateStore();
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_update");
            Execute(connection, $"UPDATE audit_records SET {assignment} WHERE seq = 2");
        }

        Assert.Equal(
            new AuditChainVerification(
                false, 1, old[1].Id, $"Record {old[1].Id} (seq 2) holds {column}, which its hash version 2 does not cover: its contents were altered."),
            await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Store_DatabaseOfVersion2_GainsTheFeedbackColumnsAndChainsFeedbackAfterOldRecords()
    {
        await using var db = new TempAuditDatabase();
        Directory.CreateDirectory(Path.GetDirectoryName(db.FilePath)!);
        var old = AuditVersion2.Chain(2);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, AuditVersion2.SqliteDdl);
            AuditVersion2.Insert(connection, old);
        }

        var store = db.CreateStore();
        var feedback = await store.AppendAsync(Feedback(3, old[1].Id, AuditFeedback.Accepted), CancellationToken.None);

        Assert.Equal(old[^1].Hash, feedback.PreviousHash);
        Assert.Equal(feedback, await store.GetAsync(feedback.Id, CancellationToken.None));
        Assert.Null((await store.GetAsync(old[0].Id, CancellationToken.None))!.Entry.Feedback);
        Assert.Equal(new AuditChainVerification(true, 3), await store.VerifyAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("Accepted")]
    [InlineData("overridden:")]
    [InlineData("overridden:has space")]
    [InlineData("dismissed")]
    [InlineData("")]
    public async Task AppendAsync_FeedbackNotCanonical_IsRefusedAndOthersStillCommit(string feedback)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        var rejected = store.AppendAsync(AuditEntries.Create(1) with { Feedback = feedback }, CancellationToken.None).AsTask();
        var good = store.AppendAsync(Feedback(2, "aud_card", AuditFeedback.Overridden), CancellationToken.None).AsTask();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => rejected);
        Assert.Contains("feedback must be accepted, overridden or overridden:<code>", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await good).Sequence);
    }

    internal static AuditEntry Feedback(int n, string relatesTo, string feedback) => AuditEntries.Create(n) with
    {
        Decision = "feedback",
        RelatesTo = relatesTo,
        Feedback = feedback,
    };

    private static List<string> Rows(TempAuditDatabase db, string sql)
    {
        using var connection = db.OpenForeignConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return values;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
