using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace XefAI.Governance;

/// <summary>
/// Verifies a PostgreSQL audit trail of one chain per writer: the checkpoints' own chain, every writer's chain up to
/// where each checkpoint binds it, each checkpoint's count of every chain's records, then each chain on to the end
/// its row in <c>audit_chains</c> names. One walk; not thread-safe.
/// </summary>
/// <remarks>
/// Memory stays bounded whatever the trail's length: a page of records and one cursor per chain. No transaction
/// stays open: checkpointed records never change, and a record past a chain's end is only reported once a fresh
/// read of the end confirms it. An incremental walk starts from the last checkpoint an earlier walk proved, after
/// checking that checkpoint still has the hash that walk saw.
/// </remarks>
internal sealed class PostgresAuditVerifier : IDisposable
{
    private const int RecordPage = AuditWalkPace.RecordPage;
    private const int CheckpointPage = 200;

    private readonly NpgsqlDataSource _dataSource;
    private readonly AuditVerificationRequest _request;
    private readonly TimeProvider _time;
    private readonly AuditWalkPace _pace;
    private readonly AuditChainHasher _hasher = new();
    private readonly Dictionary<string, ChainCursor> _chains = new(StringComparer.Ordinal);

    private AuditChainEnd[] _provedAtCheckpoint = [];

    public PostgresAuditVerifier(NpgsqlDataSource dataSource, AuditVerificationRequest request, TimeProvider time)
    {
        _pace = new AuditWalkPace(request, time);
        _dataSource = dataSource;
        _request = request;
        _time = time;
    }

    public void Dispose() => _hasher.Dispose();

    public async Task<AuditChainVerification> RunAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        long? resumedFrom = null;
        long? lastCheckpoint = null;
        var previousHash = AuditCheckpoints.EmptyHash;
        if (_request.Mode == AuditVerificationMode.Incremental && await ReadLastVerifiedAsync(connection, cancellationToken) is { } mark)
        {
            var resumed = await ReadCheckpointAsync(connection, mark.Checkpoint, cancellationToken);
            if (resumed is null)
            {
                return Broken(null, $"Checkpoint {mark.Checkpoint}, which an earlier verification proved, is missing: it was deleted.");
            }

            if (!string.Equals(resumed.Hash, mark.Hash, StringComparison.Ordinal))
            {
                return Broken(null, $"Checkpoint {mark.Checkpoint} is not the checkpoint an earlier verification proved: it was rewritten.");
            }

            if (CheckCheckpoint(resumed, out _) is { } problem)
            {
                return Broken(null, problem);
            }

            AuditChainEnd[] provedEnds;
            try
            {
                provedEnds = AuditCheckpoints.ParseEnds(mark.Ends);
            }
            catch (FormatException ex)
            {
                return Broken(null, $"The chain ends an earlier verification proved at checkpoint {mark.Checkpoint} cannot be read ({ex.Message}): they were altered. Run a full verification.");
            }

            foreach (var end in provedEnds)
            {
                _chains.Add(end.Chain, new ChainCursor(end.Chain) { Sequence = end.Sequence, Hash = end.Hash });
            }

            if (Proved() != resumed.Records)
            {
                return Broken(null, $"The chain ends an earlier verification proved at checkpoint {mark.Checkpoint} do not add up to the {resumed.Records} records it counts: they were altered. Run a full verification.");
            }

            previousHash = resumed.Hash;
            resumedFrom = lastCheckpoint = resumed.Sequence;
        }

        var provedChanged = false;
        _pace.ToCheck = Math.Max(0, await CountRecordsAsync(connection, cancellationToken) - Proved());
        _pace.Report();

        // The checkpoints, each with every chain walked up to where it binds it.
        while (true)
        {
            var page = await ReadCheckpointsAfterAsync(connection, lastCheckpoint ?? 0, cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var checkpoint in page)
            {
                var expected = (lastCheckpoint ?? 0) + 1;
                if (checkpoint.Sequence != expected)
                {
                    return Broken(null, $"Checkpoint {expected.ToString(CultureInfo.InvariantCulture)} is missing: checkpoint {checkpoint.Sequence.ToString(CultureInfo.InvariantCulture)} follows checkpoint {(expected - 1).ToString(CultureInfo.InvariantCulture)}. It was deleted.");
                }

                if (!string.Equals(checkpoint.PreviousHash, previousHash, StringComparison.Ordinal))
                {
                    return Broken(null, $"Checkpoint {checkpoint.Sequence.ToString(CultureInfo.InvariantCulture)} does not link to the hash of the checkpoint before it: that checkpoint was removed or rewritten.");
                }

                if (CheckCheckpoint(checkpoint, out var ends) is { } problem)
                {
                    return Broken(null, problem);
                }

                var name = checkpoint.Sequence.ToString(CultureInfo.InvariantCulture);
                if (await CheckEndsAsync(connection, ends, $"checkpoint {name}", complete: false, cancellationToken) is { } broken)
                {
                    return broken;
                }

                // A chain it does not name kept the end an earlier checkpoint bound; so all of them add up to its count.
                if (Proved() != checkpoint.Records)
                {
                    return Broken(null, $"Checkpoint {name} counts {checkpoint.Records.ToString(CultureInfo.InvariantCulture)} records in all chains, but the chains bound so far hold {Proved().ToString(CultureInfo.InvariantCulture)}: a chain was left out, or the count altered.");
                }

                _pace.CheckpointChecked();
                previousHash = checkpoint.Hash;
                lastCheckpoint = checkpoint.Sequence;
                provedChanged = true;
            }
        }

