using System.Diagnostics;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// A session that holds the chain's lock (as a stalled replica would) bounds how long a commit waits: the
/// append fails closed within the commit timeout, readiness turns false, and both recover once it lets go.
/// </summary>
public sealed class PostgresAuditBoundedWaitTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const int CommitTimeoutSeconds = 1;

    [PostgresFact]
    public async Task AppendAsync_ChainLockHeldElsewhere_FailsWithinTimeoutAndNotReady_ThenRecovers()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore(commitTimeoutSeconds: CommitTimeoutSeconds);
        // The schema and chain are set up first: on a loaded machine that alone can outlast a 1 s commit timeout.
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        var first = await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);
        Assert.True(await store.IsReadyAsync(CancellationToken.None));

        await using (var holder = await schema.OpenForeignConnectionAsync())
        {
            await TempPostgresAuditSchema.ExecuteAsync(holder, $"BEGIN; SELECT seq FROM audit_chains WHERE chain_id = '{store.Chain}' FOR UPDATE");

            var watch = Stopwatch.StartNew();
            var failure = await Assert.ThrowsAsync<AuditUnavailableException>(
                async () => await store.AppendAsync(AuditEntries.Create(2), CancellationToken.None));
            watch.Stop();

            // A generous bound, not a timing: without a bound the wait lasts as long as the lock is held, which is until
            // this test lets go. Twice the timeout was once exceeded on a loaded 2-core machine; ten times is still a bound.
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10 * CommitTimeoutSeconds), $"The append waited {watch.Elapsed}.");
            Assert.NotNull(failure.InnerException);

            // On a loaded machine the writer's watchdog may refuse the caller before the commit itself comes back
            // failed; the store hears of the failure then. Waited for, with a bound: it must come.
            var heard = Stopwatch.StartNew();
            while (!store.LastCommitFailed && heard.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }

            Assert.True(store.LastCommitFailed);
            Assert.False(await store.IsReadyAsync(CancellationToken.None));

            await TempPostgresAuditSchema.ExecuteAsync(holder, "ROLLBACK");
        }

        var record = await store.AppendAsync(AuditEntries.Create(3), CancellationToken.None);
        Assert.Equal(first.Hash, record.PreviousHash);
        Assert.False(store.LastCommitFailed);
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        VerificationAssert.AssertIntact(2, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task IsReadyAsync_AfterFailedCommit_ProbeThatTakesTheLockMakesItReadyAgain()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore(commitTimeoutSeconds: CommitTimeoutSeconds);
        // The schema and chain are set up first: on a loaded machine that alone can outlast a 1 s commit timeout.
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);

        await using (var holder = await schema.OpenForeignConnectionAsync())
        {
            await TempPostgresAuditSchema.ExecuteAsync(holder, $"BEGIN; SELECT seq FROM audit_chains WHERE chain_id = '{store.Chain}' FOR UPDATE");
            await Assert.ThrowsAsync<AuditUnavailableException>(
                async () => await store.AppendAsync(AuditEntries.Create(2), CancellationToken.None));
            await TempPostgresAuditSchema.ExecuteAsync(holder, "ROLLBACK");
        }

        Assert.True(store.LastCommitFailed);
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        Assert.False(store.LastCommitFailed);
        Assert.Equal(1L, await schema.ScalarAsync("SELECT count(*) FROM audit_records"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(PostgresAuditStore.MaxCommitTimeoutSeconds + 1)]
    public void Validate_CommitTimeoutOutOfRange_Fails(int seconds)
    {
        var options = new AuditOptions
        {
            Store = "postgres",
            Postgres = new PostgresAuditOptions { ConnectionString = "Host=db", CommitTimeoutSeconds = seconds },
        };

        var result = new AuditOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Audit:Postgres:CommitTimeoutSeconds must be from 1 to 300", result.FailureMessage, StringComparison.Ordinal);
    }
}
