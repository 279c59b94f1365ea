using System.Text;

namespace XefAI.Governance;

/// <summary>The <c>Governance:Sqlite</c> section: the embedded governance state store.</summary>
public sealed record GovernanceSqliteOptions
{
    /// <summary>Database file; a relative path resolves against the content root. Every replica sharing state must name the same file.</summary>
    public string Path { get; init; } = "data/governance.db";

    /// <summary>How long a write waits for a lock held by another connection or process before it fails.</summary>
    public int BusyTimeoutSeconds { get; init; } = 5;
}

/// <summary>The <c>Governance:Postgres</c> section: the governance state store replicas on several hosts share.</summary>
public sealed record GovernancePostgresOptions
{
    /// <summary>
    /// Npgsql connection string; required when <c>Governance:StateStore</c> is <c>postgres</c>. The review queue
    /// uses the same database. It may hold a password, so it is never logged or printed. <c>Search Path</c> picks
    /// the schema; the session timeouts come from <see cref="CommandTimeoutSeconds"/> and win over its <c>Options</c>.
    /// </summary>
    public string? ConnectionString { get; init; }

    /// <summary>
    /// The longest one statement of the state store or the review queue waits, from 1 to
    /// <see cref="MaxCommandTimeoutSeconds"/>: their sessions' <c>lock_timeout</c>, <c>statement_timeout</c> and
    /// <c>idle_in_transaction_session_timeout</c>, and Npgsql's <c>Command Timeout</c>. A session that stalls while
    /// holding one of their row locks then holds up an administrative change or a review for this long, not 30 s.
    /// </summary>
    public int CommandTimeoutSeconds { get; init; } = 5;

    /// <summary>
    /// A connection string for creating and upgrading the state store's and the review queue's tables only, under the
    /// role that owns them, so the role of <see cref="ConnectionString"/> needs no DDL right. Null: they are created
    /// through <see cref="ConnectionString"/>, or must already exist if its role cannot.
    /// </summary>
    public string? MigrationConnectionString { get; init; }

    /// <summary>The largest <see cref="CommandTimeoutSeconds"/> start-up accepts.</summary>
    public const int MaxCommandTimeoutSeconds = 300;

    // The synthesized ToString would print the password wherever options get logged.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("ConnectionString = ").Append(ConnectionString is null ? "null" : "(set, not shown)")
            .Append(", CommandTimeoutSeconds = ").Append(CommandTimeoutSeconds)
            .Append(", MigrationConnectionString = ").Append(MigrationConnectionString is null ? "null" : "(set, not shown)");
        return true;
    }
}
