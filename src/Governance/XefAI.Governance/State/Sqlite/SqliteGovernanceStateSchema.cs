using Microsoft.Data.Sqlite;

namespace XefAI.Governance;

/// <summary>The SQLite governance state tables, their statements, and the mapping between rows and records.</summary>
/// <remarks>
/// Every table is append-only (triggers refuse UPDATE and DELETE) and keyed by an increasing <c>seq</c>; the
/// current state of a use case or deployment is its row with the highest <c>seq</c>.
/// </remarks>
internal static class SqliteGovernanceStateSchema
{
    public const string Create = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS use_case_status_changes (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            use_case_id TEXT NOT NULL,
            action TEXT NOT NULL,
            from_status TEXT NOT NULL,
            to_status TEXT NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT NOT NULL,
            clinical_sponsor TEXT,
            time TEXT NOT NULL,
            risk_tier INTEGER
        ) STRICT;
        CREATE INDEX IF NOT EXISTS ix_use_case_status_changes_use_case ON use_case_status_changes (use_case_id, seq);
        CREATE TRIGGER IF NOT EXISTS use_case_status_changes_no_update BEFORE UPDATE ON use_case_status_changes
        BEGIN SELECT RAISE(ABORT, 'use_case_status_changes is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS use_case_status_changes_no_delete BEFORE DELETE ON use_case_status_changes
        BEGIN SELECT RAISE(ABORT, 'use_case_status_changes is append-only'); END;

        CREATE TABLE IF NOT EXISTS deployment_suspensions (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            deployment_id TEXT NOT NULL,
            suspended INTEGER NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT NOT NULL,
            time TEXT NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS ix_deployment_suspensions_deployment ON deployment_suspensions (deployment_id, seq);
        CREATE TRIGGER IF NOT EXISTS deployment_suspensions_no_update BEFORE UPDATE ON deployment_suspensions
        BEGIN SELECT RAISE(ABORT, 'deployment_suspensions is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS deployment_suspensions_no_delete BEFORE DELETE ON deployment_suspensions
        BEGIN SELECT RAISE(ABORT, 'deployment_suspensions is append-only'); END;

        CREATE TABLE IF NOT EXISTS incidents (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            audit_id TEXT,
            use_case_id TEXT NOT NULL,
            reporter TEXT NOT NULL,
            description TEXT NOT NULL,
            severity TEXT NOT NULL,
            time TEXT NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS ix_incidents_use_case_time ON incidents (use_case_id, time);
        CREATE TRIGGER IF NOT EXISTS incidents_no_update BEFORE UPDATE ON incidents
        BEGIN SELECT RAISE(ABORT, 'incidents is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS incidents_no_delete BEFORE DELETE ON incidents
        BEGIN SELECT RAISE(ABORT, 'incidents is append-only'); END;
        """;

    // Both maxima only grow, so their sum changes whenever either table gains a row. Each is a rowid lookup.
    public const string SelectVersion =
        "SELECT (SELECT coalesce(max(seq), 0) FROM use_case_status_changes) + (SELECT coalesce(max(seq), 0) FROM deployment_suspensions)";

    /// <summary>The use-case table's column names, to find the ones <see cref="AddedColumns"/> still has to add.</summary>
    public const string SelectUseCaseColumnNames = "SELECT name FROM pragma_table_info('use_case_status_changes')";

    /// <summary>
    /// Columns added since the first release, and the statement adding each to a table created before them. They come
    /// last in <see cref="Create"/> too, so a new table and an upgraded one have the same layout; older rows read NULL.
    /// </summary>
    public static readonly IReadOnlyList<(string Column, string AddColumn)> AddedColumns =
    [
        ("risk_tier", "ALTER TABLE use_case_status_changes ADD COLUMN risk_tier INTEGER"),
    ];

    public const string UseCaseColumns = "seq, id, use_case_id, action, from_status, to_status, actor, reason, clinical_sponsor, time, risk_tier";

    public const string SelectLatestUseCaseChanges =
        "SELECT " + UseCaseColumns + " FROM use_case_status_changes " +
        "WHERE seq IN (SELECT max(seq) FROM use_case_status_changes GROUP BY use_case_id) ORDER BY seq";

    public const string SelectSponsorApprovals =
        "SELECT " + UseCaseColumns + " FROM use_case_status_changes WHERE action = 'approve' AND clinical_sponsor IS NOT NULL ORDER BY seq";

    public const string SelectUseCaseHistory =
        "SELECT " + UseCaseColumns + " FROM use_case_status_changes WHERE use_case_id = $id ORDER BY seq";

    public const string SelectLatestUseCaseChangeId =
        "SELECT id FROM use_case_status_changes WHERE use_case_id = $id ORDER BY seq DESC LIMIT 1";

    public const string InsertUseCaseChange =
        "INSERT INTO use_case_status_changes (id, use_case_id, action, from_status, to_status, actor, reason, clinical_sponsor, time, risk_tier) " +
        "VALUES ($id, $useCase, $action, $from, $to, $actor, $reason, $sponsor, $time, $tier) RETURNING seq";

    public const string DeploymentColumns = "seq, id, deployment_id, suspended, actor, reason, time";

    public const string SelectLatestDeploymentChanges =
        "SELECT " + DeploymentColumns + " FROM deployment_suspensions " +
        "WHERE seq IN (SELECT max(seq) FROM deployment_suspensions GROUP BY deployment_id) ORDER BY seq";

    public const string SelectDeploymentHistory =
        "SELECT " + DeploymentColumns + " FROM deployment_suspensions WHERE deployment_id = $id ORDER BY seq";

    public const string SelectLatestDeploymentChangeId =
        "SELECT id FROM deployment_suspensions WHERE deployment_id = $id ORDER BY seq DESC LIMIT 1";

    public const string InsertDeploymentChange =
        "INSERT INTO deployment_suspensions (id, deployment_id, suspended, actor, reason, time) " +
        "VALUES ($id, $deployment, $suspended, $actor, $reason, $time) RETURNING seq";

    public const string IncidentColumns = "seq, id, audit_id, use_case_id, reporter, description, severity, time";

    public const string SelectIncidents = "SELECT " + IncidentColumns + " FROM incidents";

    public const string InsertIncident =
        "INSERT INTO incidents (id, audit_id, use_case_id, reporter, description, severity, time) " +
        "VALUES ($id, $audit, $useCase, $reporter, $description, $severity, $time) RETURNING seq";

    public static DeploymentSuspensionChange ReadDeploymentChange(SqliteDataReader reader) =>
        new(
            reader.GetString(1),
            reader.GetString(2),
            reader.GetInt64(3) switch
            {
                0 => false,
                1 => true,
                var other => throw new FormatException($"deployment_suspensions.suspended holds {other}; only 0 and 1 are written."),
            },
            reader.GetString(4),
            reader.GetString(5),
            GovernanceStateRows.ParseTime(reader.GetString(6)))
        {
            Sequence = reader.GetInt64(0),
        };
}
