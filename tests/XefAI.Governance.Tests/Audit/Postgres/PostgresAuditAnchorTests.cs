using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// The PostgreSQL trail checked at start against each replica's anchor (the last record it committed, noted in a file of
/// its own): a schema dropped, tables emptied or an older dump restored while the gateway was stopped is refused, not
/// taken as a new trail.
/// </summary>
public sealed class PostgresAuditAnchorTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "xefai-governance-tests", Guid.NewGuid().ToString("N"));

    [PostgresFact]
    public async Task Restart_OnTheSameDatabase_AppendsContinueAndTheAnchorFollows()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var anchor = AnchorPath("replica");
        var first = schema.CreateStore(anchorPath: anchor);
        var records = await AppendAsync(first, 3);
        await first.DisposeAsync();
        var mark = new AuditTrailAnchor(anchor, TimeProvider.System).Read()!;
        Assert.Equal((records[2].Sequence, records[2].Id, records[2].Hash), (mark.Sequence, mark.Id, mark.Hash));

        var second = schema.CreateStore(anchorPath: anchor);

        Assert.True(await second.IsReadyAsync(CancellationToken.None));
        var record = await second.AppendAsync(AuditEntries.Create(4), CancellationToken.None);
        Assert.Equal(4, record.Sequence);
        Assert.True((await second.VerifyAsync(CancellationToken.None)).Valid);
    }

    [PostgresFact]
    public async Task Start_SchemaDroppedWhileStopped_IsRefusedAndNotRecreated()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var anchor = AnchorPath("replica");
        var first = schema.CreateStore(anchorPath: anchor);
        await AppendAsync(first, 2);
        await first.DisposeAsync();
        await schema.DropAndRecreateAsync();
        var logs = new ListLogger();

        var second = schema.CreateStore(anchorPath: anchor, logger: logs);

        Assert.False(await second.IsReadyAsync(CancellationToken.None));
        var failure = await Assert.ThrowsAsync<AuditUnavailableException>(() => second.AppendAsync(AuditEntries.Create(3), CancellationToken.None).AsTask());
        Assert.Contains("The audit tables are missing", failure.ToString(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<AuditUnavailableException>(() => second.QueryAsync(new AuditQuery(), CancellationToken.None).AsTask());
        var verification = await second.VerifyAsync(CancellationToken.None);
        Assert.False(verification.Valid);
        Assert.Contains("the schema was dropped", verification.Problem, StringComparison.Ordinal);
        Assert.Equal(false, await schema.ScalarAsync("SELECT to_regclass('audit_records') IS NOT NULL"));
        var critical = Assert.Single(logs.Entries, e => e.Level == LogLevel.Critical);
        Assert.Contains("record 2 (", critical.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AuditEntries.Create(1).PatientPseudonym!, critical.Message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Start_DatabaseRestoredFromAnOlderDump_IsRefusedAndVerificationSaysWhy()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var anchor = AnchorPath("replica");
        var first = schema.CreateStore(anchorPath: anchor);
        await AppendAsync(first, 1);
        await first.DisposeAsync();

        // The dump: the trail as it was after one record; three more are committed after it.
        var name = schema.Name;
        string[] tables = ["audit_records", "audit_chains", "audit_checkpoints", "audit_chain_checkpoints"];
        await schema.ExecuteAsync($"CREATE SCHEMA {name}_dump; " + string.Concat(tables.Select(t => $"CREATE TABLE {name}_dump.{t} AS SELECT * FROM {name}.{t}; ")));
        var second = schema.CreateStore(anchorPath: anchor);
        await AppendAsync(second, 3, from: 2);
        await second.DisposeAsync();

        // Restored: the schema dropped, recreated by a gateway with no anchor, and the dump's rows put back.
        await schema.DropAndRecreateAsync();
        var restorer = schema.CreateStore();
        Assert.True(await restorer.IsReadyAsync(CancellationToken.None));
        await schema.ExecuteAsync(string.Concat(tables.Select(t => $"INSERT INTO {name}.{t} SELECT * FROM {name}_dump.{t}; ")));

        var third = schema.CreateStore(anchorPath: anchor);

        Assert.False(await third.IsReadyAsync(CancellationToken.None));
        await Assert.ThrowsAsync<AuditUnavailableException>(() => third.AppendAsync(AuditEntries.Create(5), CancellationToken.None).AsTask());
        Assert.Single(await third.QueryAsync(new AuditQuery(), CancellationToken.None));
        var verification = await third.VerifyAsync(CancellationToken.None);
        Assert.False(verification.Valid);
        Assert.Contains("ends at record 1, but this gateway had committed record 4", verification.Problem, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Start_ReplacedByAnotherTrailAtTheSameSeq_IsRefused()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var anchor = AnchorPath("replica");
        var first = schema.CreateStore(anchorPath: anchor);
        await AppendAsync(first, 2);
        await first.DisposeAsync();
        await schema.DropAndRecreateAsync();
        var stranger = schema.CreateStore();
        await AppendAsync(stranger, 2);
        await stranger.DisposeAsync();

        var second = schema.CreateStore(anchorPath: anchor);

        Assert.False(await second.IsReadyAsync(CancellationToken.None));
        var verification = await second.VerifyAsync(CancellationToken.None);
        Assert.False(verification.Valid);
        Assert.Contains("replaced by another trail", verification.Problem, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Start_TwoReplicasOnOneDatabaseEachWithItsOwnAnchor_BothStartReady()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var (anchorA, anchorB) = (AnchorPath("a"), AnchorPath("b"));
        var a = schema.CreateStore(anchorPath: anchorA);
        var b = schema.CreateStore(anchorPath: anchorB);
        await AppendAsync(a, 2);
        await AppendAsync(b, 2, from: 3);
        await a.DisposeAsync();

        // B goes on after A stopped: A's anchor is behind the trail's head, which is fine.
        await AppendAsync(b, 2, from: 5);
        await b.DisposeAsync();
        Assert.True(new AuditTrailAnchor(anchorA, TimeProvider.System).Read()!.Sequence < new AuditTrailAnchor(anchorB, TimeProvider.System).Read()!.Sequence);

        var a2 = schema.CreateStore(anchorPath: anchorA);
        var b2 = schema.CreateStore(anchorPath: anchorB);

        Assert.True(await a2.IsReadyAsync(CancellationToken.None));
        Assert.True(await b2.IsReadyAsync(CancellationToken.None));
        Assert.Equal(7, (await a2.AppendAsync(AuditEntries.Create(7), CancellationToken.None)).Sequence);
        Assert.Equal(8, (await b2.AppendAsync(AuditEntries.Create(8), CancellationToken.None)).Sequence);
    }

    [PostgresFact]
    public async Task Start_NoAnchorYet_CreatesTheSchemaAndAnchorsTheHead()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var unanchored = schema.CreateStore();
        var records = await AppendAsync(unanchored, 2);
        await unanchored.DisposeAsync();
        var anchor = AnchorPath("replica");

        var store = schema.CreateStore(anchorPath: anchor);

        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        var mark = new AuditTrailAnchor(anchor, TimeProvider.System).Read()!;
        Assert.Equal((records[1].Sequence, records[1].Hash), (mark.Sequence, mark.Hash));
    }

    [Fact]
    public void AnchorPath_Default_IsBesideTheSqliteDatabaseUnderItsOwnName()
    {
        var store = new PostgresAuditStore(
            Options.Create(new AuditOptions { Sqlite = new SqliteAuditOptions { Path = Path.Combine(_folder, "data", "audit.db") } }),
            TimeProvider.System,
            new ListLogger());

        Assert.Equal(Path.Combine(_folder, "data", "audit-postgres.anchor"), store.AnchorPath);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private string AnchorPath(string replica) => Path.Combine(_folder, replica, "audit-postgres.anchor");

    private static async Task<List<AuditRecord>> AppendAsync(PostgresAuditStore store, int count, int from = 1)
    {
        var records = new List<AuditRecord>();
        for (var i = from; i < from + count; i++)
        {
            records.Add(await store.AppendAsync(AuditEntries.Create(i), CancellationToken.None));
        }

        return records;
    }

    private sealed class ListLogger : ILogger<PostgresAuditStore>
    {
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
