using System.Data;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using XefAI.Governance;

namespace XefAI.AuditStore.Benchmarks;

/// <summary>
/// The commit path before one chain per writer (a0211f6), reproduced minimally as the baseline: one
/// <c>audit_chain_head</c> row that every writer in every process locks (<c>SELECT … FOR UPDATE</c>), the batch's
/// records numbered from it and inserted, the head moved, in one transaction; group commit through the store's own
/// <see cref="AuditBatchWriter"/> with the same batch size and commit timeout.
/// </summary>
internal sealed class SingleChainBaseline : IAsyncDisposable
{
    /// <summary>The old tables, indexes and the head's forward-only guard (records carry hash version 4).</summary>
    public const string Schema = """
        CREATE TABLE audit_records (
            seq bigint PRIMARY KEY, id text NOT NULL UNIQUE, "timestamp" text COLLATE "C" NOT NULL, trace_id text NOT NULL,
            app_id text, patient_pseudonym text, use_case_id text, risk_tier integer, decision text NOT NULL, reasons text,
            status_code integer NOT NULL, provider text, deployment text, model text, input_sha256 text, output_sha256 text,
            input_tokens integer, output_tokens integer, latency_ms double precision NOT NULL, streamed boolean NOT NULL,
            cost_usd double precision, attempts text NOT NULL, hash_version integer NOT NULL, prev_hash text NOT NULL, hash text NOT NULL,
            user_id text, input_text text, output_text text, de_identification text, redactions text, relates_to text, feedback text);
        CREATE INDEX ix_audit_records_timestamp ON audit_records ("timestamp");
        CREATE INDEX ix_audit_records_use_case_id ON audit_records (use_case_id);
        CREATE INDEX ix_audit_records_app_id ON audit_records (app_id);
        CREATE INDEX ix_audit_records_patient_pseudonym ON audit_records (patient_pseudonym);
        CREATE TABLE audit_chain_head (id integer PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL, hash text NOT NULL);
        INSERT INTO audit_chain_head VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
        CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'UPDATE' OR NEW.id <> OLD.id OR NEW.seq <= OLD.seq THEN RAISE EXCEPTION 'audit_chain_head only moves forward'; END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER audit_chain_head_forward_only BEFORE UPDATE OR DELETE ON audit_chain_head FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only();
        """;

