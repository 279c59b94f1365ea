using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XefAI.Governance;
using XefAI.Testing;

namespace XefAI.Gateway.Benchmarks.Micro;

/// <summary>
/// An audit store's commit of a batch, as the writer loop runs it. SQLite: into a real file in the temp directory, with
/// ids, chain hashes, the bound row and BEGIN IMMEDIATE/COMMIT with synchronous FULL. PostgreSQL: into a throwaway
/// local server of the machine's own binaries (<see cref="PostgresServer"/>, which runs with fsync and synchronous
/// commit off, so the figure is the client's work and the round trip, not the disk's). The batch is built once, so what
/// is measured is the store's own work; divide by <see cref="Records"/> for the cost per record. <see cref="Append"/> is
/// one call's append through the writer loop, queue and completion included.
/// </summary>
[MemoryDiagnoser]
public class AuditStoreCommitBenchmarks
{
    private static readonly AuditAttempt[] Attempts = [new("gpt-4o-east", "primary", "succeeded", 200, 412.5)];

    private string? _directory;
    private PostgresServer? _server;
    private IAuditStore _store = null!;
    private Func<IReadOnlyList<PendingAppend>, CancellationToken, Task<IReadOnlyList<AuditRecord>>> _commitBatch = null!;
    private PendingAppend[] _batch = null!;
    private AuditEntry _entry = null!;

    /// <summary>The store: <c>sqlite</c> or <c>postgres</c> (which needs PostgreSQL's binaries installed).</summary>
    [Params(SqliteAuditStore.StoreKind, PostgresAuditStore.StoreKind)]
    public string Store { get; set; } = SqliteAuditStore.StoreKind;

    /// <summary>Records per committed batch.</summary>
    [Params(1, 32)]
    public int Records { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        if (Store == PostgresAuditStore.StoreKind)
        {
            _server = await PostgresServer.StartAsync();
            var options = Options.Create(new AuditOptions
            {
                Store = PostgresAuditStore.StoreKind,
                Postgres = new PostgresAuditOptions
                {
                    ConnectionString = await _server.CreateDatabaseAsync(),
                    CheckpointIntervalSeconds = PostgresAuditStore.MaxCheckpointIntervalSeconds,
                },
            });
            var store = new PostgresAuditStore(options, TimeProvider.System, NullLogger<PostgresAuditStore>.Instance);
            (_store, _commitBatch) = (store, store.CommitBatchAsync);
        }
        else
        {
            _directory = Directory.CreateTempSubdirectory("xefai-audit-bench-").FullName;
            var options = Options.Create(new AuditOptions { Sqlite = new SqliteAuditOptions { Path = Path.Combine(_directory, "audit.db") } });
            var store = new SqliteAuditStore(options, TimeProvider.System, NullLogger<SqliteAuditStore>.Instance);
            (_store, _commitBatch) = (store, store.CommitBatchAsync);
        }


        // A tier-1 metadata record like a governed vendor call's; every value synthetic (no PHI).
        _entry = AuditEntryGuard.Prepare(new AuditEntry
        {
            Timestamp = DateTimeOffset.UtcNow,
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
            AppId = "bench-app",
            PatientPseudonym = "psn_" + 4242.ToString("x12", CultureInfo.InvariantCulture),
            UseCaseId = "discharge-summary",
            RiskTier = 1,
            Decision = "answered",
            StatusCode = 200,
            Provider = "openai",
            Deployment = "gpt-4o-east",
            Model = "gpt-4o",
            InputSha256 = new string('a', 64),
            OutputSha256 = new string('b', 64),
            InputTokens = 812,
            OutputTokens = 240,
            LatencyMs = 431.25,
            CostUsd = 0.0043,
            Attempts = Attempts,
            DeIdentification = "applied",
            Redactions = "date=2,name=3",
        });
        _batch = new PendingAppend[Records];
        for (var i = 0; i < _batch.Length; i++)
        {
            _batch[i] = new PendingAppend(_entry);
        }

        // The session (connection, prepared INSERT, chain tail) is opened by the first batch, not measured.
        await _commitBatch(_batch, CancellationToken.None);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await ((IAsyncDisposable)_store).DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Benchmark(Baseline = true)]
    public Task<IReadOnlyList<AuditRecord>> CommitBatch() => _commitBatch(_batch, CancellationToken.None);

    /// <summary>One append through the store's queue and writer loop, awaited until its batch committed.</summary>
    [Benchmark]
    public ValueTask<AuditRecord> Append() => _store.AppendAsync(_entry, CancellationToken.None);
}
