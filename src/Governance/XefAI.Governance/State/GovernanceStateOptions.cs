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
    /// uses the same database. It may hold a password, so it is never logged or printed. Its <c>Command Timeout</c>
    /// bounds how long an administrative change waits for another replica's; <c>Search Path</c> picks the schema.
    /// </summary>
    public string? ConnectionString { get; init; }

    // The synthesized ToString would print the password wherever options get logged.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("ConnectionString = ").Append(ConnectionString is null ? "null" : "(set, not shown)");
        return true;
    }
}
