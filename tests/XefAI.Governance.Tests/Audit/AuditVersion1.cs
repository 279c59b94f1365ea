using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace XefAI.Governance.Tests;

/// <summary>
/// The audit trail as gateways before hash version 2 wrote it: their schema DDL, copied verbatim, and
/// version-1 records inserted the way their stores inserted them, to test the upgrade from them.
/// </summary>
internal static class AuditVersion1
{
    /// <summary>The SQLite store's schema before hash version 2. Never edit: it is what existing files hold.</summary>
    public const string SqliteDdl = """
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

    /// <summary>The PostgreSQL store's schema before hash version 2, guard triggers included. Never edit.</summary>
    public const string PostgresDdl = """
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
            hash text NOT NULL
        );
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

    private const string Columns =
        "seq, id, \"timestamp\", trace_id, app_id, patient_pseudonym, use_case_id, risk_tier, decision, reasons, status_code, " +
        "provider, deployment, model, input_sha256, output_sha256, input_tokens, output_tokens, latency_ms, " +
        "streamed, cost_usd, attempts, hash_version, prev_hash, hash";

    private const string InsertSql =
        "INSERT INTO audit_records (" + Columns + ") VALUES " +
        "(@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18, @p19, @p20, @p21, @p22, @p23, @p24)";

    /// <summary>
    /// Version-1 records chained after <paramref name="previous"/> (the genesis when null), with ids an
    /// earlier gateway could have given them.
    /// </summary>
    public static List<AuditRecord> Chain(int count, AuditRecord? previous = null)
    {
        using var hasher = new AuditChainHasher();
        var records = new List<AuditRecord>(count);
        var sequence = previous?.Sequence ?? 0;
        var previousHash = previous?.Hash ?? AuditChainHasher.GenesisHash;
        for (var i = 0; i < count; i++)
        {
            sequence++;
            var id = $"aud_01JPA0V1{sequence:D18}";
            var entry = AuditEntries.Create((int)sequence) with
            {
                CostUsd = 0.002,
                Attempts = [new("gpt-eu-1", "openai/primary", "answered", 200, 800.5)],
            };
            var hash = hasher.ComputeHash(1, id, sequence, entry, previousHash);
            records.Add(new AuditRecord(id, sequence, entry, previousHash, hash));
            previousHash = hash;
        }

        return records;
    }

    public static void Insert(SqliteConnection connection, IEnumerable<AuditRecord> records)
    {
        foreach (var record in records)
        {
            using var command = connection.CreateCommand();
            command.CommandText = InsertSql;
            var values = Values(record, streamed: record.Entry.Streamed ? 1 : 0);
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters.AddWithValue("@p" + i, values[i] ?? DBNull.Value);
            }

            command.ExecuteNonQuery();
        }
    }

    /// <summary>Inserts the records and moves the chain head to the last, in one transaction, as a version-1 store did.</summary>
    public static async Task InsertAsync(NpgsqlConnection connection, IReadOnlyList<AuditRecord> records)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var record in records)
        {
            await using var command = new NpgsqlCommand(InsertSql, connection, transaction);
            var values = Values(record, streamed: record.Entry.Streamed);
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters.AddWithValue("p" + i, values[i] ?? DBNull.Value);
            }

            await command.ExecuteNonQueryAsync();
        }

        await using (var head = new NpgsqlCommand(
            "INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, @seq, @hash) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            connection,
            transaction))
        {
            head.Parameters.AddWithValue("seq", NpgsqlDbType.Bigint, records[^1].Sequence);
            head.Parameters.AddWithValue("hash", NpgsqlDbType.Text, records[^1].Hash);
            await head.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    private static object?[] Values(AuditRecord record, object streamed)
    {
        var entry = record.Entry;
        return
        [
            record.Sequence,
            record.Id,
            AuditChainHasher.FormatTimestamp(entry.Timestamp),
            entry.TraceId,
            entry.AppId,
            entry.PatientPseudonym,
            entry.UseCaseId,
            entry.RiskTier,
            entry.Decision,
            entry.Reasons,
            entry.StatusCode,
            entry.Provider,
            entry.Deployment,
            entry.Model,
            entry.InputSha256,
            entry.OutputSha256,
            entry.InputTokens,
            entry.OutputTokens,
            entry.LatencyMs,
            streamed,
            entry.CostUsd,
            AuditAttemptsJson.Write(entry.Attempts),
            1,
            record.PreviousHash,
            record.Hash,
        ];
    }
}
