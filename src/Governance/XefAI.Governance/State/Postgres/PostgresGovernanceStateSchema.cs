using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace XefAI.Governance;

/// <summary>The PostgreSQL governance state tables, their statements, and the mapping between rows and records.</summary>
/// <remarks>
/// The tables are the SQLite store's, append-only (triggers refuse UPDATE, DELETE and TRUNCATE), and a use case's
/// or deployment's current state is its row with the highest <c>seq</c>. Unlike SQLite, PostgreSQL lets writers
/// run side by side, so the store's version is a row of its own, <c>governance_state_version</c>: every status
/// change or suspension bumps it in its own transaction and takes the new value as its <c>seq</c>. The bump locks
/// the row until the commit, so writers take turns, versions follow commit order, and a poller that read one
/// version cannot miss a change committed later with a smaller one (as it could by watching <c>max(seq)</c> of
/// a sequence, whose values are handed out before their transactions commit). Times are the SQLite store's
/// fixed-width UTC text, under the "C" collation so they compare byte by byte: timestamptz keeps only
/// microseconds, and a change must read back equal to the one that was appended.
/// </remarks>
internal static class PostgresGovernanceStateSchema
{
    /// <summary>
    /// Serializes schema creation between processes that start together: concurrent CREATE ... IF NOT EXISTS can
    /// still collide in the catalog. Also taken by the review queue, whose table lives in the same database. The
    /// key is any constant; this one is "XFAIGOVS" in ASCII.
    /// </summary>
    public const string LockSchema = "SELECT pg_advisory_xact_lock(6360843306692204115)";

    /// <summary>True when the tables and every guard trigger exist, so a start-up needs no DDL (nor the right to run it).</summary>
    public const string IsComplete = """
        SELECT to_regclass('governance_state_version') IS NOT NULL
           AND to_regclass('use_case_status_changes') IS NOT NULL
           AND to_regclass('deployment_suspensions') IS NOT NULL
           AND to_regclass('incidents') IS NOT NULL
           AND EXISTS (SELECT 1 FROM pg_attribute
                       WHERE attrelid = to_regclass('use_case_status_changes') AND attname = 'risk_tier' AND NOT attisdropped)
           AND (SELECT count(*) FROM pg_trigger
                WHERE tgrelid IN (to_regclass('governance_state_version'), to_regclass('use_case_status_changes'),
                                  to_regclass('deployment_suspensions'), to_regclass('incidents'))
                  AND tgname IN ('governance_state_version_forward_only', 'governance_state_version_no_truncate',
                                 'use_case_status_changes_no_update', 'use_case_status_changes_no_delete', 'use_case_status_changes_no_truncate',
                                 'deployment_suspensions_no_update', 'deployment_suspensions_no_delete', 'deployment_suspensions_no_truncate',
                                 'incidents_no_update', 'incidents_no_delete', 'incidents_no_truncate')) = 11
        """;

