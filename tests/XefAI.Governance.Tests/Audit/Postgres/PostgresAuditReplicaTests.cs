using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// The PostgreSQL store shared by several gateway processes, and failing closed, without hanging, when the
/// database cannot take a commit.
/// </summary>
public sealed class PostgresAuditReplicaTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task AppendAsync_TwoProcessesAppending150EachAtOnce_TwoValidChainsInFewerTransactions()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);

        // Separate data sources: as far as PostgreSQL can tell, two gateway replicas. Small batches make them
        // take turns at the head many times.
        var first = schema.CreateStore(maxBatchSize: 16);
        var second = schema.CreateStore(maxBatchSize: 16);
        Assert.True(await first.IsReadyAsync(CancellationToken.None));
        Assert.True(await second.IsReadyAsync(CancellationToken.None));

        // Every append is queued before any is awaited, so both replicas have work waiting from the start, whatever the
        // thread pool does on a loaded machine.
        var appends = Enumerable.Range(0, 300)
            .Select(i => (i % 2 == 0 ? first : second).AppendAsync(AuditEntries.Create(i), CancellationToken.None).AsTask())
            .ToList();
        var records = await Task.WhenAll(appends);

        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), records.Select(r => r.Sequence).Order());
        Assert.Equal(300, records.Select(r => r.Id).Distinct().Count());
        Assert.InRange(first.CommittedBatches + second.CommittedBatches, 20, 299);
        VerificationAssert.AssertIntact(300, await first.VerifyAsync(CancellationToken.None));
        VerificationAssert.AssertIntact(300, await second.VerifyAsync(CancellationToken.None));

        // Each replica wrote a chain of its own, every record of it.
        Assert.NotEqual(first.Chain, second.Chain);
        Assert.Equal("150,150", await schema.ScalarAsync("SELECT string_agg(n::text, ',') FROM (SELECT count(*) AS n FROM audit_records GROUP BY chain_id) AS chains"));
        Assert.Equal(300m, await schema.ScalarAsync("SELECT sum(seq) FROM audit_chains"));

        // Each caller got the record holding its own entry.
        var stored = await first.QueryAsync(new AuditQuery(Limit: 1000), CancellationToken.None);
        Assert.Equal(records.OrderByDescending(r => r.Sequence).Select(r => (r.Id, r.Entry.TraceId, r.Hash)), stored.Select(r => (r.Id, r.Entry.TraceId, r.Hash)));
    }

    [PostgresFact]
    public async Task IsReadyAsync_SeveralProcessesStartingTogether_CreateTheSchemaOnceWithoutColliding()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var stores = Enumerable.Range(0, 4).Select(_ => schema.CreateStore()).ToList();

        var ready = await Task.WhenAll(stores.Select(store => Task.Run(() => store.IsReadyAsync(CancellationToken.None).AsTask())));

        Assert.All(ready, Assert.True);
        Assert.Equal(4L, await schema.ScalarAsync("SELECT count(DISTINCT chain_id) FROM audit_chains"));
    }

    [PostgresFact]
    public async Task AppendAsync_MaxBatchSizeOne_CommitsEachRecordAlone()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore(maxBatchSize: 1);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => store.AppendAsync(AuditEntries.Create(i), CancellationToken.None).AsTask()));

        Assert.Equal(20, store.CommittedBatches);
        VerificationAssert.AssertIntact(20, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task AppendAsync_ServerUnreachable_ThrowsAuditUnavailableQuicklyAndIsNotReady()
    {
        var store = TempPostgresAuditSchema.CreateStore(
            new NpgsqlConnectionStringBuilder { Host = PostgresServer.Host, Port = ClosedLoopbackPort(), Username = "postgres", Database = "audit", Timeout = 1 }.ConnectionString);
        await using var _ = store;
        var clock = Stopwatch.StartNew();

        var failures = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(i), CancellationToken.None).AsTask())));

        Assert.All(failures, failure => Assert.IsAssignableFrom<NpgsqlException>(failure.InnerException));
        Assert.False(await store.IsReadyAsync(CancellationToken.None));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [PostgresFact]
    public async Task AppendAsync_DatabaseMissingThenCreated_FailsThenTheSameWriterRecovers()
    {
        var server = await PostgresServer.GetSharedAsync();
        var name = "xefai_late_" + Guid.NewGuid().ToString("N");
        var store = TempPostgresAuditSchema.CreateStore(server.GetConnectionString(name));
        await using var _ = store;

        var failure = await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask());
        Assert.False(await store.IsReadyAsync(CancellationToken.None));
        await server.CreateDatabaseAsync(name);
        var record = await store.AppendAsync(AuditEntries.Create(2), CancellationToken.None);

        Assert.Equal("3D000", Assert.IsType<PostgresException>(failure.InnerException).SqlState);
        Assert.Equal(1, record.Sequence);
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        VerificationAssert.AssertIntact(1, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task AppendAsync_ChainRowLockedByAStuckSession_FailsWithinTheCommitTimeoutThenRecovers()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore(commitTimeoutSeconds: 1);
        // The schema and chain are set up first: on a loaded machine that alone can outlast a 1 s commit timeout.
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        var first = await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);

        AuditUnavailableException failure;
        await using (var stuck = await schema.OpenForeignConnectionAsync())
        {
            await using var transaction = await stuck.BeginTransactionAsync();
            await TempPostgresAuditSchema.ExecuteAsync(stuck, $"SELECT seq FROM audit_chains WHERE chain_id = '{store.Chain}' FOR UPDATE");
            var clock = Stopwatch.StartNew();
            failure = await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(2), CancellationToken.None).AsTask());
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        }

        var next = await store.AppendAsync(AuditEntries.Create(3), CancellationToken.None);

        // The server's lock_timeout or the writer's own deadline, whichever comes first: both refuse the call.
        Assert.True(failure.InnerException is NpgsqlException or TimeoutException, failure.InnerException?.GetType().Name);
        Assert.Equal(first.Hash, next.PreviousHash);
        VerificationAssert.AssertIntact(2, await store.VerifyAsync(CancellationToken.None));
    }

    /// <summary>A loopback port nothing listens on: connecting is refused at once.</summary>
    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
