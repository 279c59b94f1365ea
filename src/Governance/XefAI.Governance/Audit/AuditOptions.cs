using System.Text;

namespace XefAI.Governance;

/// <summary>The <c>Audit</c> configuration section.</summary>
public sealed record AuditOptions
{
    public const string SectionName = "Audit";

    /// <summary>Default of <see cref="MaxQueuedRecords"/>.</summary>
    public const int DefaultMaxQueuedRecords = 10_000;

    /// <summary>Largest <see cref="MaxQueuedRecords"/> accepted.</summary>
    public const int MaxMaxQueuedRecords = 1_000_000;

    /// <summary>Kind of the <see cref="IAuditStore"/> the audit trail writes to (case-insensitive).</summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>Most records committed in one transaction.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>
    /// Most records waiting for their commit at once (queued, or in the batch being committed). One more is refused
    /// at once, and its call answered 503 <c>audit_unavailable</c>: a stalled store costs calls, never unbounded memory.
    /// </summary>
    public int MaxQueuedRecords { get; init; } = DefaultMaxQueuedRecords;

    public SqliteAuditOptions Sqlite { get; init; } = new();

    public PostgresAuditOptions Postgres { get; init; } = new();

    public AuditVerificationOptions Verification { get; init; } = new();
}

/// <summary>The <c>Audit:Verification</c> configuration section: verification in the background.</summary>
public sealed record AuditVerificationOptions
{
    /// <summary>How often an incremental verification runs on its own; 0 runs none (admins can still start one).</summary>
    public int IntervalMinutes { get; init; } = 60;

    /// <summary>
    /// How often one of those scheduled runs walks the whole trail instead, rechecking records earlier walks proved;
    /// 0: never (admins can still start one).
    /// </summary>
    public int FullIntervalHours { get; init; } = 24;

    /// <summary>
    /// The share of one core a background verification may keep busy (<see cref="AuditVerificationRequest.MaxBusyShare"/>),
    /// so a replica verifying its trail keeps serving at full speed.
    /// </summary>
    public double MaxBusyShare { get; init; } = 0.1;

    /// <summary>
    /// The most records <c>GET /admin/audit/verify</c> walks on the request itself; a longer walk (say, an incremental
    /// one before any walk has proved a checkpoint) goes on in the background and the request answers 202 with its link.
    /// 0: no bound. Only a store that counts its walk first can tell (PostgreSQL); SQLite's walk stays on the request.
    /// </summary>
    public long MaxInlineRecords { get; init; } = 200_000;
}

/// <summary>The <c>Audit:Sqlite</c> configuration section.</summary>
public sealed record SqliteAuditOptions
{
    /// <summary>Database file; a relative path resolves against the current directory.</summary>
    public string Path { get; init; } = "data/audit.db";

    /// <summary>How long a write waits for a lock held by another connection before the call fails.</summary>
    public int BusyTimeoutSeconds { get; init; } = 5;

    /// <summary>
    /// Where the trail's last committed record is noted, to find at the next start a database deleted, replaced or
    /// restored from an older copy meanwhile. Null (the default): beside the database with the extension
    /// <c>.anchor</c> (<c>data/audit.anchor</c>); empty: no anchor. A relative path resolves as <see cref="Path"/> does.
    /// </summary>
    public string? AnchorPath { get; init; }
}

/// <summary>The <c>Audit:Postgres</c> configuration section.</summary>
public sealed record PostgresAuditOptions
{
    /// <summary>
    /// Npgsql connection string; required when <c>Audit:Store</c> is <c>postgres</c>. It may hold a password,
    /// so it is never logged or printed. <c>Search Path</c> picks the schema; the gateway adds its own
    /// <c>lock_timeout</c>, <c>statement_timeout</c> and <c>idle_in_transaction_session_timeout</c> to its
    /// <c>Options</c> (see <see cref="CommitTimeoutSeconds"/>).
    /// </summary>
    public string? ConnectionString { get; init; }

    /// <summary>
    /// The longest a call waits for its audit record, counted from when it was queued, before it is refused
    /// (503 <c>audit_unavailable</c>). It also sets the sessions' <c>lock_timeout</c>, the writer's
    /// <c>statement_timeout</c> and <c>Command Timeout</c>, and <c>idle_in_transaction_session_timeout</c>, so a
    /// stalled process holding the chain's lock loses its session, and the lock, after this long.
    /// </summary>
    public int CommitTimeoutSeconds { get; init; } = 3;

    /// <summary>
    /// A connection string for schema creation and upgrades only, under the role that owns the audit tables; the
    /// gateway's own role (<see cref="ConnectionString"/>) then needs no right to create, alter or drop them. Null:
    /// the schema is created through <see cref="ConnectionString"/>, or must already exist if its role cannot.
    /// </summary>
    public string? MigrationConnectionString { get; init; }

    /// <summary>
    /// Names this replica in the chain ids it writes (letters, digits, '.', '_' and '-'; at most 63, as a Kubernetes pod name); the
    /// host name when unset. Every process start opens a chain of its own under a fresh id, so two replicas that
    /// share a name never write to one chain.
    /// </summary>
    public string? InstanceName { get; init; }

    /// <summary>How often a replica binds every writer's chain end into a checkpoint, when none has since.</summary>
    public int CheckpointIntervalSeconds { get; init; } = 10;

    /// <summary>
    /// Where this replica notes the last record it committed, to refuse at the next start a database whose schema was
    /// dropped, whose tables were emptied, or which was restored from a dump older than that record. Each replica keeps
    /// its own (replicas sharing a host set different paths). Null (the default): <c>audit-postgres.anchor</c> in the
    /// folder of <c>Audit:Sqlite:Path</c> (<c>data/audit-postgres.anchor</c>); empty: no anchor. A relative path
    /// resolves against the content root.
    /// </summary>
    public string? AnchorPath { get; init; }

    // The synthesized ToString would print the password wherever options get logged.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("ConnectionString = ").Append(ConnectionString is null ? "null" : "(set, not shown)");
        builder.Append(", CommitTimeoutSeconds = ").Append(CommitTimeoutSeconds);
        builder.Append(", MigrationConnectionString = ").Append(MigrationConnectionString is null ? "null" : "(set, not shown)");
        builder.Append(", InstanceName = ").Append(InstanceName ?? "null");
        builder.Append(", CheckpointIntervalSeconds = ").Append(CheckpointIntervalSeconds);
        builder.Append(", AnchorPath = ").Append(AnchorPath ?? "null");
        return true;
    }
}
