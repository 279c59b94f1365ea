namespace XefAI.Governance;

/// <summary>The <c>Governance:Sqlite</c> section: the embedded governance state store.</summary>
public sealed record GovernanceSqliteOptions
{
    /// <summary>Database file; a relative path resolves against the content root. Every replica sharing state must name the same file.</summary>
    public string Path { get; init; } = "data/governance.db";

    /// <summary>How long a write waits for a lock held by another connection or process before it fails.</summary>
    public int BusyTimeoutSeconds { get; init; } = 5;
}
