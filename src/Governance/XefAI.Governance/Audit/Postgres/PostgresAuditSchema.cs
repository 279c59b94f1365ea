using Npgsql;
using NpgsqlTypes;

namespace XefAI.Governance;

/// <summary>The PostgreSQL audit tables, their statements, and the mapping between rows and records.</summary>
/// <remarks>
/// The columns are the SQLite store's. <c>timestamp</c> stays the canonical text the hash covers: timestamptz
/// keeps only microseconds, and a value that reads back different from what was hashed would look tampered.
/// The text is fixed-width UTC, and its "C" collation compares it byte by byte, so range queries stay
/// correct whatever the database's collation.
/// </remarks>
internal static class PostgresAuditSchema
{
    // Column order is shared by SELECT, INSERT and the ordinals below.
    public const string Columns =
        "seq, id, \"timestamp\", trace_id, app_id, patient_pseudonym, use_case_id, risk_tier, decision, reasons, status_code, " +
        "provider, deployment, model, input_sha256, output_sha256, input_tokens, output_tokens, latency_ms, " +
        "streamed, cost_usd, attempts, hash_version, prev_hash, hash, user_id, input_text, output_text, de_identification, redactions, relates_to, feedback, " +
        "chain_id, chain_seq";

    /// <summary>
    /// The chain id the records of the single chain, from before the store had one chain per writer, are known by.
    /// Generated chain ids always hold a timestamp and a random part, so none can be this.
    /// </summary>
    public const string LegacyChain = "legacy";

    /// <summary>
    /// Serializes schema creation between processes that start together: concurrent CREATE ... IF NOT EXISTS
    /// can still collide in the catalog. The key is any constant; this one is "XFAIAUDT" in ASCII.
    /// </summary>
    public const string LockSchema = "SELECT pg_advisory_xact_lock(6360843306591929428)";

    /// <summary>
    /// Lets one replica at a time take a checkpoint; the others skip their turn rather than wait. Never taken on
    /// the commit path. The key is "XFAICKPT" in ASCII.
    /// </summary>
    public const string TryLockCheckpoint = "SELECT pg_try_advisory_xact_lock(6360843306591931220)";

    /// <summary>
    /// True when the tables, every column and every guard trigger exist, so a start-up needs no DDL (nor the
    /// right to run it). A table from before hash version 2, 3, 4 or 5 lacks its columns and is upgraded by <see cref="Create"/>.
    /// </summary>
    public const string IsComplete = """
        SELECT to_regclass('audit_records') IS NOT NULL
           AND to_regclass('audit_chains') IS NOT NULL
           AND to_regclass('audit_checkpoints') IS NOT NULL
           AND to_regclass('audit_verified_checkpoints') IS NOT NULL
           AND to_regclass('audit_chain_checkpoints') IS NOT NULL
           AND to_regclass('audit_records_seq') IS NOT NULL
           AND (SELECT count(*) FROM pg_attribute
                WHERE attrelid = to_regclass('audit_records') AND NOT attisdropped
                  AND attname IN ('user_id', 'input_text', 'output_text', 'de_identification', 'redactions', 'relates_to', 'feedback',
                                  'chain_id', 'chain_seq')) = 9
           AND (SELECT count(*) FROM pg_trigger
                WHERE tgrelid IN (to_regclass('audit_records'), to_regclass('audit_chains'), to_regclass('audit_checkpoints'),
                                  to_regclass('audit_verified_checkpoints'), to_regclass('audit_chain_checkpoints'))
                  AND tgname IN ('audit_records_no_update', 'audit_records_no_delete', 'audit_records_no_truncate',
                                 'audit_chains_forward_only', 'audit_chains_no_truncate',
                                 'audit_checkpoints_append_only', 'audit_checkpoints_no_truncate',
                                 'audit_verified_checkpoints_append_only', 'audit_verified_checkpoints_no_truncate',
                                 'audit_chain_checkpoints_append_only', 'audit_chain_checkpoints_no_truncate')) = 11
        """;

