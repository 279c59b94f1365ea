using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;
using XefAI.Governance;

namespace XefAI.AuditStore.Benchmarks;

/// <summary>
/// Fills an audit schema with a trail the store could have written, fast: one binary COPY per chain in parallel,
/// each record hashed with <see cref="AuditChainHasher"/> version 5 and linked to the one before it in its chain
/// exactly as the store links them, the fleet-wide <c>seq</c> interleaving the chains, each chain's row in
/// <c>audit_chains</c>, and a checkpoint (<see cref="AuditCheckpoints"/>) every <c>checkpointEvery</c> records.
/// The secondary indexes are dropped for the load and rebuilt by the store's own DDL after it.
/// </summary>
internal static class TrailFiller
{
    private static readonly DateTimeOffset Base = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task FillAsync(string connectionString, long records, int chains, long checkpointEvery)
    {
        await using var admin = BenchServer.Admin(connectionString);
        await ExecuteAsync(admin, PostgresAuditSchema.Create);
        await ExecuteAsync(admin, "DROP INDEX ix_audit_records_timestamp, ix_audit_records_use_case_id, ix_audit_records_app_id, ix_audit_records_patient_pseudonym, ux_audit_records_chain");

        var clock = Stopwatch.StartNew();
        var step = checkpointEvery / chains;
        var ids = Enumerable.Range(0, chains)
            .Select(c => $"fill{c.ToString(CultureInfo.InvariantCulture)}-20260101T000000Z-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}")
            .ToArray();
        var lengths = Enumerable.Range(0, chains).Select(c => (records / chains) + (c < records % chains ? 1 : 0)).ToArray();
        var marks = await Task.WhenAll(Enumerable.Range(0, chains).Select(c => Task.Run(() => CopyChainAsync(connectionString, ids[c], c, chains, lengths[c], step))));
        Console.WriteLine($"# filled {records:N0} records in {chains} chains: COPY {clock.Elapsed.TotalSeconds:N0} s ({records / clock.Elapsed.TotalSeconds:N0} records/s)");

        // Checkpoints: every chain bound at each step, then once more at every chain's end.
        var sequence = 0L;
        var previous = AuditCheckpoints.EmptyHash;
        var shortest = lengths.Min();
        async Task CheckpointAsync(AuditChainEnd[] ends)
        {
            sequence++;
            var sorted = AuditCheckpoints.Sorted(ends);
            var timestamp = AuditChainHasher.FormatTimestamp(Base.AddSeconds(sequence * 10));
            var root = AuditCheckpoints.MerkleRoot(sorted);
            // Every chain moves between steps, so each checkpoint names them all, and they hold every record.
            var total = AuditCheckpoints.Records(sorted);
            var hash = AuditCheckpoints.ComputeHash(sequence, timestamp, sorted, total, root, previous);
            await using var connection = await admin.OpenConnectionAsync();
            await using var insert = new NpgsqlBatch(connection);
            foreach (var command in PostgresAuditSchema.CreateCheckpoint(sequence, timestamp, sorted, total, root, previous, hash))
            {
                insert.BatchCommands.Add(command);
            }

            await insert.ExecuteNonQueryAsync();
            previous = hash;
        }

        for (var position = step; position < shortest; position += step)
        {
            await CheckpointAsync([.. Enumerable.Range(0, chains).Select(c => new AuditChainEnd(ids[c], position, marks[c][position]))]);
        }

        var ends = Enumerable.Range(0, chains).Select(c => new AuditChainEnd(ids[c], lengths[c], marks[c][lengths[c]])).ToArray();
        await CheckpointAsync(ends);
        foreach (var end in ends)
        {
            await using var chain = admin.CreateCommand("INSERT INTO audit_chains (chain_id, instance, started_at, seq, hash) VALUES ($1, $2, $3, $4, $5)");
            chain.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = end.Chain });
            chain.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = end.Chain.Split('-')[0] });
            chain.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = AuditChainHasher.FormatTimestamp(Base) });
            chain.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = end.Sequence });
            chain.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = end.Hash });
            await chain.ExecuteNonQueryAsync();
        }

        await ExecuteAsync(admin, "SELECT setval('audit_records_seq', (SELECT max(seq) FROM audit_records) + 1, false)");
        var indexes = Stopwatch.StartNew();
        await ExecuteAsync(admin, "SET maintenance_work_mem = '512MB'; " + PostgresAuditSchema.Create);
        Console.WriteLine($"# {sequence} checkpoints; indexes rebuilt in {indexes.Elapsed.TotalSeconds:N0} s");

        // What a trail in service has had done to it: hint bits set and statistics gathered, the dirty pages flushed.
        var vacuum = Stopwatch.StartNew();
        await ExecuteAsync(admin, "VACUUM (ANALYZE) audit_records");
        await ExecuteAsync(admin, "CHECKPOINT");
        await using var size = admin.CreateCommand("SELECT pg_size_pretty(pg_database_size(current_database()))");
        Console.WriteLine($"# vacuum and checkpoint {vacuum.Elapsed.TotalSeconds:N0} s; fill total {clock.Elapsed.TotalSeconds:N0} s; database {await size.ExecuteScalarAsync()}");
    }

    public static async Task ExecuteAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }

    // One chain's records in one COPY; returns its hash at every checkpoint step and at its end.
    private static async Task<Dictionary<long, string>> CopyChainAsync(string connectionString, string chain, int index, int chains, long length, long step)
    {
        var marks = new Dictionary<long, string>();
        using var hasher = new AuditChainHasher();
        var ids = new AuditRecordIdGenerator(TimeProvider.System);
        var previous = AuditChainHasher.GenesisHash;
        await using var source = BenchServer.Admin(connectionString);
        await using var connection = await source.OpenConnectionAsync();
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY audit_records ({PostgresAuditSchema.Columns}) FROM STDIN (FORMAT BINARY)"))
        {
            copy.Timeout = TimeSpan.Zero;
            for (var position = 1L; position <= length; position++)
            {
                var seq = ((position - 1) * chains) + index + 1;
                var entry = AuditEntryGuard.Prepare(SyntheticEntries.Create(seq, Base.AddMilliseconds(seq)));
                var id = ids.Next();
                var hash = hasher.ComputeHash(AuditChainHasher.ChainedVersion, id, position, entry, previous, chain);
                await copy.StartRowAsync();
                await copy.WriteAsync(seq, NpgsqlDbType.Bigint);
                await copy.WriteAsync(id, NpgsqlDbType.Text);
                await copy.WriteAsync(AuditChainHasher.FormatTimestamp(entry.Timestamp), NpgsqlDbType.Text);
                await copy.WriteAsync(entry.TraceId, NpgsqlDbType.Text);
                await WriteAsync(copy, entry.AppId);
                await WriteAsync(copy, entry.PatientPseudonym);
                await WriteAsync(copy, entry.UseCaseId);
                await WriteAsync(copy, entry.RiskTier);
                await copy.WriteAsync(entry.Decision, NpgsqlDbType.Text);
                await WriteAsync(copy, entry.Reasons);
                await copy.WriteAsync(entry.StatusCode, NpgsqlDbType.Integer);
                await WriteAsync(copy, entry.Provider);
                await WriteAsync(copy, entry.Deployment);
                await WriteAsync(copy, entry.Model);
                await WriteAsync(copy, entry.InputSha256);
                await WriteAsync(copy, entry.OutputSha256);
                await WriteAsync(copy, entry.InputTokens);
                await WriteAsync(copy, entry.OutputTokens);
                await copy.WriteAsync(entry.LatencyMs, NpgsqlDbType.Double);
                await copy.WriteAsync(entry.Streamed, NpgsqlDbType.Boolean);
                if (entry.CostUsd is { } cost)
                {
                    await copy.WriteAsync(cost, NpgsqlDbType.Double);
                }
                else
                {
                    await copy.WriteNullAsync();
                }

                await copy.WriteAsync(AuditAttemptsJson.Write(entry.Attempts), NpgsqlDbType.Text);
                await copy.WriteAsync(AuditChainHasher.ChainedVersion, NpgsqlDbType.Integer);
                await copy.WriteAsync(previous, NpgsqlDbType.Text);
                await copy.WriteAsync(hash, NpgsqlDbType.Text);
                await WriteAsync(copy, entry.UserId);
                await WriteAsync(copy, entry.InputText);
                await WriteAsync(copy, entry.OutputText);
                await WriteAsync(copy, entry.DeIdentification);
                await WriteAsync(copy, entry.Redactions);
                await WriteAsync(copy, entry.RelatesTo);
                await WriteAsync(copy, entry.Feedback);
                await copy.WriteAsync(chain, NpgsqlDbType.Text);
                await copy.WriteAsync(position, NpgsqlDbType.Bigint);
                previous = hash;
                if (position % step == 0 || position == length)
                {
                    marks[position] = hash;
                }
            }

            await copy.CompleteAsync();
        }

        return marks;
    }

    private static Task WriteAsync(NpgsqlBinaryImporter copy, string? value) =>
        value is null ? copy.WriteNullAsync() : copy.WriteAsync(value, NpgsqlDbType.Text);

    private static Task WriteAsync(NpgsqlBinaryImporter copy, int? value) =>
        value is { } number ? copy.WriteAsync(number, NpgsqlDbType.Integer) : copy.WriteNullAsync();
}