    /// <summary>
    /// Idempotent: creates what is missing, including a guard trigger someone dropped, and upgrades a table an earlier
    /// gateway version created. Added columns come last in a new table too, so both have the same layout.
    /// </summary>
    public const string Create = """
        CREATE TABLE IF NOT EXISTS governance_state_version (
            id integer PRIMARY KEY CHECK (id = 1),
            version bigint NOT NULL
        );

        CREATE TABLE IF NOT EXISTS use_case_status_changes (
            seq bigint PRIMARY KEY,
            id text NOT NULL UNIQUE,
            use_case_id text NOT NULL,
            action text NOT NULL,
            from_status text NOT NULL,
            to_status text NOT NULL,
            actor text NOT NULL,
            reason text NOT NULL,
            clinical_sponsor text,
            "time" text COLLATE "C" NOT NULL,
            risk_tier integer
        );
        CREATE INDEX IF NOT EXISTS ix_use_case_status_changes_use_case ON use_case_status_changes (use_case_id, seq);

        -- A table an earlier gateway version created; its rows read NULL, as changes recorded without a tier.
        ALTER TABLE use_case_status_changes ADD COLUMN IF NOT EXISTS risk_tier integer;

        CREATE TABLE IF NOT EXISTS deployment_suspensions (
            seq bigint PRIMARY KEY,
            id text NOT NULL UNIQUE,
            deployment_id text NOT NULL,
            suspended boolean NOT NULL,
            actor text NOT NULL,
            reason text NOT NULL,
            "time" text COLLATE "C" NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_deployment_suspensions_deployment ON deployment_suspensions (deployment_id, seq);

        CREATE TABLE IF NOT EXISTS incidents (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            audit_id text,
            use_case_id text NOT NULL,
            reporter text NOT NULL,
            description text NOT NULL,
            severity text NOT NULL,
            "time" text COLLATE "C" NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_incidents_use_case_time ON incidents (use_case_id, "time");

        CREATE OR REPLACE FUNCTION governance_state_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END $$;

        CREATE OR REPLACE FUNCTION governance_state_version_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'UPDATE' THEN
                RAISE EXCEPTION 'governance_state_version only moves forward';
            END IF;
            IF NEW.id <> OLD.id OR NEW.version <= OLD.version THEN
                RAISE EXCEPTION 'governance_state_version only moves forward';
            END IF;
            RETURN NEW;
        END $$;

        DO $$
        DECLARE
            history text;
        BEGIN
            -- Row triggers do not see TRUNCATE, so it gets its own.
            FOREACH history IN ARRAY ARRAY['use_case_status_changes', 'deployment_suspensions', 'incidents'] LOOP
                IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(history) AND tgname = history || '_no_update') THEN
                    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION governance_state_append_only()',
                                   history || '_no_update', history);
                END IF;
                IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(history) AND tgname = history || '_no_delete') THEN
                    EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION governance_state_append_only()',
                                   history || '_no_delete', history);
                END IF;
                IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(history) AND tgname = history || '_no_truncate') THEN
                    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION governance_state_append_only()',
                                   history || '_no_truncate', history);
                END IF;
            END LOOP;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'governance_state_version'::regclass AND tgname = 'governance_state_version_forward_only') THEN
                CREATE TRIGGER governance_state_version_forward_only BEFORE UPDATE OR DELETE ON governance_state_version
                    FOR EACH ROW EXECUTE FUNCTION governance_state_version_forward_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'governance_state_version'::regclass AND tgname = 'governance_state_version_no_truncate') THEN
                CREATE TRIGGER governance_state_version_no_truncate BEFORE TRUNCATE ON governance_state_version
                    FOR EACH STATEMENT EXECUTE FUNCTION governance_state_version_forward_only();
            END IF;
        END $$;
        """;

    /// <summary>The version starts where the histories end: 0 for empty tables.</summary>
    public const string SeedVersion =
        "INSERT INTO governance_state_version (id, version) " +
        "SELECT 1, greatest(coalesce((SELECT max(seq) FROM use_case_status_changes), 0), coalesce((SELECT max(seq) FROM deployment_suspensions), 0)) " +
        "ON CONFLICT (id) DO NOTHING";

    /// <summary>A primary-key lookup: what the cache's poll asks every interval.</summary>
    public const string SelectVersion = "SELECT version FROM governance_state_version WHERE id = 1";

    /// <summary>Takes the next version and holds the row's lock until the commit: writers of changes take turns here.</summary>
    public const string NextVersion = "UPDATE governance_state_version SET version = version + 1 WHERE id = 1 RETURNING version";

    public const string UseCaseColumns = "seq, id, use_case_id, action, from_status, to_status, actor, reason, clinical_sponsor, \"time\", risk_tier";

    public const string SelectLatestUseCaseChanges =
        "SELECT * FROM (SELECT DISTINCT ON (use_case_id) " + UseCaseColumns + " FROM use_case_status_changes ORDER BY use_case_id, seq DESC) latest " +
        "ORDER BY seq";

    public const string SelectSponsorApprovals =
        "SELECT " + UseCaseColumns + " FROM use_case_status_changes WHERE action = 'approve' AND clinical_sponsor IS NOT NULL ORDER BY seq";

    public const string SelectUseCaseHistory =
        "SELECT " + UseCaseColumns + " FROM use_case_status_changes WHERE use_case_id = $1 ORDER BY seq";

    public const string SelectLatestUseCaseChangeId =
        "SELECT id FROM use_case_status_changes WHERE use_case_id = $1 ORDER BY seq DESC LIMIT 1";

    public const string InsertUseCaseChange =
        "INSERT INTO use_case_status_changes (" + UseCaseColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

    public const string DeploymentColumns = "seq, id, deployment_id, suspended, actor, reason, \"time\"";

    public const string SelectLatestDeploymentChanges =
        "SELECT * FROM (SELECT DISTINCT ON (deployment_id) " + DeploymentColumns + " FROM deployment_suspensions ORDER BY deployment_id, seq DESC) latest " +
        "ORDER BY seq";

    public const string SelectDeploymentHistory =
        "SELECT " + DeploymentColumns + " FROM deployment_suspensions WHERE deployment_id = $1 ORDER BY seq";

    public const string SelectLatestDeploymentChangeId =
        "SELECT id FROM deployment_suspensions WHERE deployment_id = $1 ORDER BY seq DESC LIMIT 1";