    /// <summary>
    /// Idempotent: creates what is missing, including a guard trigger someone dropped, and upgrades a table an
    /// earlier gateway version created. The columns of hash versions 2 to 5 come last in a new table too, so both
    /// have the same layout; old rows read them as NULL, as their forms expect.
    /// </summary>
    /// <remarks>
    /// The upgrade to one chain per writer keeps every old record where it is: the rows without a chain are the
    /// <see cref="LegacyChain"/>, numbered by <c>seq</c>, and its end (the old <c>audit_chain_head</c>, or its last
    /// record if that row is gone) becomes its row in <c>audit_chains</c>, so the first checkpoint binds it like any
    /// other chain. The old head table is left as it was, and no longer written. <c>seq</c> becomes a fleet-wide
    /// locator drawn from a sequence, which needs no lock; a record's place in its chain is <c>chain_seq</c>.
    /// </remarks>
    public const string Create = """
        CREATE TABLE IF NOT EXISTS audit_records (
            seq bigint PRIMARY KEY,
            id text NOT NULL UNIQUE,
            "timestamp" text COLLATE "C" NOT NULL,
            trace_id text NOT NULL,
            app_id text,
            patient_pseudonym text,
            use_case_id text,
            risk_tier integer,
            decision text NOT NULL,
            reasons text,
            status_code integer NOT NULL,
            provider text,
            deployment text,
            model text,
            input_sha256 text,
            output_sha256 text,
            input_tokens integer,
            output_tokens integer,
            latency_ms double precision NOT NULL,
            streamed boolean NOT NULL,
            cost_usd double precision,
            attempts text NOT NULL,
            hash_version integer NOT NULL,
            prev_hash text NOT NULL,
            hash text NOT NULL,
            user_id text,
            input_text text,
            output_text text,
            de_identification text,
            redactions text,
            relates_to text,
            feedback text,
            chain_id text COLLATE "C",
            chain_seq bigint
        );
        ALTER TABLE audit_records
            ADD COLUMN IF NOT EXISTS user_id text,
            ADD COLUMN IF NOT EXISTS input_text text,
            ADD COLUMN IF NOT EXISTS output_text text,
            ADD COLUMN IF NOT EXISTS de_identification text,
            ADD COLUMN IF NOT EXISTS redactions text,
            ADD COLUMN IF NOT EXISTS relates_to text,
            ADD COLUMN IF NOT EXISTS feedback text,
            ADD COLUMN IF NOT EXISTS chain_id text COLLATE "C",
            ADD COLUMN IF NOT EXISTS chain_seq bigint;
        CREATE INDEX IF NOT EXISTS ix_audit_records_timestamp ON audit_records ("timestamp");
        CREATE INDEX IF NOT EXISTS ix_audit_records_use_case_id ON audit_records (use_case_id);
        CREATE INDEX IF NOT EXISTS ix_audit_records_app_id ON audit_records (app_id);
        CREATE INDEX IF NOT EXISTS ix_audit_records_patient_pseudonym ON audit_records (patient_pseudonym);
        CREATE UNIQUE INDEX IF NOT EXISTS ux_audit_records_chain ON audit_records (chain_id, chain_seq);

        DO $$
        BEGIN
            IF to_regclass('audit_records_seq') IS NULL THEN
                CREATE SEQUENCE audit_records_seq OWNED BY audit_records.seq;
                PERFORM setval('audit_records_seq', COALESCE((SELECT max(seq) FROM audit_records), 0) + 1, false);
                ALTER TABLE audit_records ALTER COLUMN seq SET DEFAULT nextval('audit_records_seq');
            END IF;
        END $$;

        CREATE TABLE IF NOT EXISTS audit_chains (
            chain_id text COLLATE "C" PRIMARY KEY,
            instance text NOT NULL,
            started_at text NOT NULL,
            seq bigint NOT NULL,
            hash text NOT NULL
        );

        CREATE TABLE IF NOT EXISTS audit_checkpoints (
            seq bigint PRIMARY KEY,
            "timestamp" text NOT NULL,
            ends text NOT NULL,
            records bigint NOT NULL,
            root text NOT NULL,
            prev_hash text NOT NULL,
            hash text NOT NULL
        );

        -- Where each checkpoint bound each chain it names: how a checkpointer finds the chains that moved since.
        CREATE TABLE IF NOT EXISTS audit_chain_checkpoints (
            chain_id text COLLATE "C" NOT NULL,
            checkpoint bigint NOT NULL,
            seq bigint NOT NULL,
            PRIMARY KEY (chain_id, checkpoint)
        );

        CREATE TABLE IF NOT EXISTS audit_verified_checkpoints (
            checkpoint bigint NOT NULL,
            hash text NOT NULL,
            verified_at text NOT NULL,
            full_walk boolean NOT NULL,
            ends text NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_audit_verified_checkpoints ON audit_verified_checkpoints (checkpoint);

        CREATE OR REPLACE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END $$;

        CREATE OR REPLACE FUNCTION audit_chains_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'UPDATE' THEN
                RAISE EXCEPTION 'audit_chains only moves forward';
            END IF;
            IF NEW.chain_id <> OLD.chain_id OR NEW.instance <> OLD.instance OR NEW.started_at <> OLD.started_at OR NEW.seq <= OLD.seq THEN
                RAISE EXCEPTION 'audit_chains only moves forward';
            END IF;
            RETURN NEW;
        END $$;

        DO $$
        BEGIN
            -- Row triggers do not see TRUNCATE, so it gets its own.
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_records'::regclass AND tgname = 'audit_records_no_update') THEN
                CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
                    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_records'::regclass AND tgname = 'audit_records_no_delete') THEN
                CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
                    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_records'::regclass AND tgname = 'audit_records_no_truncate') THEN
                CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_chains'::regclass AND tgname = 'audit_chains_forward_only') THEN
                CREATE TRIGGER audit_chains_forward_only BEFORE UPDATE OR DELETE ON audit_chains
                    FOR EACH ROW EXECUTE FUNCTION audit_chains_forward_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_chains'::regclass AND tgname = 'audit_chains_no_truncate') THEN
                CREATE TRIGGER audit_chains_no_truncate BEFORE TRUNCATE ON audit_chains
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_chains_forward_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_checkpoints'::regclass AND tgname = 'audit_checkpoints_append_only') THEN
                CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
                    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_checkpoints'::regclass AND tgname = 'audit_checkpoints_no_truncate') THEN
                CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_chain_checkpoints'::regclass AND tgname = 'audit_chain_checkpoints_append_only') THEN
                CREATE TRIGGER audit_chain_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_chain_checkpoints
                    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_chain_checkpoints'::regclass AND tgname = 'audit_chain_checkpoints_no_truncate') THEN
                CREATE TRIGGER audit_chain_checkpoints_no_truncate BEFORE TRUNCATE ON audit_chain_checkpoints
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_verified_checkpoints'::regclass AND tgname = 'audit_verified_checkpoints_append_only') THEN
                CREATE TRIGGER audit_verified_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_verified_checkpoints
                    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_verified_checkpoints'::regclass AND tgname = 'audit_verified_checkpoints_no_truncate') THEN
                CREATE TRIGGER audit_verified_checkpoints_no_truncate BEFORE TRUNCATE ON audit_verified_checkpoints
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
            END IF;
        END $$;
        """;

