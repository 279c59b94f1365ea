namespace XefAI.Governance;

/// <summary>The <c>Audit</c> configuration section.</summary>
public sealed record AuditOptions
{
    public const string SectionName = "Audit";

    /// <summary>Kind of the <see cref="IAuditStore"/> the audit trail writes to (case-insensitive).</summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>Most records committed in one transaction.</summary>
    public int MaxBatchSize { get; init; } = 256;

    public SqliteAuditOptions Sqlite { get; init; } = new();
}

/// <summary>The <c>Audit:Sqlite</c> configuration section.</summary>
public sealed record SqliteAuditOptions
{
    /// <summary>Database file; a relative path resolves against the current directory.</summary>
    public string Path { get; init; } = "data/audit.db";

    /// <summary>How long a write waits for a lock held by another connection before the call fails.</summary>
    public int BusyTimeoutSeconds { get; init; } = 5;
}
