using System.Globalization;
using Microsoft.Data.Sqlite;

namespace XefAI.Governance;

/// <summary>The SQLite audit table, its statements, and the mapping between rows and records.</summary>
internal static class SqliteAuditSchema
{
    // Column order is shared by SELECT, INSERT and the ordinals below.
    public const string Columns =
        "seq, id, timestamp, trace_id, app_id, patient_pseudonym, use_case_id, risk_tier, decision, reasons, status_code, " +
        "provider, deployment, model, input_sha256, output_sha256, input_tokens, output_tokens, latency_ms, " +
        "streamed, cost_usd, attempts, hash_version, prev_hash, hash, user_id, input_text, output_text, de_identification, redactions, relates_to, feedback";

    public const int ColumnCount = 32;

    public const string Create = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS audit_records (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            timestamp TEXT NOT NULL,
            trace_id TEXT NOT NULL,
            app_id TEXT,
            patient_pseudonym TEXT,
            use_case_id TEXT,
            risk_tier INTEGER,
            decision TEXT NOT NULL,
            reasons TEXT,
            status_code INTEGER NOT NULL,
            provider TEXT,
            deployment TEXT,
            model TEXT,
            input_sha256 TEXT,
            output_sha256 TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            latency_ms REAL NOT NULL,
            streamed INTEGER NOT NULL,
            cost_usd REAL,
            attempts TEXT NOT NULL,
            hash_version INTEGER NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            user_id TEXT,
            input_text TEXT,
            output_text TEXT,
            de_identification TEXT,
            redactions TEXT,
            relates_to TEXT,
            feedback TEXT
        ) STRICT;
        CREATE INDEX IF NOT EXISTS ix_audit_records_timestamp ON audit_records (timestamp);
        CREATE INDEX IF NOT EXISTS ix_audit_records_use_case_id ON audit_records (use_case_id);
        CREATE INDEX IF NOT EXISTS ix_audit_records_app_id ON audit_records (app_id);
        CREATE INDEX IF NOT EXISTS ix_audit_records_patient_pseudonym ON audit_records (patient_pseudonym);
        CREATE TRIGGER IF NOT EXISTS audit_records_no_update BEFORE UPDATE ON audit_records
        BEGIN SELECT RAISE(ABORT, 'audit_records is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_records_no_delete BEFORE DELETE ON audit_records
        BEGIN SELECT RAISE(ABORT, 'audit_records is append-only'); END;
        CREATE TABLE IF NOT EXISTS audit_verified_records (
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL,
            verified_at TEXT NOT NULL,
            full_walk INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS ix_audit_verified_records_seq ON audit_verified_records (seq);
        CREATE TRIGGER IF NOT EXISTS audit_verified_records_no_update BEFORE UPDATE ON audit_verified_records
        BEGIN SELECT RAISE(ABORT, 'audit_verified_records is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_verified_records_no_delete BEFORE DELETE ON audit_verified_records
        BEGIN SELECT RAISE(ABORT, 'audit_verified_records is append-only'); END;
        """;

    /// <summary>Counts the <c>hash_version</c> column: 0 on a table created before records carried their hash version.</summary>
    public const string HasHashVersion = "SELECT COUNT(*) FROM pragma_table_info('audit_records') WHERE name = 'hash_version'";

    /// <summary>The table's column names, to find the ones <see cref="AddedColumns"/> still has to add.</summary>
    public const string SelectColumnNames = "SELECT name FROM pragma_table_info('audit_records')";

    /// <summary>
    /// Columns added since records carried a hash version (with hash versions 2, 3 and 4), and the statement adding
    /// each to a table created before them. They come last in <see cref="Create"/> too, so a new table and an
    /// upgraded one have the same layout; rows from before read as NULL, as their version-1 form expects.
    /// </summary>
    public static readonly IReadOnlyList<(string Column, string AddColumn)> AddedColumns =
    [
        ("user_id", "ALTER TABLE audit_records ADD COLUMN user_id TEXT"),
        ("input_text", "ALTER TABLE audit_records ADD COLUMN input_text TEXT"),
        ("output_text", "ALTER TABLE audit_records ADD COLUMN output_text TEXT"),
        ("de_identification", "ALTER TABLE audit_records ADD COLUMN de_identification TEXT"),
        ("redactions", "ALTER TABLE audit_records ADD COLUMN redactions TEXT"),
        ("relates_to", "ALTER TABLE audit_records ADD COLUMN relates_to TEXT"),
        ("feedback", "ALTER TABLE audit_records ADD COLUMN feedback TEXT"),
    ];

    public const string Insert =
        "INSERT INTO audit_records (" + Columns + ") VALUES " +
        "($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13, $p14, $p15, $p16, $p17, $p18, " +
        "$p19, $p20, $p21, $p22, $p23, $p24, $p25, $p26, $p27, $p28, $p29, $p30, $p31)";

    public const string SelectTail = "SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1";

    public const string SelectById = "SELECT " + Columns + " FROM audit_records WHERE id = $id";

    public const string SelectAscending = "SELECT " + Columns + " FROM audit_records ORDER BY seq";

    public const string SelectColumns = "SELECT " + Columns + " FROM audit_records";

    /// <summary>A page of a walk: the records after a seq, in order.</summary>
    public const string SelectPageAfter = "SELECT " + Columns + " FROM audit_records WHERE seq > $after ORDER BY seq LIMIT $limit";

    /// <summary>How far the chain reaches: the seq its last record has when none is missing.</summary>
    public const string SelectLastSequence = "SELECT COALESCE(MAX(seq), 0) FROM audit_records";

    public const string SelectIdAndHash = "SELECT id, hash FROM audit_records WHERE seq = $seq";

    /// <summary>The last record a verification proved (<c>audit_verified_records</c>, append-only like the records).</summary>
    public const string SelectLastVerified = "SELECT seq, hash FROM audit_verified_records ORDER BY seq DESC LIMIT 1";

    public const string InsertVerified =
        "INSERT INTO audit_verified_records (seq, hash, verified_at, full_walk) VALUES ($seq, $hash, $at, $full)";

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

    /// <summary>
    /// Checks that <paramref name="insert"/> is <see cref="Insert"/> as <see cref="Bind"/> expects it: parameter
    /// <c>$pN</c> at index N + 1, the column's position plus one.
    /// </summary>
    public static void CheckInsertParameters(SqliteStatement insert)
    {
        if (insert.ParameterCount != ColumnCount)
        {
            throw new InvalidOperationException($"The audit INSERT has {insert.ParameterCount} parameters, not {ColumnCount}.");
        }

        for (var i = 0; i < ColumnCount; i++)
        {
            if (insert.ParameterIndex("$p" + i.ToString(CultureInfo.InvariantCulture)) != i + 1)
            {
                throw new InvalidOperationException($"The audit INSERT's parameter $p{i} is not at index {i + 1}.");
            }
        }
    }

    /// <summary>
    /// Binds a record's row to <see cref="Insert"/> prepared as a <see cref="SqliteStatement"/>: the same values, of the
    /// same SQLite types, as the provider would bind for them, with no parameter object or string per column.
    /// </summary>
    public static void Bind(
        SqliteStatement insert, long sequence, string id, AuditEntry entry, int hashVersion, string previousHash, string hash, AuditAttemptsJson.Writer attempts)
    {
        insert.BindInt64(Seq + 1, sequence);
        insert.BindText(Id + 1, id);
        BindTimestamp(insert, Timestamp + 1, entry.Timestamp);
        insert.BindText(TraceId + 1, entry.TraceId);
        insert.BindText(AppId + 1, entry.AppId);
        insert.BindText(PatientPseudonym + 1, entry.PatientPseudonym);
        insert.BindText(UseCaseId + 1, entry.UseCaseId);
        insert.BindInt64(RiskTier + 1, entry.RiskTier);
        insert.BindText(Decision + 1, entry.Decision);
        insert.BindText(Reasons + 1, entry.Reasons);
        insert.BindInt64(StatusCode + 1, entry.StatusCode);
        insert.BindText(Provider + 1, entry.Provider);
        insert.BindText(Deployment + 1, entry.Deployment);
        insert.BindText(Model + 1, entry.Model);
        insert.BindText(InputSha256 + 1, entry.InputSha256);
        insert.BindText(OutputSha256 + 1, entry.OutputSha256);
        insert.BindInt64(InputTokens + 1, entry.InputTokens);
        insert.BindInt64(OutputTokens + 1, entry.OutputTokens);
        insert.BindDouble(LatencyMs + 1, entry.LatencyMs);
        insert.BindInt64(Streamed + 1, entry.Streamed ? 1 : 0);
        insert.BindDouble(CostUsd + 1, entry.CostUsd);
        insert.BindText(Attempts + 1, attempts.WriteUtf8(entry.Attempts));
        insert.BindInt64(HashVersion + 1, hashVersion);
        insert.BindText(PrevHash + 1, previousHash);
        insert.BindText(Hash + 1, hash);
        insert.BindText(UserId + 1, entry.UserId);
        insert.BindText(InputText + 1, entry.InputText);
        insert.BindText(OutputText + 1, entry.OutputText);
        insert.BindText(DeIdentification + 1, entry.DeIdentification);
        insert.BindText(Redactions + 1, entry.Redactions);
        insert.BindText(RelatesTo + 1, entry.RelatesTo);
        insert.BindText(Feedback + 1, entry.Feedback);
    }

    /// <summary>The row readers <see cref="AuditChainVerifier"/> walks the chain with.</summary>
    public static readonly AuditRowReader<SqliteDataReader> Rows = new(ReadId, ReadSequence, ReadHashVersion, ReadRecord);

    public static long ReadSequence(SqliteDataReader reader) => reader.GetInt64(Seq);

    public static string ReadId(SqliteDataReader reader) => reader.GetString(Id);

    /// <summary>The canonical form the record was hashed with (<see cref="AuditChainHasher"/>).</summary>
    public static long ReadHashVersion(SqliteDataReader reader) => reader.GetInt64(HashVersion);

    /// <exception cref="FormatException">A stored value is not in the form the store writes.</exception>
    /// <exception cref="InvalidCastException">A stored value has the wrong type.</exception>
    /// <exception cref="InvalidOperationException">A required value is NULL.</exception>
    /// <exception cref="OverflowException">A stored number does not fit its field.</exception>
    public static AuditRecord ReadRecord(SqliteDataReader reader)
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
            Streamed = GetBoolean(reader, Streamed),
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

    // The characters of AuditChainHasher.FormatTimestamp, as UTF-8 on the stack.
    private static void BindTimestamp(SqliteStatement insert, int index, DateTimeOffset timestamp)
    {
        Span<byte> utf8 = stackalloc byte[64];
        if (timestamp.UtcDateTime.TryFormat(utf8, out var length, "O", CultureInfo.InvariantCulture))
        {
            insert.BindText(index, utf8[..length]);
        }
        else
        {
            insert.BindText(index, AuditChainHasher.FormatTimestamp(timestamp));
        }
    }

    private static string? GetString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static int? GetInt32(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    // Strict 0/1: any other value was not written by the store and must not read as a plausible flag.
    private static bool GetBoolean(SqliteDataReader reader, int ordinal) => reader.GetInt64(ordinal) switch
    {
        0 => false,
        1 => true,
        var other => throw new FormatException($"The {reader.GetName(ordinal)} column holds {other}; only 0 and 1 are written."),
    };
}