    private const string Insert =
        "INSERT INTO audit_records (seq, id, \"timestamp\", trace_id, app_id, patient_pseudonym, use_case_id, risk_tier, decision, reasons, status_code, " +
        "provider, deployment, model, input_sha256, output_sha256, input_tokens, output_tokens, latency_ms, streamed, cost_usd, attempts, hash_version, " +
        "prev_hash, hash, user_id, input_text, output_text, de_identification, redactions, relates_to, feedback) VALUES " +
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)";

    private readonly NpgsqlDataSource _dataSource;
    private readonly AuditBatchWriter _writer;
    private readonly AuditChainHasher _hasher = new();
    private readonly AuditRecordIdGenerator _ids = new(TimeProvider.System);

    public SingleChainBaseline(string connectionString, int maxBatchSize, int commitTimeoutSeconds)
    {
        // The same session bounds as the store's writer sessions.
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var milliseconds = (commitTimeoutSeconds * 1000).ToString(CultureInfo.InvariantCulture);
        builder.ConnectionStringBuilder.Options = $"-c lock_timeout={milliseconds} -c idle_in_transaction_session_timeout={milliseconds} -c statement_timeout={milliseconds}";
        builder.ConnectionStringBuilder.CommandTimeout = commitTimeoutSeconds;
        _dataSource = builder.Build();
        _writer = new AuditBatchWriter(nameof(SingleChainBaseline), maxBatchSize, CommitBatchAsync, (_, _) => { }, TimeSpan.FromSeconds(commitTimeoutSeconds));
    }

    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        _writer.AppendAsync(AuditEntryGuard.Prepare(entry), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        _hasher.Dispose();
        await _dataSource.DisposeAsync();
    }

    private async Task<IReadOnlyList<AuditRecord>> CommitBatchAsync(IReadOnlyList<PendingAppend> batch, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        long sequence;
        string previousHash;
        await using (var head = new NpgsqlCommand("SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE", connection, transaction))
        await using (var reader = await head.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            sequence = reader.GetInt64(0);
            previousHash = reader.GetString(1);
        }

        var records = new List<AuditRecord>(batch.Count);
        await using var insert = new NpgsqlBatch(connection, transaction);
        foreach (var pending in batch)
        {
            sequence++;
            var id = _ids.Next();
            var entry = pending.Entry;
            var hash = _hasher.ComputeHash(AuditChainHasher.CurrentVersion, id, sequence, entry, previousHash);
            var command = new NpgsqlBatchCommand(Insert);
            var p = command.Parameters;
            Add(p, NpgsqlDbType.Bigint, sequence);
            Add(p, NpgsqlDbType.Text, id);
            Add(p, NpgsqlDbType.Text, AuditChainHasher.FormatTimestamp(entry.Timestamp));
            Add(p, NpgsqlDbType.Text, entry.TraceId);
            Add(p, NpgsqlDbType.Text, entry.AppId);
            Add(p, NpgsqlDbType.Text, entry.PatientPseudonym);
            Add(p, NpgsqlDbType.Text, entry.UseCaseId);
            Add(p, NpgsqlDbType.Integer, entry.RiskTier);
            Add(p, NpgsqlDbType.Text, entry.Decision);
            Add(p, NpgsqlDbType.Text, entry.Reasons);
            Add(p, NpgsqlDbType.Integer, entry.StatusCode);
            Add(p, NpgsqlDbType.Text, entry.Provider);
            Add(p, NpgsqlDbType.Text, entry.Deployment);
            Add(p, NpgsqlDbType.Text, entry.Model);
            Add(p, NpgsqlDbType.Text, entry.InputSha256);
            Add(p, NpgsqlDbType.Text, entry.OutputSha256);
            Add(p, NpgsqlDbType.Integer, entry.InputTokens);
            Add(p, NpgsqlDbType.Integer, entry.OutputTokens);
            Add(p, NpgsqlDbType.Double, entry.LatencyMs);
            Add(p, NpgsqlDbType.Boolean, entry.Streamed);
            Add(p, NpgsqlDbType.Double, entry.CostUsd);
            Add(p, NpgsqlDbType.Text, AuditAttemptsJson.Write(entry.Attempts));
            Add(p, NpgsqlDbType.Integer, AuditChainHasher.CurrentVersion);
            Add(p, NpgsqlDbType.Text, previousHash);
            Add(p, NpgsqlDbType.Text, hash);
            Add(p, NpgsqlDbType.Text, entry.UserId);
            Add(p, NpgsqlDbType.Text, entry.InputText);
            Add(p, NpgsqlDbType.Text, entry.OutputText);
            Add(p, NpgsqlDbType.Text, entry.DeIdentification);
            Add(p, NpgsqlDbType.Text, entry.Redactions);
            Add(p, NpgsqlDbType.Text, entry.RelatesTo);
            Add(p, NpgsqlDbType.Text, entry.Feedback);
            insert.BatchCommands.Add(command);
            records.Add(new AuditRecord(id, sequence, entry, previousHash, hash));
            previousHash = hash;
        }

        var update = new NpgsqlBatchCommand("UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1");
        Add(update.Parameters, NpgsqlDbType.Bigint, sequence);
        Add(update.Parameters, NpgsqlDbType.Text, previousHash);
        insert.BatchCommands.Add(update);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return records;
    }

    private static void Add(NpgsqlParameterCollection parameters, NpgsqlDbType type, object? value) =>
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = value ?? DBNull.Value });
}
