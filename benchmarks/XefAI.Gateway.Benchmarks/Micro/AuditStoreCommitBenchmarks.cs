using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XefAI.Governance;

namespace XefAI.Gateway.Benchmarks.Micro;

/// <summary>
/// The SQLite audit store's commit of a batch into a real file in the temp directory: ids, chain hashes, the bound row
/// and BEGIN IMMEDIATE/COMMIT with synchronous FULL, as the writer loop runs it. The batch is built once, so what is
/// measured is the store's own work; divide by <see cref="Records"/> for the cost per record. <see cref="Append"/> is
/// one call's append through the writer loop, queue and completion included.
/// </summary>
[MemoryDiagnoser]
public class AuditStoreCommitBenchmarks
{
    private static readonly AuditAttempt[] Attempts = [new("gpt-4o-east", "primary", "succeeded", 200, 412.5)];

    private string _directory = null!;
    private SqliteAuditStore _store = null!;
    private PendingAppend[] _batch = null!;
    private AuditEntry _entry = null!;

    /// <summary>Records per committed batch.</summary>
    [Params(1, 32)]
    public int Records { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Directory.CreateTempSubdirectory("xefai-audit-bench-").FullName;
        var options = Options.Create(new AuditOptions { Sqlite = new SqliteAuditOptions { Path = Path.Combine(_directory, "audit.db") } });
        _store = new SqliteAuditStore(options, TimeProvider.System, NullLogger<SqliteAuditStore>.Instance);

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
        await _store.CommitBatchAsync(_batch, CancellationToken.None);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public Task<IReadOnlyList<AuditRecord>> CommitBatch() => _store.CommitBatchAsync(_batch, CancellationToken.None);

    /// <summary>One append through the store's queue and writer loop, awaited until its batch committed.</summary>
    [Benchmark]
    public ValueTask<AuditRecord> Append() => _store.AppendAsync(_entry, CancellationToken.None);
}
