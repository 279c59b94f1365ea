using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// Accepted client token ids in the shared governance state database: a token recorded through one store (one
/// replica) is a replay for every other on the same database until it may be forgotten, and is pruned after.
/// </summary>
public sealed class TokenReplayStoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 15, 0, 0, TimeSpan.Zero);

    private readonly string _folder = GovernanceServices.NewFolder();
    private readonly List<SqliteTokenReplayStore> _sqlite = [];

    [Fact]
    public async Task Sqlite_TwoStoresOnOneFile_SecondSeesTheFirstsTokenAsAReplay()
    {
        var clock = new ManualClock(Now);
        await AssertSharedAsync(Sqlite(clock), Sqlite(clock), clock);
    }

    [Fact]
    public async Task Sqlite_FileFromBeforeTokenReplays_GainsTheTableAndKeepsItsState()
    {
        var path = Path.Combine(_folder, "governance.db");
        Directory.CreateDirectory(_folder);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE incidents (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE) STRICT; INSERT INTO incidents (id) VALUES ('inc_1');";
            command.ExecuteNonQuery();
        }

        var store = Sqlite(new ManualClock(Now));

        Assert.True(await store.TryRecordAsync("https://ehr.example.org", "jti-1", Now.AddMinutes(5), CancellationToken.None));
        Assert.False(await store.TryRecordAsync("https://ehr.example.org", "jti-1", Now.AddMinutes(5), CancellationToken.None));
        using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        check.Open();
        using var count = check.CreateCommand();
        count.CommandText = "SELECT count(*) FROM incidents";
        Assert.Equal(1L, count.ExecuteScalar());
    }

    [PostgresFact]
    public async Task Postgres_TwoReplicasOnOneDatabase_SecondSeesTheFirstsTokenAsAReplay()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var clock = new ManualClock(Now);
        await AssertSharedAsync(schema.CreateTokenReplayStore(clock), schema.CreateTokenReplayStore(clock), clock);
    }

    [PostgresFact]
    public async Task Postgres_ReplicasRacingWithOneToken_ExactlyOneRecordsIt()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var clock = new ManualClock(Now);
        var stores = Enumerable.Range(0, 4).Select(_ => schema.CreateTokenReplayStore(clock)).ToList();
        await stores[0].TryRecordAsync("warm-up", "schema", Now.AddMinutes(1), CancellationToken.None);

        var results = await Task.WhenAll(stores.Select(s => s.TryRecordAsync("https://ehr.example.org", "raced", Now.AddMinutes(5), CancellationToken.None).AsTask()));

        Assert.Single(results, recorded => recorded);
    }

    [Fact]
    public async Task Sqlite_ReplicaWithAClockMinutesAhead_DoesNotForgetATokenOthersStillAccept()
    {
        var behind = new ManualClock(Now);
        var ahead = new ManualClock(Now.AddMinutes(4));
        await AssertClockAheadKeepsAsync(Sqlite(behind), Sqlite(ahead), Sqlite(behind));
    }

    [PostgresFact]
    public async Task Postgres_ReplicaWithAClockMinutesAhead_DoesNotForgetATokenOthersStillAccept()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var behind = new ManualClock(Now);
        var ahead = new ManualClock(Now.AddMinutes(4));
        await AssertClockAheadKeepsAsync(schema.CreateTokenReplayStore(behind), schema.CreateTokenReplayStore(ahead), schema.CreateTokenReplayStore(behind));
    }

    public void Dispose()
    {
        foreach (var store in _sqlite)
        {
            store.Dispose();
        }

        SqliteConnection.ClearAllPools();
        GovernanceServices.DeleteFolder(_folder);
    }

    private static async Task AssertSharedAsync(ITokenReplayStore first, ITokenReplayStore second, ManualClock clock)
    {
        const string Issuer = "https://ehr.example.org";
        var forgetAfter = Now.AddMinutes(5);

        Assert.True(await first.TryRecordAsync(Issuer, "jti-1", forgetAfter, CancellationToken.None));
        Assert.False(await second.TryRecordAsync(Issuer, "jti-1", forgetAfter, CancellationToken.None));
        Assert.False(await first.TryRecordAsync(Issuer, "jti-1", forgetAfter, CancellationToken.None));

        // The id is per issuer: another EHR's token with the same jti is its own.
        Assert.True(await second.TryRecordAsync("https://other-ehr.example.org", "jti-1", forgetAfter, CancellationToken.None));

        // Once it may be forgotten by every replica's clock, the id is pruned: its token would be refused as expired
        // before this check.
        clock.Now = forgetAfter + TokenReplayPruning.ClockDisagreement;
        Assert.True(await second.TryRecordAsync(Issuer, "jti-1", clock.Now.AddMinutes(5), CancellationToken.None));
        Assert.False(await first.TryRecordAsync(Issuer, "jti-1", clock.Now.AddMinutes(5), CancellationToken.None));
    }

    // Replica A accepted a token that expires in two minutes. Replica B, whose clock runs four minutes ahead, records
    // another token (a fresh one it accepts by its own clock), which prunes the table by that clock. The first token,
    // replayed to replica C (a correct clock, which still accepts it as current), must be refused: B's clock must not
    // have forgotten it. Before, B's prune deleted it and C accepted the replay.
    private static async Task AssertClockAheadKeepsAsync(ITokenReplayStore first, ITokenReplayStore ahead, ITokenReplayStore third)
    {
        const string Issuer = "https://ehr.example.org";
        var forgetAfter = Now.AddMinutes(2).AddSeconds(30);

        Assert.True(await first.TryRecordAsync(Issuer, "jti-used", forgetAfter, CancellationToken.None));
        Assert.True(await ahead.TryRecordAsync(Issuer, "jti-fresh", Now.AddMinutes(5).AddSeconds(30), CancellationToken.None));
        Assert.False(await third.TryRecordAsync(Issuer, "jti-used", forgetAfter, CancellationToken.None));
    }

    private SqliteTokenReplayStore Sqlite(TimeProvider time)
    {
        var store = new SqliteTokenReplayStore(
            Options.Create(new GovernanceOptions { Sqlite = new GovernanceSqliteOptions { Path = Path.Combine(_folder, "governance.db") } }), time);
        _sqlite.Add(store);
        return store;
    }
}
