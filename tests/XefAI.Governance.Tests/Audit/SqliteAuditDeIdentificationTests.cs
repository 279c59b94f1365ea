using Microsoft.Data.Sqlite;

namespace XefAI.Governance.Tests;

/// <summary>
/// What de-identification did, and its redaction counts, in the SQLite store (hash version 3), next to the version-2
/// records of files an earlier gateway wrote.
/// </summary>
public sealed class SqliteAuditDeIdentificationTests
{
    [Fact]
    public async Task AppendAsync_DeIdentificationAndRedactions_RoundTripThroughGetQueryAndTheirColumns()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var applied = DeIdentified(1);
        var optedOut = AuditEntries.Create(2) with { DeIdentification = DeIdentificationOutcomes.OptedOut };
        var nothingFound = AuditEntries.Create(3) with { DeIdentification = DeIdentificationOutcomes.Applied, Redactions = "" };

        var records = new[]
        {
            await store.AppendAsync(applied, CancellationToken.None),
            await store.AppendAsync(optedOut, CancellationToken.None),
            await store.AppendAsync(nothingFound, CancellationToken.None),
            await store.AppendAsync(AuditEntries.Create(4), CancellationToken.None),
        };

        foreach (var record in records)
        {
            Assert.Equal(record, await store.GetAsync(record.Id, CancellationToken.None));
        }

        Assert.Equal(records.Reverse(), await store.QueryAsync(new AuditQuery(), CancellationToken.None));
        Assert.Equal(
            ["applied|date=2,name=3|4", "opted-out|(null)|4", "applied||4", "(null)|(null)|4"],
            Rows(db, "SELECT ifnull(de_identification, '(null)') || '|' || ifnull(redactions, '(null)') || '|' || hash_version FROM audit_records ORDER BY seq"));
        Assert.Equal(new AuditChainVerification(true, 4), await store.VerifyAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("de_identification = 'opted-out'")]
    [InlineData("de_identification = NULL")]
    [InlineData("redactions = 'date=2,name=4'")]
    [InlineData("redactions = NULL")]
    public async Task VerifyAsync_DeIdentificationOrRedactionsAltered_ReportsThatRecord(string assignment)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var records = new List<AuditRecord>();
        for (var i = 0; i < 4; i++)
        {
            records.Add(await store.AppendAsync(DeIdentified(i), CancellationToken.None));
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
    [InlineData("de_identification = 'applied'", "de_identification")]
    [InlineData("redactions = 'name=1'", "redactions")]
    public async Task VerifyAsync_FieldOfVersion3AddedToVersion2Record_ReportsThatRecord(string assignment, string column)
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

        // Its version-2 hash still matches: only the form, which cannot hold the value, betrays the edit.
        Assert.Equal(
            new AuditChainVerification(
                false, 1, old[1].Id, $"Record {old[1].Id} (seq 2) holds {column}, which its hash version 2 does not cover: its contents were altered."),
            await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Store_DatabaseOfVersion2_IsUpgradedInPlaceAndTheChainContinues()
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
        Assert.Equal(new AuditChainVerification(true, 3), await store.VerifyAsync(CancellationToken.None));
        var oldRead = (await store.GetAsync(old[1].Id, CancellationToken.None))!;
        Assert.Equal(old[1], oldRead with { Entry = old[1].Entry });
        Assert.Equal(old[1].Entry with { Attempts = oldRead.Entry.Attempts }, oldRead.Entry);
        Assert.Null(oldRead.Entry.DeIdentification);
        Assert.Null(oldRead.Entry.Redactions);

        var next = await store.AppendAsync(DeIdentified(4), CancellationToken.None);
        await store.AppendAsync(AuditEntries.Create(5), CancellationToken.None);

        Assert.Equal(old[^1].Hash, next.PreviousHash);
        Assert.Equal(next, await store.GetAsync(next.Id, CancellationToken.None));
        Assert.Equal(new AuditChainVerification(true, 5), await store.VerifyAsync(CancellationToken.None));
        Assert.Equal(["2", "2", "2", "4", "4"], Rows(db, "SELECT hash_version FROM audit_records ORDER BY seq"));

        // The upgraded table is laid out as a new one.
        await using var fresh = new TempAuditDatabase();
        Assert.True(await fresh.CreateStore().IsReadyAsync(CancellationToken.None));
        const string Layout = "SELECT name || ' ' || type || ' ' || \"notnull\" FROM pragma_table_info('audit_records') ORDER BY cid";
        Assert.Equal(Rows(fresh, Layout), Rows(db, Layout));
    }

    [Theory]
    [InlineData("name=3,date=2")]
    [InlineData("name=0")]
    [InlineData("name=03")]
    [InlineData("name=-1")]
    [InlineData("name")]
    [InlineData("Alice Example=1")]
    [InlineData("NAME=1")]
    [InlineData("name=1,")]
    [InlineData("name=1,name=2")]
    [InlineData("name=99999999999")]
    public async Task AppendAsync_RedactionsNotCanonical_IsRefusedAndOthersStillCommit(string redactions)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        var rejected = store.AppendAsync(AuditEntries.Create(1) with { Redactions = redactions }, CancellationToken.None).AsTask();
        var good = store.AppendAsync(DeIdentified(2), CancellationToken.None).AsTask();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => rejected);
        Assert.Contains("redactions must be sorted kind=count pairs", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(redactions, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await good).Sequence);
    }

    [Theory]
    [InlineData("done")]
    [InlineData("Applied")]
    [InlineData("")]
    public async Task AppendAsync_DeIdentificationNotAKnownOutcome_IsRefused(string deIdentification)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => store.AppendAsync(AuditEntries.Create(1) with { DeIdentification = deIdentification }, CancellationToken.None).AsTask());

        Assert.Contains("de-identification must be applied, opted-out, not-required or null", error.Message, StringComparison.Ordinal);
    }

    private static AuditEntry DeIdentified(int n) => AuditEntries.Create(n) with
    {
        DeIdentification = DeIdentificationOutcomes.Applied,
        Redactions = "date=2,name=3",
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
