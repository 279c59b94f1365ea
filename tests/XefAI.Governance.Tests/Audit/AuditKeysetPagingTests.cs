using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// The SQLite store pages by sequence, newest or oldest first: records sharing one timestamp are each found exactly
/// once, a count is of the filters alone, and the streamed filter the start-up stream closer relies on selects streamed
/// records only.
/// </summary>
public sealed class AuditKeysetPagingTests
{
    private const int Records = 2500;
    private const int PageSize = 300;

    [Fact]
    public async Task QueryAsync_SqliteBeforeSequencePages_EveryRecordOnceAcrossSharedTimestamps()
    {
        await using var db = new TempAuditDatabase();
        await AssertPagesAsync(db.CreateStore());
    }

    internal static async Task AssertPagesAsync(IAuditStore store)
    {
        // Five timestamps for all records: a time-based page boundary would cut through hundreds at once.
        var appended = await Task.WhenAll(Enumerable.Range(0, Records).Select(i => store.AppendAsync(
            AuditEntries.Create(i) with { Timestamp = AuditEntries.BaseTime.AddSeconds(i % 5), Streamed = i % 3 == 0 },
            CancellationToken.None).AsTask()));

        var seen = new List<AuditRecord>();
        long? before = null;
        while (true)
        {
            var page = await store.QueryAsync(
                new AuditQuery(From: AuditEntries.BaseTime, Limit: PageSize, BeforeSequence: before), CancellationToken.None);
            seen.AddRange(page);
            if (page.Count < PageSize)
            {
                break;
            }

            before = page[^1].Sequence;
        }

        Assert.Equal(Records, seen.Count);
        Assert.Equal(appended.Select(r => r.Id).Order(StringComparer.Ordinal), seen.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(seen.Select(r => r.Sequence).OrderDescending(), seen.Select(r => r.Sequence));

        // Oldest first, as FHIR's _sort=date pages: the same records, each once, in ascending sequence.
        var forward = new List<AuditRecord>();
        long? after = null;
        while (true)
        {
            var page = await store.QueryAsync(
                new AuditQuery(From: AuditEntries.BaseTime, Limit: PageSize, Ascending: true, AfterSequence: after), CancellationToken.None);
            forward.AddRange(page);
            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        Assert.Equal(seen.Select(r => r.Sequence).Reverse(), forward.Select(r => r.Sequence));

        // A count is of the filters alone: the limit and the cursors do not cut it.
        Assert.Equal(Records, await store.CountAsync(new AuditQuery(From: AuditEntries.BaseTime, Limit: 1, BeforeSequence: seen[^1].Sequence), CancellationToken.None));
        Assert.Equal(appended.Count(r => r.Entry.Streamed), await store.CountAsync(new AuditQuery(Streamed: true), CancellationToken.None));
        Assert.Equal(0, await store.CountAsync(new AuditQuery(From: AuditEntries.BaseTime.AddYears(1)), CancellationToken.None));

        var streamed = await store.QueryAsync(new AuditQuery(Limit: 1000, Streamed: true), CancellationToken.None);
        Assert.Equal(appended.Count(r => r.Entry.Streamed), streamed.Count);
        Assert.All(streamed, r => Assert.True(r.Entry.Streamed));
        Assert.All(await store.QueryAsync(new AuditQuery(Limit: 50, Streamed: false), CancellationToken.None), r => Assert.False(r.Entry.Streamed));
    }
}

/// <summary>The same paging against a real PostgreSQL server.</summary>
public sealed class PostgresAuditKeysetPagingTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task QueryAsync_PostgresBeforeSequencePages_EveryRecordOnceAcrossSharedTimestamps()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        await AuditKeysetPagingTests.AssertPagesAsync(schema.CreateStore());
    }
}