    public const string InsertDeploymentChange =
        "INSERT INTO deployment_suspensions (" + DeploymentColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7)";

    public const string IncidentColumns = "seq, id, audit_id, use_case_id, reporter, description, severity, \"time\"";

    public const string SelectIncidents = "SELECT " + IncidentColumns + " FROM incidents";

    public const string InsertIncident =
        "INSERT INTO incidents (id, audit_id, use_case_id, reporter, description, severity, \"time\") " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq";

    /// <summary>The connection pool of one store; <paramref name="application"/> tells its sessions apart in pg_stat_activity.</summary>
    /// <remarks>
    /// Every session waits at most <see cref="GovernancePostgresOptions.CommandTimeoutSeconds"/> for a lock or a
    /// statement, and one left idle in a transaction (its process frozen) is ended after as long, so its row locks
    /// cannot hold up the other replicas. Appended after the connection string's own <c>Options</c>, so they win:
    /// PostgreSQL applies the start-up options in order, and the last of a setting given twice is in force.
    /// </remarks>
    /// <exception cref="InvalidOperationException">No connection string is configured.</exception>
    public static NpgsqlDataSource CreateDataSource(GovernancePostgresOptions? options, string application)
    {
        var connectionString = options?.ConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"{GovernanceOptions.SectionName}:Postgres:ConnectionString is not set, so the postgres {application} cannot connect.");
        }

        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
        {
            builder.ConnectionStringBuilder.ApplicationName = "XefAI Gateway " + application;
        }

        var seconds = options!.CommandTimeoutSeconds;
        var milliseconds = (seconds * 1000L).ToString(CultureInfo.InvariantCulture);
        builder.ConnectionStringBuilder.Options = new StringBuilder(builder.ConnectionStringBuilder.Options)
            .Append(" -c lock_timeout=").Append(milliseconds)
            .Append(" -c statement_timeout=").Append(milliseconds)
            .Append(" -c idle_in_transaction_session_timeout=").Append(milliseconds)
            .ToString().Trim();

        // The client's own bound, for when the server cannot answer at all (a partition, a frozen server). Connecting too:
        // Npgsql's Timeout (15 s by default, 0 for none) held a first read of the state three times as long.
        builder.ConnectionStringBuilder.CommandTimeout = seconds;
        if (builder.ConnectionStringBuilder.Timeout is 0 || builder.ConnectionStringBuilder.Timeout > seconds)
        {
            builder.ConnectionStringBuilder.Timeout = seconds;
        }
        return builder.Build();
    }

    /// <summary>
    /// The data source schema creation runs on: the owner's (<see cref="GovernancePostgresOptions.MigrationConnectionString"/>),
    /// made for the occasion and disposed by the caller, or null to use the store's own.
    /// </summary>
    public static NpgsqlDataSource? CreateMigrationDataSource(GovernancePostgresOptions? options, string application) =>
        options?.MigrationConnectionString is { } migration
            ? CreateDataSource(options with { ConnectionString = migration }, application + " migration")
            : null;

    /// <summary>
    /// Creates a table of the state store that lives apart from the main schema (the review queue, the token replays)
    /// under the schema lock: on the migration connection when one is configured (then granting the gateway's role its
    /// rights), otherwise on the store's own. A table a DBA created ahead (<paramref name="isComplete"/> true) needs no
    /// DDL, so the gateway's role does not need the right to run it.
    /// </summary>
    public static async Task CreateTableAsync(
        GovernancePostgresOptions? options, NpgsqlDataSource store, string application, string isComplete, string schema, CancellationToken cancellationToken)
    {
        await using var migration = CreateMigrationDataSource(options, application);
        await using var connection = await (migration ?? store).OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(LockSchema, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);

        command.CommandText = isComplete;
        if (await command.ExecuteScalarAsync(cancellationToken) is not true)
        {
            command.CommandText = schema;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (migration is not null)
        {
            await PostgresGrants.GrantAsync(store, connection, transaction, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public static void Add(NpgsqlParameterCollection parameters, NpgsqlDbType type, object? value) =>
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = value ?? DBNull.Value });

    public static void AddText(NpgsqlParameterCollection parameters, string? value, string field)
    {
        // PostgreSQL text cannot hold U+0000; refused here, by name, rather than as an encoding error from the server.
        if (value is not null && value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The {field} contains a NUL character, which PostgreSQL cannot store.", field);
        }

        Add(parameters, NpgsqlDbType.Text, value);
    }

    public static DeploymentSuspensionChange ReadDeploymentChange(NpgsqlDataReader reader) =>
        new(
            reader.GetString(1),
            reader.GetString(2),
            reader.GetBoolean(3),
            reader.GetString(4),
            reader.GetString(5),
            GovernanceStateRows.ParseTime(reader.GetString(6)))
        {
            Sequence = reader.GetInt64(0),
        };
}