        // Every chain's end as the last checkpoint left it, before the walk goes on past it.
        if (provedChanged)
        {
            _provedAtCheckpoint = [.. _chains.Values.Select(cursor => new AuditChainEnd(cursor.Chain, cursor.Sequence, cursor.Hash))];
        }

        // Records since the last checkpoint: only each chain's row in audit_chains vouches for their end. The chains
        // the records name are read before the rows, so a chain started meanwhile has its row by the time it is read.
        var recordChains = await ReadRecordChainsAsync(connection, cancellationToken);
        var rows = await ReadChainEndsAsync(connection, cancellationToken);
        var byChain = rows.ToDictionary(row => row.Chain, StringComparer.Ordinal);
        foreach (var chain in recordChains)
        {
            if (!byChain.ContainsKey(chain))
            {
                return Broken(null, $"Records name chain {chain}, which has no row in audit_chains: they were not appended through the store, or the chain's row was deleted.");
            }
        }

        if (await CheckEndsAsync(connection, rows, "audit_chains", complete: true, cancellationToken) is { } tail)
        {
            return tail;
        }

        foreach (var row in rows)
        {
            if (await FindBeyondAsync(connection, row, cancellationToken) is { } beyond)
            {
                return beyond;
            }
        }

        if (lastCheckpoint is { } proved && proved != resumedFrom)
        {
            await RecordVerifiedAsync(connection, proved, previousHash, cancellationToken);
        }