    /// <summary>
    /// The single chain of an earlier version becomes the legacy chain, its end the old head. Run at every start,
    /// after <see cref="Create"/> or not: it needs only the gateway role's rights, and does nothing once done.
    /// </summary>
    public const string RegisterLegacyChain = """
        -- The single chain of an earlier version becomes the legacy chain; its end is its old head.
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM audit_chains WHERE chain_id = 'legacy')
               AND EXISTS (SELECT 1 FROM audit_records WHERE chain_id IS NULL) THEN
                IF to_regclass('audit_chain_head') IS NOT NULL THEN
                    EXECUTE $sql$INSERT INTO audit_chains (chain_id, instance, started_at, seq, hash)
                                 SELECT 'legacy', 'legacy', '', seq, hash FROM audit_chain_head WHERE id = 1$sql$;
                END IF;
                IF NOT EXISTS (SELECT 1 FROM audit_chains WHERE chain_id = 'legacy') THEN
                    INSERT INTO audit_chains (chain_id, instance, started_at, seq, hash)
                    SELECT 'legacy', 'legacy', '', seq, hash FROM audit_records WHERE chain_id IS NULL ORDER BY seq DESC LIMIT 1;
                END IF;
            END IF;
        END $$;
        """;

    /// <summary>Starts a writer's chain: empty, its end the genesis hash.</summary>
    public const string InsertChain =
        "INSERT INTO audit_chains (chain_id, instance, started_at, seq, hash) VALUES ($1, $2, $3, 0, '" + AuditChainHasher.GenesisHash + "')";

    /// <summary>A writer's own chain end: only that writer moves it, so reading it needs no lock.</summary>
    public const string SelectChain = "SELECT seq, hash FROM audit_chains WHERE chain_id = $1";

    /// <summary>Readiness: takes this writer's own row lock, as a commit does, and nobody else's.</summary>
    public const string LockChain = "SELECT seq FROM audit_chains WHERE chain_id = $1 FOR UPDATE";

