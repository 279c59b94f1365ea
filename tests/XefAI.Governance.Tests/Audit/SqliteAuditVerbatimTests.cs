using Microsoft.Data.Sqlite;

namespace XefAI.Governance.Tests;

/// <summary>
/// Verbatim audit in the SQLite store: user, input and output texts (hash version 2 and later), next to the
/// version-1 records of files an earlier gateway wrote.
/// </summary>
public sealed class SqliteAuditVerbatimTests
{
    [Fact]
    public async Task AppendAsync_UserAndTexts_RoundTripThroughGetQueryAndTheirColumns()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var entry = Verbatim(1);

        var appended = await store.AppendAsync(entry, CancellationToken.None);
        var read = await store.GetAsync(appended.Id, CancellationToken.None);
        var queried = Assert.Single(await store.QueryAsync(new AuditQuery(), CancellationToken.None));

        Assert.Equal(appended, read);
        Assert.Equal(entry, read!.Entry);
        Assert.Equal(entry, queried.Entry);
        using (var connection = db.OpenForeignConnection())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT user_id, input_text, output_text, typeof(output_text), hash_version FROM audit_records";
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal(entry.UserId, reader.GetString(0));
            Assert.Equal(entry.InputText, reader.GetString(1));
            Assert.Equal(entry.OutputText, reader.GetString(2));
            Assert.Equal("text", reader.GetString(3));
            Assert.Equal((long)AuditChainHasher.CurrentVersion, reader.GetInt64(4));
        }

        Assert.Equal(new AuditChainVerification(true, 1), await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_TextsNullOrEmpty_AreKeptApartAndVerify()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        // Tier 1 keeps hashes only (null); an empty answer is still an answer ("").
        var hashesOnly = await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);
        var empty = await store.AppendAsync(AuditEntries.Create(2) with { InputText = "", OutputText = "" }, CancellationToken.None);

        Assert.Equal(hashesOnly, await store.GetAsync(hashesOnly.Id, CancellationToken.None));
        Assert.Equal(empty, await store.GetAsync(empty.Id, CancellationToken.None));
        Assert.Null(hashesOnly.Entry.InputText);
        Assert.Equal("", empty.Entry.OutputText);
        Assert.Equal([1L, 0L], ScalarColumn(db, "SELECT input_text IS NULL FROM audit_records ORDER BY seq"));
        Assert.Equal(new AuditChainVerification(true, 2), await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_LargeOutputText_RoundTripsAndVerifies()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var output = string.Concat(Enumerable.Repeat("Discharge summary: stable, follow-up in 2 weeks — Résumé ✓ 👍\n", 8_000));

        var appended = await store.AppendAsync(Verbatim(1) with { OutputText = output }, CancellationToken.None);

        Assert.Equal(output, (await store.GetAsync(appended.Id, CancellationToken.None))!.Entry.OutputText);
        Assert.Equal(new AuditChainVerification(true, 1), await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_NulCharacterInText_IsKeptBySqliteAndVerifies()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        // Only the PostgreSQL store refuses U+0000, which its text type cannot hold.
        var appended = await store.AppendAsync(Verbatim(1) with { OutputText = "before\0after" }, CancellationToken.None);

        Assert.Equal("before\0after", (await store.GetAsync(appended.Id, CancellationToken.None))!.Entry.OutputText);
        Assert.Equal(new AuditChainVerification(true, 1), await store.VerifyAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("output_text = 'The patient may be discharged today.'")]
    [InlineData("output_text = NULL")]
    [InlineData("output_text = output_text || ' '")]
    [InlineData("input_text = 'Summarise for pt_b2'")]
    [InlineData("user_id = 'u-9999'")]
    public async Task VerifyAsync_UserOrTextAltered_ReportsThatRecord(string assignment)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var records = new List<AuditRecord>();
        for (var i = 0; i < 4; i++)
        {
            records.Add(await store.AppendAsync(Verbatim(i), CancellationToken.None));
        }

        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_update");
            Execute(connection, $"UPDATE audit_records SET {assignment} WHERE seq = 3");
        }

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.Equal(
            new AuditChainVerification(false, 2, records[2].Id, $"Record {records[2].Id} (seq 3) does not match its hash: its contents were altered."),
            verification);
    }

    [Fact]
    public async Task VerifyAsync_Version1RecordsThenCurrentRecords_VerifiesEachInItsOwnForm()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        var old = AuditVersion1.Chain(3);
        using (var connection = db.OpenForeignConnection())
        {
            AuditVersion1.Insert(connection, old);
        }

        var next = await store.AppendAsync(Verbatim(4), CancellationToken.None);
        var last = await store.AppendAsync(Verbatim(5), CancellationToken.None);

        Assert.Equal(4, next.Sequence);
        Assert.Equal(old[^1].Hash, next.PreviousHash);
        Assert.Equal([1L, 1, 1, 4, 4], ScalarColumn(db, "SELECT hash_version FROM audit_records ORDER BY seq"));
        var oldRead = (await store.GetAsync(old[1].Id, CancellationToken.None))!;
        Assert.Equal(old[1], oldRead with { Entry = old[1].Entry });
        Assert.Equal(old[1].Entry with { Attempts = oldRead.Entry.Attempts }, oldRead.Entry);
        Assert.Equal(old[1].Entry.Attempts, oldRead.Entry.Attempts);
        Assert.Equal(last, await store.GetAsync(last.Id, CancellationToken.None));
        Assert.Equal(new AuditChainVerification(true, 5), await store.VerifyAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("output_text = 'The patient may be discharged today.'", "output_text")]
    [InlineData("input_text = ''", "input_text")]
    [InlineData("user_id = 'u-0042'", "user_id")]
    public async Task VerifyAsync_FieldOfVersion2AddedToVersion1Record_ReportsThatRecord(string assignment, string column)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        var old = AuditVersion1.Chain(3);
        using (var connection = db.OpenForeignConnection())
        {
            AuditVersion1.Insert(connection, old);
            Execute(connection, "DROP TRIGGER audit_records_no_update");
            Execute(connection, $"UPDATE audit_records SET {assignment} WHERE seq = 2");
        }

        var verification = await store.VerifyAsync(CancellationToken.None);

        // Its version-1 hash still matches: only the form, which cannot hold the value, betrays the edit.
        Assert.Equal(
            new AuditChainVerification(
                false,
                1,
                old[1].Id,
                $"Record {old[1].Id} (seq 2) holds {column}, which its hash version 1 does not cover: its contents were altered."),
            verification);
    }

    [Fact]
    public async Task Store_DatabaseOfVersion1_IsUpgradedInPlaceAndTheChainContinues()
    {
        await using var db = new TempAuditDatabase();
        Directory.CreateDirectory(Path.GetDirectoryName(db.FilePath)!);
        var old = AuditVersion1.Chain(3);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, AuditVersion1.SqliteDdl);
            AuditVersion1.Insert(connection, old);
        }

        var store = db.CreateStore();

        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        Assert.Equal(new AuditChainVerification(true, 3), await store.VerifyAsync(CancellationToken.None));
        var oldRead = (await store.GetAsync(old[2].Id, CancellationToken.None))!;
        Assert.Equal(old[2], oldRead with { Entry = old[2].Entry });
        Assert.Equal(old[2].Entry with { Attempts = oldRead.Entry.Attempts }, oldRead.Entry);
        Assert.Null(oldRead.Entry.OutputText);

        var appended = new[]
        {
            await store.AppendAsync(Verbatim(4), CancellationToken.None),
            await store.AppendAsync(AuditEntries.Create(5), CancellationToken.None),
        };

        Assert.Equal(old[^1].Hash, appended[0].PreviousHash);
        Assert.Equal(appended[0], await store.GetAsync(appended[0].Id, CancellationToken.None));
        Assert.Equal(new AuditChainVerification(true, 5), await store.VerifyAsync(CancellationToken.None));
        Assert.Equal([1L, 1, 1, 4, 4], ScalarColumn(db, "SELECT hash_version FROM audit_records ORDER BY seq"));

        // The upgraded table is laid out as a new one, and keeps its guards.
        await using var fresh = new TempAuditDatabase();
        Assert.True(await fresh.CreateStore().IsReadyAsync(CancellationToken.None));
        Assert.Equal(ColumnNames(fresh), ColumnNames(db));
        using (var connection = db.OpenForeignConnection())
        {
            var update = Assert.Throws<SqliteException>(() => Execute(connection, "UPDATE audit_records SET output_text = 'forged' WHERE seq = 1"));
            Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Store_DatabaseOfVersion1_ReopenedAfterUpgrade_NeedsNoFurtherChange()
    {
        await using var db = new TempAuditDatabase();
        Directory.CreateDirectory(Path.GetDirectoryName(db.FilePath)!);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, AuditVersion1.SqliteDdl);
            AuditVersion1.Insert(connection, AuditVersion1.Chain(2));
        }

        var first = db.CreateStore();
        await first.AppendAsync(Verbatim(3), CancellationToken.None);
        await first.DisposeAsync();
        var columns = ColumnNames(db);

        var second = db.CreateStore();
        await second.AppendAsync(Verbatim(4), CancellationToken.None);

        Assert.Equal(columns, ColumnNames(db));
        Assert.Equal(new AuditChainVerification(true, 4), await second.VerifyAsync(CancellationToken.None));
    }

    private static AuditEntry Verbatim(int n) => AuditEntries.Create(n) with
    {
        UserId = $"u-{n:D4}",
        InputText = $"Summarise the stay of [PATIENT] (case {n}):\n\"BP 120/80, Résumé <ok> & stable\"\r\n\ttab 👍",
        OutputText = $"Discharge summary {n}: stable; follow-up in 2 weeks. ✓",
    };

    private static List<long> ScalarColumn(TempAuditDatabase db, string sql)
    {
        using var connection = db.OpenForeignConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<long>();
        while (reader.Read())
        {
            values.Add(reader.GetInt64(0));
        }

        return values;
    }

    private static List<string> ColumnNames(TempAuditDatabase db)
    {
        using var connection = db.OpenForeignConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name || ' ' || type || ' ' || \"notnull\" FROM pragma_table_info('audit_records') ORDER BY cid";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
