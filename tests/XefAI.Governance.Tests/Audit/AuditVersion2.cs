using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace XefAI.Governance.Tests;

/// <summary>
/// The audit trail as gateways before hash version 3 wrote it: their schema (version 1's, with the columns version 2
/// added, as an upgraded or a new version-2 table was laid out) and version-2 records inserted the way their stores
/// inserted them, to test the upgrade from them.
/// </summary>
internal static class AuditVersion2
{
    /// <summary>The SQLite store's schema before hash version 3. Never edit: it is what existing files hold.</summary>
    public const string SqliteDdl = AuditVersion1.SqliteDdl + """

        ALTER TABLE audit_records ADD COLUMN user_id TEXT;
        ALTER TABLE audit_records ADD COLUMN input_text TEXT;
        ALTER TABLE audit_records ADD COLUMN output_text TEXT;
        """;

    /// <summary>The PostgreSQL store's schema before hash version 3, guard triggers included. Never edit.</summary>
    public const string PostgresDdl = AuditVersion1.PostgresDdl + """

        ALTER TABLE audit_records
            ADD COLUMN IF NOT EXISTS user_id text,
            ADD COLUMN IF NOT EXISTS input_text text,
            ADD COLUMN IF NOT EXISTS output_text text;
        """;

    private const string Columns =
        "seq, id, \"timestamp\", trace_id, app_id, patient_pseudonym, use_case_id, risk_tier, decision, reasons, status_code, " +
        "provider, deployment, model, input_sha256, output_sha256, input_tokens, output_tokens, latency_ms, " +
        "streamed, cost_usd, attempts, hash_version, prev_hash, hash, user_id, input_text, output_text";

    private const string InsertSql =
        "INSERT INTO audit_records (" + Columns + ") VALUES " +
        "(@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18, @p19, @p20, @p21, @p22, @p23, @p24, @p25, @p26, @p27)";

    /// <summary>Version-2 records, verbatim texts and user included, chained after <paramref name="previous"/> (the genesis when null).</summary>
    public static List<AuditRecord> Chain(int count, AuditRecord? previous = null)
    {
        using var hasher = new AuditChainHasher();
        var records = new List<AuditRecord>(count);
        var sequence = previous?.Sequence ?? 0;
        var previousHash = previous?.Hash ?? AuditChainHasher.GenesisHash;
        for (var i = 0; i < count; i++)
        {
            sequence++;
            var id = $"aud_01JPA0V2{sequence:D18}";
            var entry = AuditEntries.Create((int)sequence) with
            {
                Attempts = [new("gpt-eu-1", "openai/primary", "answered", 200, 800.5)],
                UserId = $"u-{sequence:D4}",
                InputText = $"Summarise case {sequence}.",
                OutputText = $"Case {sequence}: stable.",
            };
            var hash = hasher.ComputeHash(2, id, sequence, entry, previousHash);
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

    /// <summary>Inserts the records and moves the chain head to the last, in one transaction, as a version-2 store did.</summary>
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
            2,
            record.PreviousHash,
            record.Hash,
            entry.UserId,
            entry.InputText,
            entry.OutputText,
        ];
    }
}