    public const string SelectChainEnds = "SELECT chain_id, seq, hash FROM audit_chains ORDER BY chain_id";

    /// <summary>Every chain's end, and where the last checkpoint that named it bound it (null: none has yet).</summary>
    public const string SelectChainEndsAndBound = """
        SELECT c.chain_id, c.seq, c.hash,
               (SELECT m.seq FROM audit_chain_checkpoints m WHERE m.chain_id = c.chain_id ORDER BY m.checkpoint DESC LIMIT 1)
        FROM audit_chains c ORDER BY c.chain_id
        """;

    public const string SelectLastCheckpoint = "SELECT seq, hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1";

    private const string CheckpointColumns = "seq, \"timestamp\", ends, records, root, prev_hash, hash";

    public const string SelectCheckpoint = "SELECT " + CheckpointColumns + " FROM audit_checkpoints WHERE seq = $1";

    public const string SelectCheckpointsAfter =
        "SELECT " + CheckpointColumns + " FROM audit_checkpoints WHERE seq > $1 ORDER BY seq LIMIT $2";

    public const string InsertCheckpoint =
        "INSERT INTO audit_checkpoints (" + CheckpointColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7)";

    public const string InsertChainCheckpoint =
        "INSERT INTO audit_chain_checkpoints (chain_id, checkpoint, seq) SELECT unnest($1::text[]), $2, unnest($3::bigint[])";

    public const string SelectLastVerified =
        "SELECT checkpoint, hash, ends FROM audit_verified_checkpoints ORDER BY checkpoint DESC LIMIT 1";

    public const string InsertVerified =
        "INSERT INTO audit_verified_checkpoints (checkpoint, hash, verified_at, full_walk, ends) VALUES ($1, $2, $3, $4, $5)";

    /// <summary>The next page of one chain's records, up to a position.</summary>
    public const string SelectChainPage =
        "SELECT " + Columns + " FROM audit_records WHERE chain_id = $1 AND chain_seq > $2 AND chain_seq <= $3 ORDER BY chain_seq LIMIT $4";

    /// <summary>The legacy chain's page: its records have no chain, and are numbered by <c>seq</c>.</summary>
    public const string SelectLegacyPage =
        "SELECT " + Columns + " FROM audit_records WHERE chain_id IS NULL AND seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3";

    /// <summary>A record past a chain's end: one written around the store.</summary>
    public const string SelectBeyondChain =
        "SELECT id, chain_seq FROM audit_records WHERE chain_id = $1 AND chain_seq > $2 ORDER BY chain_seq LIMIT 1";

    public const string SelectBeyondLegacy =
        "SELECT id, seq FROM audit_records WHERE chain_id IS NULL AND seq > $1 ORDER BY seq LIMIT 1";

    /// <summary>Every chain the records name, one index probe per chain rather than a scan of every record.</summary>
    public const string SelectRecordChains = """
        WITH RECURSIVE chains (id) AS (
            SELECT min(chain_id) FROM audit_records
            UNION ALL
            SELECT (SELECT min(chain_id) FROM audit_records WHERE chain_id > chains.id) FROM chains WHERE chains.id IS NOT NULL
        )
        SELECT id FROM chains WHERE id IS NOT NULL
        UNION ALL
        SELECT 'legacy' WHERE EXISTS (SELECT 1 FROM audit_records WHERE chain_id IS NULL)
        """;

    private const string InsertColumns =
        "id, \"timestamp\", trace_id, app_id, patient_pseudonym, use_case_id, risk_tier, decision, reasons, status_code, " +
        "provider, deployment, model, input_sha256, output_sha256, input_tokens, output_tokens, latency_ms, " +
        "streamed, cost_usd, attempts, hash_version, prev_hash, hash, user_id, input_text, output_text, de_identification, redactions, relates_to, feedback, " +
        "chain_id, chain_seq";

    /// <summary>
    /// A whole batch as one statement, run in a transaction of its own: it moves the writer's chain row from where the
    /// writer believes it ends, and inserts the batch's records only if it did. A row moved by anyone else updates
    /// nothing, so nothing is inserted and the batch fails rather than fork the chain; any record the server refuses
    /// fails the whole statement, and nothing of it is kept.
    /// </summary>
    /// <remarks>
    /// Every column but the batch's constants arrives as one array parameter, and <c>unnest</c> turns the arrays back
    /// into rows, so the server binds and runs one statement per batch rather than one per record. The arrays are
    /// unnested side by side in a select list, not in FROM: there PostgreSQL would copy each of the thirty into a
    /// tuplestore of its own before reading the first row. The rows go in in the batch's order, so the fleet-wide
    /// locator drawn from the sequence rises along the chain as before; no writer waits for another to number its
    /// records. $31 is the chain, $32 where the batch starts in it (a record's place is that plus its ordinal), $33 the
    /// hash version, $34 and $35 the chain's new end. Each row returns its place in the chain with its locator, so the
    /// caller pairs them without relying on the order of RETURNING.
    /// </remarks>
    public const string AppendBatch =
        "WITH moved AS (UPDATE audit_chains SET seq = $34, hash = $35 WHERE chain_id = $31 AND seq = $32 RETURNING seq) " +
        "INSERT INTO audit_records (" + InsertColumns + ") " +
        "SELECT r.id, r.ts, r.trace_id, r.app_id, r.patient_pseudonym, r.use_case_id, r.risk_tier, r.decision, r.reasons, r.status_code, " +
        "r.provider, r.deployment, r.model, r.input_sha256, r.output_sha256, r.input_tokens, r.output_tokens, r.latency_ms, " +
        "r.streamed, r.cost_usd, r.attempts, $33, r.prev_hash, r.hash, r.user_id, r.input_text, r.output_text, r.de_identification, r.redactions, r.relates_to, r.feedback, " +
        "$31, $32 + r.ord " +
        "FROM moved, (SELECT " +
        "unnest($1::text[]) AS id, unnest($2::text[]) AS ts, unnest($3::text[]) AS trace_id, unnest($4::text[]) AS app_id, " +
        "unnest($5::text[]) AS patient_pseudonym, unnest($6::text[]) AS use_case_id, unnest($7::integer[]) AS risk_tier, unnest($8::text[]) AS decision, " +
        "unnest($9::text[]) AS reasons, unnest($10::integer[]) AS status_code, unnest($11::text[]) AS provider, unnest($12::text[]) AS deployment, " +
        "unnest($13::text[]) AS model, unnest($14::text[]) AS input_sha256, unnest($15::text[]) AS output_sha256, unnest($16::integer[]) AS input_tokens, " +
        "unnest($17::integer[]) AS output_tokens, unnest($18::double precision[]) AS latency_ms, unnest($19::boolean[]) AS streamed, unnest($20::double precision[]) AS cost_usd, " +
        "unnest($21::text[]) AS attempts, unnest($22::text[]) AS prev_hash, unnest($23::text[]) AS hash, unnest($24::text[]) AS user_id, " +
        "unnest($25::text[]) AS input_text, unnest($26::text[]) AS output_text, unnest($27::text[]) AS de_identification, unnest($28::text[]) AS redactions, " +
        "unnest($29::text[]) AS relates_to, unnest($30::text[]) AS feedback, " +
        "generate_series(1, cardinality($1::text[])) AS ord) AS r " +
        "ORDER BY r.ord " +
        "RETURNING chain_seq, seq";

    /// <summary>
    /// <see cref="AppendBatch"/> for a batch of one record, with the same parameters as scalars: a batch of one, the
    /// common case at low load, binds its values as they are rather than as thirty one-element arrays to unnest.
    /// </summary>
    public const string AppendOne =
        "WITH moved AS (UPDATE audit_chains SET seq = $34, hash = $35 WHERE chain_id = $31 AND seq = $32 RETURNING seq) " +
        "INSERT INTO audit_records (" + InsertColumns + ") " +
        "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $33, " +
        "$22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32 + 1 " +
        "FROM moved " +
        "RETURNING chain_seq, seq";

    public const string SelectById = "SELECT " + Columns + " FROM audit_records WHERE id = $1";

    /// <summary>Whether the records table is there at all: a schema without it is a trail gone, not one to upgrade.</summary>
    public const string HasRecordsTable = "SELECT to_regclass('audit_records') IS NOT NULL";

    /// <summary>The last record of the whole trail, every replica's: where a replica with no anchor yet anchors.</summary>
    public const string SelectHead = "SELECT seq, id, hash FROM audit_records ORDER BY seq DESC LIMIT 1";

    public const string SelectIdAndHash = "SELECT id, hash FROM audit_records WHERE seq = $1";

    public const string SelectLastSequence = "SELECT coalesce(max(seq), 0) FROM audit_records";

    public const string SelectColumns = "SELECT " + Columns + " FROM audit_records";

    private const int Seq = 0;
    private const int Id = 1;
    private const int Timestamp = 2;
    private const int TraceId = 3;
    private const int AppId = 4;
    private const int PatientPseudonym = 5;
    private const int UseCaseId = 6;
    private const int RiskTier = 7;
    private const int Decision = 8;
    private const int Reasons = 9;
    private const int StatusCode = 10;
    private const int Provider = 11;
    private const int Deployment = 12;
    private const int Model = 13;
    private const int InputSha256 = 14;
    private const int OutputSha256 = 15;
    private const int InputTokens = 16;
    private const int OutputTokens = 17;
    private const int LatencyMs = 18;
    private const int Streamed = 19;
    private const int CostUsd = 20;
    private const int Attempts = 21;
    private const int HashVersion = 22;
    private const int PrevHash = 23;
    private const int Hash = 24;
    private const int UserId = 25;
    private const int InputText = 26;
    private const int OutputText = 27;
    private const int DeIdentification = 28;
    private const int Redactions = 29;
    private const int RelatesTo = 30;
    private const int Feedback = 31;
    private const int ChainSeq = 33;

    /// <summary>
    /// The batch's one statement (<see cref="AppendBatch"/>, or <see cref="AppendOne"/> for a single record): record
    /// <c>i</c> of <paramref name="entries"/> becomes the chain's record <paramref name="fromSequence"/> + 1 + <c>i</c>,
    /// with its id, previous hash and hash at index <c>i</c>, and the chain's row moves from
    /// <paramref name="fromSequence"/> to the last of them.
    /// </summary>
    public static NpgsqlCommand CreateAppendBatch(
        NpgsqlConnection connection, string chain, long fromSequence, IReadOnlyList<PendingAppend> entries, string[] ids, string[] previousHashes, string[] hashes)
    {
        var count = entries.Count;
        var timestamps = new string[count];
        var traceIds = new string[count];
        var appIds = new string?[count];
        var patients = new string?[count];
        var useCases = new string?[count];
        var tiers = new int?[count];
        var decisions = new string[count];
        var reasons = new string?[count];
        var statusCodes = new int[count];
        var providers = new string?[count];
        var deployments = new string?[count];
        var models = new string?[count];
        var inputHashes = new string?[count];
        var outputHashes = new string?[count];
        var inputTokens = new int?[count];
        var outputTokens = new int?[count];
        var latencies = new double[count];
        var streamed = new bool[count];
        var costs = new double?[count];
        var attempts = new string[count];
        var users = new string?[count];
        var inputs = new string?[count];
        var outputs = new string?[count];
        var deIdentifications = new string?[count];
        var redactions = new string?[count];
        var relatesTo = new string?[count];
        var feedback = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var entry = entries[i].Entry;
            timestamps[i] = AuditChainHasher.FormatTimestamp(entry.Timestamp);
            traceIds[i] = entry.TraceId;
            appIds[i] = entry.AppId;
            patients[i] = entry.PatientPseudonym;
            useCases[i] = entry.UseCaseId;
            tiers[i] = entry.RiskTier;
            decisions[i] = entry.Decision;
            reasons[i] = entry.Reasons;
            statusCodes[i] = entry.StatusCode;
            providers[i] = entry.Provider;
            deployments[i] = entry.Deployment;
            models[i] = entry.Model;
            inputHashes[i] = entry.InputSha256;
            outputHashes[i] = entry.OutputSha256;
            inputTokens[i] = entry.InputTokens;
            outputTokens[i] = entry.OutputTokens;
            latencies[i] = entry.LatencyMs;
            streamed[i] = entry.Streamed;
            costs[i] = entry.CostUsd;
            attempts[i] = AuditAttemptsJson.Write(entry.Attempts);
            users[i] = entry.UserId;
            inputs[i] = entry.InputText;
            outputs[i] = entry.OutputText;
            deIdentifications[i] = entry.DeIdentification;
            redactions[i] = entry.Redactions;
            relatesTo[i] = entry.RelatesTo;
            feedback[i] = entry.Feedback;
        }

        var single = count == 1;
        var command = new NpgsqlCommand(single ? AppendOne : AppendBatch, connection);
        var parameters = command.Parameters;
        Column(parameters, NpgsqlDbType.Text, ids, single);
        Column(parameters, NpgsqlDbType.Text, timestamps, single);
        Column(parameters, NpgsqlDbType.Text, traceIds, single);
        Column(parameters, NpgsqlDbType.Text, appIds, single);
        Column(parameters, NpgsqlDbType.Text, patients, single);
        Column(parameters, NpgsqlDbType.Text, useCases, single);
        Column(parameters, NpgsqlDbType.Integer, tiers, single);
        Column(parameters, NpgsqlDbType.Text, decisions, single);
        Column(parameters, NpgsqlDbType.Text, reasons, single);
        Column(parameters, NpgsqlDbType.Integer, statusCodes, single);
        Column(parameters, NpgsqlDbType.Text, providers, single);
        Column(parameters, NpgsqlDbType.Text, deployments, single);
        Column(parameters, NpgsqlDbType.Text, models, single);
        Column(parameters, NpgsqlDbType.Text, inputHashes, single);
        Column(parameters, NpgsqlDbType.Text, outputHashes, single);
        Column(parameters, NpgsqlDbType.Integer, inputTokens, single);
        Column(parameters, NpgsqlDbType.Integer, outputTokens, single);
        Column(parameters, NpgsqlDbType.Double, latencies, single);
        Column(parameters, NpgsqlDbType.Boolean, streamed, single);
        Column(parameters, NpgsqlDbType.Double, costs, single);
        Column(parameters, NpgsqlDbType.Text, attempts, single);
        Column(parameters, NpgsqlDbType.Text, previousHashes, single);
        Column(parameters, NpgsqlDbType.Text, hashes, single);
        Column(parameters, NpgsqlDbType.Text, users, single);
        Column(parameters, NpgsqlDbType.Text, inputs, single);
        Column(parameters, NpgsqlDbType.Text, outputs, single);
        Column(parameters, NpgsqlDbType.Text, deIdentifications, single);
        Column(parameters, NpgsqlDbType.Text, redactions, single);
        Column(parameters, NpgsqlDbType.Text, relatesTo, single);
        Column(parameters, NpgsqlDbType.Text, feedback, single);
        Add(parameters, NpgsqlDbType.Text, chain);
        Add(parameters, NpgsqlDbType.Bigint, fromSequence);
        Add(parameters, NpgsqlDbType.Integer, AuditChainHasher.ChainedVersion);
        Add(parameters, NpgsqlDbType.Bigint, fromSequence + count);
        Add(parameters, NpgsqlDbType.Text, count == 0 ? null : hashes[count - 1]);
        return command;
    }

    /// <summary>A checkpoint's row and the rows that say where it bound each chain it names, to run in one transaction.</summary>
    public static NpgsqlBatchCommand[] CreateCheckpoint(
        long sequence, string timestamp, IReadOnlyList<AuditChainEnd> ends, long records, string root, string previousHash, string hash)
    {
        var checkpoint = new NpgsqlBatchCommand(InsertCheckpoint);
        Add(checkpoint.Parameters, NpgsqlDbType.Bigint, sequence);
        Add(checkpoint.Parameters, NpgsqlDbType.Text, timestamp);
        Add(checkpoint.Parameters, NpgsqlDbType.Text, AuditCheckpoints.WriteEnds(ends));
        Add(checkpoint.Parameters, NpgsqlDbType.Bigint, records);
        Add(checkpoint.Parameters, NpgsqlDbType.Text, root);
        Add(checkpoint.Parameters, NpgsqlDbType.Text, previousHash);
        Add(checkpoint.Parameters, NpgsqlDbType.Text, hash);
        var bound = new NpgsqlBatchCommand(InsertChainCheckpoint);
        Add(bound.Parameters, NpgsqlDbType.Array | NpgsqlDbType.Text, ends.Select(end => end.Chain).ToArray());
        Add(bound.Parameters, NpgsqlDbType.Bigint, sequence);
        Add(bound.Parameters, NpgsqlDbType.Array | NpgsqlDbType.Bigint, ends.Select(end => end.Sequence).ToArray());
        return [checkpoint, bound];
    }

    /// <summary>
    /// PostgreSQL text cannot hold U+0000, so such an entry would fail its whole batch; it is refused alone,
    /// before it joins one. The attempts column is JSON, where the character is escaped, so it is not checked.
    /// Input and output texts are refused too, not cleaned: the record must hold exactly what was sent and
    /// released, and its hash exactly what it holds.
    /// </summary>
    public static void RejectNulCharacters(AuditEntry entry)
    {
        foreach (var (field, value) in (ReadOnlySpan<(string, string?)>)
        [
            (nameof(AuditEntry.TraceId), entry.TraceId),
            (nameof(AuditEntry.AppId), entry.AppId),
            (nameof(AuditEntry.PatientPseudonym), entry.PatientPseudonym),
            (nameof(AuditEntry.UseCaseId), entry.UseCaseId),
            (nameof(AuditEntry.Decision), entry.Decision),
            (nameof(AuditEntry.Reasons), entry.Reasons),
            (nameof(AuditEntry.Provider), entry.Provider),
            (nameof(AuditEntry.Deployment), entry.Deployment),
            (nameof(AuditEntry.Model), entry.Model),
            (nameof(AuditEntry.InputSha256), entry.InputSha256),
            (nameof(AuditEntry.OutputSha256), entry.OutputSha256),
            (nameof(AuditEntry.UserId), entry.UserId),
            (nameof(AuditEntry.InputText), entry.InputText),
            (nameof(AuditEntry.OutputText), entry.OutputText),
        ])
        {
            if (value is not null && value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"The audit entry's {field} contains a NUL character, which PostgreSQL cannot store.", nameof(entry));
            }
        }
    }

    public static long ReadSequence(NpgsqlDataReader reader) => reader.GetInt64(Seq);

    /// <summary>The record's place in its chain; a legacy record's is its <c>seq</c>.</summary>
    public static long ReadChainSequence(NpgsqlDataReader reader) =>
        reader.IsDBNull(ChainSeq) ? reader.GetInt64(Seq) : reader.GetInt64(ChainSeq);

    public static string ReadId(NpgsqlDataReader reader) => reader.GetString(Id);

    /// <summary>The canonical form the record was hashed with (<see cref="AuditChainHasher"/>).</summary>
    public static long ReadHashVersion(NpgsqlDataReader reader) => reader.GetInt32(HashVersion);

    /// <exception cref="FormatException">A stored value is not in the form the store writes.</exception>
    /// <exception cref="InvalidCastException">A stored value has the wrong type, or a required value is NULL.</exception>
    /// <exception cref="InvalidOperationException">A required value is NULL.</exception>
    /// <exception cref="OverflowException">A stored number does not fit its field.</exception>
    public static AuditRecord ReadRecord(NpgsqlDataReader reader)
    {
        var entry = new AuditEntry
        {
            Timestamp = AuditChainHasher.ParseTimestamp(reader.GetString(Timestamp)),
            TraceId = reader.GetString(TraceId),
            AppId = GetString(reader, AppId),
            PatientPseudonym = GetString(reader, PatientPseudonym),
            UseCaseId = GetString(reader, UseCaseId),
            RiskTier = GetInt32(reader, RiskTier),
            Decision = reader.GetString(Decision),
            Reasons = GetString(reader, Reasons),
            StatusCode = reader.GetInt32(StatusCode),
            Provider = GetString(reader, Provider),
            Deployment = GetString(reader, Deployment),
            Model = GetString(reader, Model),
            InputSha256 = GetString(reader, InputSha256),
            OutputSha256 = GetString(reader, OutputSha256),
            InputTokens = GetInt32(reader, InputTokens),
            OutputTokens = GetInt32(reader, OutputTokens),
            LatencyMs = reader.GetDouble(LatencyMs),
            Streamed = reader.GetBoolean(Streamed),
            CostUsd = reader.IsDBNull(CostUsd) ? null : reader.GetDouble(CostUsd),
            Attempts = AuditAttemptsJson.Parse(reader.GetString(Attempts)),
            UserId = GetString(reader, UserId),
            InputText = GetString(reader, InputText),
            OutputText = GetString(reader, OutputText),
            DeIdentification = GetString(reader, DeIdentification),
            Redactions = GetString(reader, Redactions),
            RelatesTo = GetString(reader, RelatesTo),
            Feedback = GetString(reader, Feedback),
        };

        return new AuditRecord(ReadId(reader), ReadSequence(reader), entry, reader.GetString(PrevHash), reader.GetString(Hash));
    }

    // A column of the batch: its array, or for a batch of one (AppendOne) its only value.
    private static void Column<T>(NpgsqlParameterCollection parameters, NpgsqlDbType type, T[] values, bool single) =>
        parameters.Add(single
            ? new NpgsqlParameter { NpgsqlDbType = type, Value = (object?)values[0] ?? DBNull.Value }
            : new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | type, Value = values });

    private static void Add(NpgsqlParameterCollection parameters, NpgsqlDbType type, object? value) =>
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = value ?? DBNull.Value });

    private static string? GetString(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static int? GetInt32(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
}
