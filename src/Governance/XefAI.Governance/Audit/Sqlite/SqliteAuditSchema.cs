using Microsoft.Data.Sqlite;

namespace XefAI.Governance;

/// <summary>The SQLite audit table, its statements, and the mapping between rows and records.</summary>
internal static class SqliteAuditSchema
{
    // Column order is shared by SELECT, INSERT and the ordinals below.
    public const string Columns =
        "seq, id, timestamp, trace_id, app_id, patient_pseudonym, use_case_id, risk_tier, decision, reasons, status_code, " +
        "provider, deployment, model, input_sha256, output_sha256, input_tokens, output_tokens, latency_ms, prev_hash, hash";

    public const int ColumnCount = 21;

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
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS ix_audit_records_timestamp ON audit_records (timestamp);
        CREATE INDEX IF NOT EXISTS ix_audit_records_use_case_id ON audit_records (use_case_id);
        CREATE INDEX IF NOT EXISTS ix_audit_records_app_id ON audit_records (app_id);
        CREATE INDEX IF NOT EXISTS ix_audit_records_patient_pseudonym ON audit_records (patient_pseudonym);
        CREATE TRIGGER IF NOT EXISTS audit_records_no_update BEFORE UPDATE ON audit_records
        BEGIN SELECT RAISE(ABORT, 'audit_records is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_records_no_delete BEFORE DELETE ON audit_records
        BEGIN SELECT RAISE(ABORT, 'audit_records is append-only'); END;
        """;

    public const string Insert =
        "INSERT INTO audit_records (" + Columns + ") VALUES " +
        "($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13, $p14, $p15, $p16, $p17, $p18, $p19, $p20)";

    public const string SelectTail = "SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1";

    public const string SelectById = "SELECT " + Columns + " FROM audit_records WHERE id = $id";

    public const string SelectAscending = "SELECT " + Columns + " FROM audit_records ORDER BY seq";

    public const string SelectColumns = "SELECT " + Columns + " FROM audit_records";

    private const int Seq = 0;
    private const int Id = 1;
    private const int PrevHash = 19;
    private const int Hash = 20;

    /// <summary>Adds the INSERT parameters, in column order, and returns them for binding.</summary>
    public static SqliteParameter[] AddInsertParameters(SqliteCommand command)
    {
        var parameters = new SqliteParameter[ColumnCount];
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i] = command.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i });
        }

        return parameters;
    }

    public static void Bind(SqliteParameter[] parameters, long sequence, string id, AuditEntry entry, string previousHash, string hash)
    {
        parameters[0].Value = sequence;
        parameters[1].Value = id;
        parameters[2].Value = AuditChainHasher.FormatTimestamp(entry.Timestamp);
        parameters[3].Value = entry.TraceId;
        parameters[4].Value = DbValue(entry.AppId);
        parameters[5].Value = DbValue(entry.PatientPseudonym);
        parameters[6].Value = DbValue(entry.UseCaseId);
        parameters[7].Value = DbValue(entry.RiskTier);
        parameters[8].Value = entry.Decision;
        parameters[9].Value = DbValue(entry.Reasons);
        parameters[10].Value = entry.StatusCode;
        parameters[11].Value = DbValue(entry.Provider);
        parameters[12].Value = DbValue(entry.Deployment);
        parameters[13].Value = DbValue(entry.Model);
        parameters[14].Value = DbValue(entry.InputSha256);
        parameters[15].Value = DbValue(entry.OutputSha256);
        parameters[16].Value = DbValue(entry.InputTokens);
        parameters[17].Value = DbValue(entry.OutputTokens);
        parameters[18].Value = entry.LatencyMs;
        parameters[19].Value = previousHash;
        parameters[20].Value = hash;
    }

    public static long ReadSequence(SqliteDataReader reader) => reader.GetInt64(Seq);

    public static string ReadId(SqliteDataReader reader) => reader.GetString(Id);

    /// <exception cref="FormatException">A stored value is not in the form the store writes.</exception>
    /// <exception cref="InvalidCastException">A stored value has the wrong type.</exception>
    /// <exception cref="InvalidOperationException">A required value is NULL.</exception>
    /// <exception cref="OverflowException">A stored number does not fit its field.</exception>
    public static AuditRecord ReadRecord(SqliteDataReader reader)
    {
        var entry = new AuditEntry
        {
            Timestamp = AuditChainHasher.ParseTimestamp(reader.GetString(2)),
            TraceId = reader.GetString(3),
            AppId = GetString(reader, 4),
            PatientPseudonym = GetString(reader, 5),
            UseCaseId = GetString(reader, 6),
            RiskTier = GetInt32(reader, 7),
            Decision = reader.GetString(8),
            Reasons = GetString(reader, 9),
            StatusCode = reader.GetInt32(10),
            Provider = GetString(reader, 11),
            Deployment = GetString(reader, 12),
            Model = GetString(reader, 13),
            InputSha256 = GetString(reader, 14),
            OutputSha256 = GetString(reader, 15),
            InputTokens = GetInt32(reader, 16),
            OutputTokens = GetInt32(reader, 17),
            LatencyMs = reader.GetDouble(18),
        };

        return new AuditRecord(ReadId(reader), ReadSequence(reader), entry, reader.GetString(PrevHash), reader.GetString(Hash));
    }

    private static object DbValue(string? value) => value is null ? DBNull.Value : value;

    private static object DbValue(int? value) => value is { } number ? number : DBNull.Value;

    private static string? GetString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static int? GetInt32(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
}