        _pace.Report();
        return new AuditChainVerification(true, Proved())
        {
            Chains = _chains.Count,
            Checkpoint = lastCheckpoint,
            ResumedFrom = resumedFrom,
            Checked = _pace.Checked,
        };
    }

    private long Proved()
    {
        var records = 0L;
        foreach (var cursor in _chains.Values)
        {
            records += cursor.Sequence;
        }

        return records;
    }

    private AuditChainVerification Broken(string? record, string problem) =>
        new(false, Proved(), record, problem) { Chains = _chains.Count, Checked = _pace.Checked };

    // A checkpoint must hold together on its own: readable ends, the root they make, and the hash over it all.
    private static string? CheckCheckpoint(CheckpointRow checkpoint, out AuditChainEnd[] ends)
    {
        var name = checkpoint.Sequence.ToString(CultureInfo.InvariantCulture);
        try
        {
            ends = AuditCheckpoints.ParseEnds(checkpoint.Ends);
        }
        catch (FormatException ex)
        {
            ends = [];
            return $"Checkpoint {name} cannot be read: {ex.Message}";
        }

        if (!string.Equals(AuditCheckpoints.MerkleRoot(ends), checkpoint.Root, StringComparison.Ordinal))
        {
            return $"Checkpoint {name}'s root does not match the chain ends it lists: they, or the root, were altered.";
        }

        if (!string.Equals(AuditCheckpoints.ComputeHash(checkpoint.Sequence, checkpoint.Timestamp, ends, checkpoint.Records, checkpoint.Root, checkpoint.PreviousHash), checkpoint.Hash, StringComparison.Ordinal))
        {
            return $"Checkpoint {name} does not match its hash: it was altered.";
        }

        return null;
    }

    // No chain moves back, and its records must lead to the hash bound; when the ends are every chain's
    // (complete), every chain bound before must be among them.
    private async Task<AuditChainVerification?> CheckEndsAsync(
        NpgsqlConnection connection, IReadOnlyList<AuditChainEnd> ends, string binder, bool complete, CancellationToken cancellationToken)
    {
        if (complete)
        {
            var named = new HashSet<string>(StringComparer.Ordinal);
            foreach (var end in ends)
            {
                named.Add(end.Chain);
            }

            foreach (var cursor in _chains.Values)
            {
                if (!named.Contains(cursor.Chain))
                {
                    return Broken(null, $"Chain {cursor.Chain}, bound up to seq {cursor.Sequence.ToString(CultureInfo.InvariantCulture)} before, is missing from {binder}: the chain was dropped.");
                }
            }
        }

        foreach (var end in ends)
        {
            if (!_chains.TryGetValue(end.Chain, out var cursor))
            {
                cursor = new ChainCursor(end.Chain);
                _chains.Add(end.Chain, cursor);
            }

            if (end.Sequence < cursor.Sequence)
            {
                return Broken(null, $"{Capitalized(binder)} puts the end of chain {end.Chain} at seq {end.Sequence.ToString(CultureInfo.InvariantCulture)}, behind seq {cursor.Sequence.ToString(CultureInfo.InvariantCulture)} where it was bound before: records at its end were removed.");
            }

            if (await WalkAsync(connection, cursor, end.Sequence, binder, cancellationToken) is { } broken)
            {
                return broken;
            }

            if (!string.Equals(cursor.Hash, end.Hash, StringComparison.Ordinal))
            {
                return cursor.LastId is null
                    ? Broken(null, $"Chain {end.Chain} has no records but {binder} names a record's hash for it: it was rewritten.")
                    : Broken(cursor.LastId, $"Record {cursor.LastId} ({Position(cursor.Chain, cursor.Sequence)}) is not the record {binder} names as the chain's end: it, or {binder}, was rewritten.");
            }
        }

        return null;
    }

    // Walks a chain from its cursor to a position, checking every record's place, link, form and hash.
    private async Task<AuditChainVerification?> WalkAsync(
        NpgsqlConnection connection, ChainCursor cursor, long target, string binder, CancellationToken cancellationToken)
    {
        var legacy = cursor.Chain == PostgresAuditSchema.LegacyChain;
        while (cursor.Sequence < target)
        {
            var any = false;
            await using (var command = new NpgsqlCommand(legacy ? PostgresAuditSchema.SelectLegacyPage : PostgresAuditSchema.SelectChainPage, connection))
            {
                if (!legacy)
                {
                    command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = cursor.Chain });
                }

                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = cursor.Sequence });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = target });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = RecordPage });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    any = true;
                    if (CheckRecord(reader, cursor, legacy) is { } broken)
                    {
                        return broken;
                    }

                    _pace.RecordChecked();
                }
            }

            if (!any && cursor.Sequence == 0)
            {
                return Broken(null, $"Chain {cursor.Chain} has no records but {binder} puts its end at seq {target.ToString(CultureInfo.InvariantCulture)}: the chain was dropped.");
            }

            if (!any)
            {
                return Broken(null, $"Chain {cursor.Chain} ends at seq {cursor.Sequence.ToString(CultureInfo.InvariantCulture)} but {binder} puts its end at seq {target.ToString(CultureInfo.InvariantCulture)}: records at its end were removed.");
            }

            await _pace.PageDoneAsync(cancellationToken);
        }

        return null;
    }

    private AuditChainVerification? CheckRecord(NpgsqlDataReader reader, ChainCursor cursor, bool legacy)
    {
        var id = PostgresAuditSchema.ReadId(reader);
        var position = PostgresAuditSchema.ReadChainSequence(reader);
        var where = Position(cursor.Chain, position);
        long version;
        AuditRecord record;
        try
        {
            // Checked before the rest is read: a form this gateway does not know may store fields differently.
            version = PostgresAuditSchema.ReadHashVersion(reader);
            if (!AuditChainHasher.IsKnownVersion(version))
            {
                return Broken(id, $"Record {id} ({where}) has hash version {version.ToString(CultureInfo.InvariantCulture)}, which this gateway does not know: it cannot be verified.");
            }

            record = PostgresAuditSchema.ReadRecord(reader);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or InvalidOperationException or OverflowException)
        {
            return Broken(id, $"Record {id} ({where}) cannot be read: {ex.Message}");
        }

        // A writer's chain is hashed with the form that names it; the legacy chain with the forms before it.
        if ((version == AuditChainHasher.ChainedVersion) == legacy)
        {
            return Broken(id, $"Record {id} ({where}) has hash version {version.ToString(CultureInfo.InvariantCulture)}, which records of its chain are never written with: it was altered.");
        }

        var expected = cursor.Sequence + 1;
        if (position != expected)
        {
            return Broken(id, $"Record {id} has seq {position.ToString(CultureInfo.InvariantCulture)} in chain {cursor.Chain} where {expected.ToString(CultureInfo.InvariantCulture)} was expected: a record before it is missing.");
        }

        if (!string.Equals(record.PreviousHash, cursor.Hash, StringComparison.Ordinal))
        {
            return Broken(id, $"Record {id} ({where}) does not link to the hash of the record before it: that record was removed, reordered or rewritten.");
        }

        if (AuditChainHasher.UncoveredField(version, record.Entry) is { } uncovered)
        {
            return Broken(id, $"Record {id} ({where}) holds {uncovered}, which its hash version {version.ToString(CultureInfo.InvariantCulture)} does not cover: its contents were altered.");
        }

        var hash = _hasher.ComputeHash((int)version, id, position, record.Entry, record.PreviousHash, legacy ? null : cursor.Chain);
        if (!string.Equals(hash, record.Hash, StringComparison.Ordinal))
        {
            return Broken(id, $"Record {id} ({where}) does not match its hash: its contents were altered.");
        }

        cursor.Sequence = position;
        cursor.Hash = record.Hash;
        cursor.LastId = id;
        return null;
    }

    // A record past the chain's end was not appended through the store, unless the end moved on since it was read.
    private async Task<AuditChainVerification?> FindBeyondAsync(NpgsqlConnection connection, AuditChainEnd end, CancellationToken cancellationToken)
    {
        var legacy = end.Chain == PostgresAuditSchema.LegacyChain;
        string id;
        long position;
        await using (var command = new NpgsqlCommand(legacy ? PostgresAuditSchema.SelectBeyondLegacy : PostgresAuditSchema.SelectBeyondChain, connection))
        {
            if (!legacy)
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = end.Chain });
            }

            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = end.Sequence });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            id = reader.GetString(0);
            position = reader.GetInt64(1);
        }

        await using (var command = new NpgsqlCommand(PostgresAuditSchema.SelectChain, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = end.Chain });
            if (await command.ExecuteScalarAsync(cancellationToken) is long now && now >= position)
            {
                return null;
            }
        }

        return Broken(id, $"Record {id} ({Position(end.Chain, position)}) lies beyond the chain's end (seq {end.Sequence.ToString(CultureInfo.InvariantCulture)}): it was not appended through the store.");
    }

    private static string Position(string chain, long position) =>
        $"chain {chain}, seq {position.ToString(CultureInfo.InvariantCulture)}";

    private static string Capitalized(string text) => string.Concat(text[..1].ToUpperInvariant(), text[1..]);

    private static async Task<(long Checkpoint, string Hash, string Ends)?> ReadLastVerifiedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgresAuditSchema.SelectLastVerified, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetString(1), reader.GetString(2)) : null;
    }

    private async Task RecordVerifiedAsync(NpgsqlConnection connection, long checkpoint, string hash, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgresAuditSchema.InsertVerified, connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = checkpoint });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = hash });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = AuditChainHasher.FormatTimestamp(_time.GetUtcNow()) });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Boolean, Value = _request.Mode == AuditVerificationMode.Full });

        // Every chain's end at that checkpoint, so the next walk resumes without reading every checkpoint before.
        var ends = AuditCheckpoints.Sorted(_provedAtCheckpoint);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = AuditCheckpoints.WriteEnds(ends) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<CheckpointRow?> ReadCheckpointAsync(NpgsqlConnection connection, long sequence, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgresAuditSchema.SelectCheckpoint, connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = sequence });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? CheckpointRow.Read(reader) : null;
    }

    private static async Task<List<CheckpointRow>> ReadCheckpointsAfterAsync(NpgsqlConnection connection, long sequence, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgresAuditSchema.SelectCheckpointsAfter, connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = sequence });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = CheckpointPage });
        var page = new List<CheckpointRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add(CheckpointRow.Read(reader));
        }

        return page;
    }

    private static async Task<List<string>> ReadRecordChainsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgresAuditSchema.SelectRecordChains, connection);
        var chains = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            chains.Add(reader.GetString(0));
        }

        return chains;
    }

    /// <summary>Every chain's row, sorted by chain id.</summary>
    internal static async Task<List<AuditChainEnd>> ReadChainEndsAsync(NpgsqlConnection connection, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
    {
        await using var command = new NpgsqlCommand(PostgresAuditSchema.SelectChainEnds, connection, transaction);
        var ends = new List<AuditChainEnd>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ends.Add(new AuditChainEnd(reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
        }

        return ends;
    }

    private static async Task<long> CountRecordsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var records = 0L;
        foreach (var end in await ReadChainEndsAsync(connection, cancellationToken))
        {
            records += end.Sequence;
        }

        return records;
    }

    private sealed class ChainCursor(string chain)
    {
        public string Chain { get; } = chain;

        public long Sequence { get; set; }

        public string Hash { get; set; } = AuditChainHasher.GenesisHash;

        public string? LastId { get; set; }
    }

    private sealed record CheckpointRow(long Sequence, string Timestamp, string Ends, long Records, string Root, string PreviousHash, string Hash)
    {
        public static CheckpointRow Read(NpgsqlDataReader reader) =>
            new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5), reader.GetString(6));
    }
}
