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
        "streamed, cost_usd, attempts, hash_version, prev_hash, hash, user_id, input_text, output_text, de_identification, redactions, relates_to, feedback";

    /// <summary>
    /// Serializes schema creation between processes that start together: concurrent CREATE ... IF NOT EXISTS
    /// can still collide in the catalog. The key is any constant; this one is "XFAIAUDT" in ASCII.
    /// </summary>
    public const string LockSchema = "SELECT pg_advisory_xact_lock(6360843306591929428)";

    /// <summary>
    /// True when the tables, every column and every guard trigger exist, so a start-up needs no DDL (nor the
    /// right to run it). A table from before hash version 2, 3 or 4 lacks its columns and is upgraded by <see cref="Create"/>.
    /// </summary>
    public const string IsComplete = """
        SELECT to_regclass('audit_records') IS NOT NULL
           AND to_regclass('audit_chain_head') IS NOT NULL
           AND (SELECT count(*) FROM pg_attribute
                WHERE attrelid = to_regclass('audit_records') AND NOT attisdropped
                  AND attname IN ('user_id', 'input_text', 'output_text', 'de_identification', 'redactions', 'relates_to', 'feedback')) = 7
           AND (SELECT count(*) FROM pg_trigger
                WHERE tgrelid IN (to_regclass('audit_records'), to_regclass('audit_chain_head'))
                  AND tgname IN ('audit_records_no_update', 'audit_records_no_delete', 'audit_records_no_truncate',
                                 'audit_chain_head_forward_only', 'audit_chain_head_no_truncate')) = 5
        """;

    /// <summary>
    /// Idempotent: creates what is missing, including a guard trigger someone dropped, and adds the columns of
    /// hash versions 2, 3 and 4 to a table an earlier gateway version created. Those come last in the new table too, so
    /// both have the same layout; old rows read them as NULL, as their version-1 form expects.
    /// </summary>
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
            feedback text
        );
        ALTER TABLE audit_records
            ADD COLUMN IF NOT EXISTS user_id text,
            ADD COLUMN IF NOT EXISTS input_text text,
            ADD COLUMN IF NOT EXISTS output_text text,
            ADD COLUMN IF NOT EXISTS de_identification text,
            ADD COLUMN IF NOT EXISTS redactions text,
            ADD COLUMN IF NOT EXISTS relates_to text,
            ADD COLUMN IF NOT EXISTS feedback text;
        CREATE INDEX IF NOT EXISTS ix_audit_records_timestamp ON audit_records ("timestamp");
        CREATE INDEX IF NOT EXISTS ix_audit_records_use_case_id ON audit_records (use_case_id);
        CREATE INDEX IF NOT EXISTS ix_audit_records_app_id ON audit_records (app_id);
        CREATE INDEX IF NOT EXISTS ix_audit_records_patient_pseudonym ON audit_records (patient_pseudonym);

        CREATE TABLE IF NOT EXISTS audit_chain_head (
            id integer PRIMARY KEY CHECK (id = 1),
            seq bigint NOT NULL,
            hash text NOT NULL
        );

        CREATE OR REPLACE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_records is append-only';
        END $$;

        CREATE OR REPLACE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'UPDATE' THEN
                RAISE EXCEPTION 'audit_chain_head only moves forward';
            END IF;
            IF NEW.id <> OLD.id OR NEW.seq <= OLD.seq THEN
                RAISE EXCEPTION 'audit_chain_head only moves forward';
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
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_chain_head'::regclass AND tgname = 'audit_chain_head_forward_only') THEN
                CREATE TRIGGER audit_chain_head_forward_only BEFORE UPDATE OR DELETE ON audit_chain_head
                    FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_chain_head'::regclass AND tgname = 'audit_chain_head_no_truncate') THEN
                CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_forward_only();
            END IF;
        END $$;
        """;

    /// <summary>The head starts at the chain's tail, which is the genesis hash for an empty table.</summary>
    public const string SeedHead =
        "INSERT INTO audit_chain_head (id, seq, hash) " +
        "SELECT 1, COALESCE(MAX(seq), 0), COALESCE((SELECT hash FROM audit_records ORDER BY seq DESC LIMIT 1), '" +
        AuditChainHasher.GenesisHash + "') FROM audit_records " +
        "ON CONFLICT (id) DO NOTHING";

    /// <summary>Locks the head: every replica's batch serializes here, once per batch.</summary>
    public const string LockHead = "SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE";

    public const string SelectHead = "SELECT seq, hash FROM audit_chain_head WHERE id = 1";

    public const string UpdateHead = "UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1";

    public const string Insert =
        "INSERT INTO audit_records (" + Columns + ") VALUES " +
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)";

    public const string SelectById = "SELECT " + Columns + " FROM audit_records WHERE id = $1";

    public const string SelectAscending = "SELECT " + Columns + " FROM audit_records ORDER BY seq";

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

    /// <summary>One INSERT of the batch, its parameters in column order.</summary>
    public static NpgsqlBatchCommand CreateInsert(long sequence, string id, AuditEntry entry, int hashVersion, string previousHash, string hash)
    {
        var command = new NpgsqlBatchCommand(Insert);
        var parameters = command.Parameters;
        Add(parameters, NpgsqlDbType.Bigint, sequence);
        Add(parameters, NpgsqlDbType.Text, id);
        Add(parameters, NpgsqlDbType.Text, AuditChainHasher.FormatTimestamp(entry.Timestamp));
        Add(parameters, NpgsqlDbType.Text, entry.TraceId);
        Add(parameters, NpgsqlDbType.Text, entry.AppId);
        Add(parameters, NpgsqlDbType.Text, entry.PatientPseudonym);
        Add(parameters, NpgsqlDbType.Text, entry.UseCaseId);
        Add(parameters, NpgsqlDbType.Integer, entry.RiskTier);
        Add(parameters, NpgsqlDbType.Text, entry.Decision);
        Add(parameters, NpgsqlDbType.Text, entry.Reasons);
        Add(parameters, NpgsqlDbType.Integer, entry.StatusCode);
        Add(parameters, NpgsqlDbType.Text, entry.Provider);
        Add(parameters, NpgsqlDbType.Text, entry.Deployment);
        Add(parameters, NpgsqlDbType.Text, entry.Model);
        Add(parameters, NpgsqlDbType.Text, entry.InputSha256);
        Add(parameters, NpgsqlDbType.Text, entry.OutputSha256);
        Add(parameters, NpgsqlDbType.Integer, entry.InputTokens);
        Add(parameters, NpgsqlDbType.Integer, entry.OutputTokens);
        Add(parameters, NpgsqlDbType.Double, entry.LatencyMs);
        Add(parameters, NpgsqlDbType.Boolean, entry.Streamed);
        Add(parameters, NpgsqlDbType.Double, entry.CostUsd);
        Add(parameters, NpgsqlDbType.Text, AuditAttemptsJson.Write(entry.Attempts));
        Add(parameters, NpgsqlDbType.Integer, hashVersion);
        Add(parameters, NpgsqlDbType.Text, previousHash);
        Add(parameters, NpgsqlDbType.Text, hash);
        Add(parameters, NpgsqlDbType.Text, entry.UserId);
        Add(parameters, NpgsqlDbType.Text, entry.InputText);
        Add(parameters, NpgsqlDbType.Text, entry.OutputText);
        Add(parameters, NpgsqlDbType.Text, entry.DeIdentification);
        Add(parameters, NpgsqlDbType.Text, entry.Redactions);
        Add(parameters, NpgsqlDbType.Text, entry.RelatesTo);
        Add(parameters, NpgsqlDbType.Text, entry.Feedback);
        return command;
    }

    public static NpgsqlBatchCommand CreateUpdateHead(long sequence, string hash)
    {
        var command = new NpgsqlBatchCommand(UpdateHead);
        Add(command.Parameters, NpgsqlDbType.Bigint, sequence);
        Add(command.Parameters, NpgsqlDbType.Text, hash);
        return command;
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

    /// <summary>The row readers <see cref="AuditChainVerifier"/> walks the chain with.</summary>
    public static readonly AuditRowReader<NpgsqlDataReader> Rows = new(ReadId, ReadSequence, ReadHashVersion, ReadRecord);

    public static long ReadSequence(NpgsqlDataReader reader) => reader.GetInt64(Seq);

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

    private static void Add(NpgsqlParameterCollection parameters, NpgsqlDbType type, object? value) =>
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = value ?? DBNull.Value });

    private static string? GetString(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static int? GetInt32(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
}
