using System.Data;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace XefAI.Governance;

/// <summary>
/// The audit store several gateway replicas share: one hash chain in PostgreSQL, append-only. Each process
/// group-commits the appends waiting in it, and a batch locks the chain's head row for its transaction, so
/// replicas take turns once per batch rather than once per record.
/// </summary>
internal sealed partial class PostgresAuditStore : IAuditStore, IAsyncDisposable, IDisposable
{
    public const string StoreKind = "postgres";

    private const int MaxQueryLimit = 1000;

    private readonly string? _connectionString;
    private readonly string _server;
    private readonly int _maxBatchSize;
    private readonly ILogger<PostgresAuditStore> _logger;
    private readonly AuditRecordIdGenerator _ids;
    private readonly Lazy<NpgsqlDataSource> _dataSource;
    private readonly Channel<PendingAppend> _queue =
        Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _initializeLock = new(1, 1);
    private readonly Lazy<Task> _writer;

    private volatile bool _initialized;
    private long _committedBatches;
    private int _disposed;

    // No I/O here, and no failure when unconfigured: every scanned store is constructed, selected or not.
    public PostgresAuditStore(IOptions<AuditOptions> options, TimeProvider timeProvider, ILogger<PostgresAuditStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var audit = options.Value;
        _connectionString = audit.Postgres?.ConnectionString;
        _server = DescribeServer(_connectionString);
        _maxBatchSize = audit.MaxBatchSize;
        _logger = logger;
        _ids = new AuditRecordIdGenerator(timeProvider);
        _dataSource = new Lazy<NpgsqlDataSource>(CreateDataSource);
        _writer = new Lazy<Task>(() => Task.Run(RunWriterAsync));
    }

    public string Kind => StoreKind;

    /// <summary>Transactions this process committed; fewer than appends when group commit works.</summary>
    internal long CommittedBatches => Interlocked.Read(ref _committedBatches);

    public async ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        entry = AuditEntryGuard.Prepare(entry);
        PostgresAuditSchema.RejectNulCharacters(entry);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);

        _ = _writer.Value;
        var pending = new PendingAppend(entry);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(PostgresAuditStore));
        }

        // Cancelling only withdraws an entry still queued; once in a batch the commit decides the outcome.
        using var registration = cancellationToken.UnsafeRegister(
            static (state, token) => ((PendingAppend)state!).TryCancel(token),
            pending);
        return await pending.Task;
    }

    public async ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();

        var sql = new StringBuilder(PostgresAuditSchema.SelectColumns);
        var conjunction = " WHERE ";
        void Filter(string condition, NpgsqlDbType type, object? value)
        {
            if (value is null)
            {
                return;
            }

            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = value });
            sql.Append(conjunction).Append(condition).Append(Placeholder(command.Parameters.Count));
            conjunction = " AND ";
        }

        // Half-open time range [From, To); the canonical UTC strings sort as the instants they name.
        Filter("\"timestamp\" >= ", NpgsqlDbType.Text, query.From is { } from ? AuditChainHasher.FormatTimestamp(from) : null);
        Filter("\"timestamp\" < ", NpgsqlDbType.Text, query.To is { } to ? AuditChainHasher.FormatTimestamp(to) : null);
        Filter("use_case_id = ", NpgsqlDbType.Text, query.UseCaseId);
        Filter("app_id = ", NpgsqlDbType.Text, query.AppId);
        Filter("patient_pseudonym = ", NpgsqlDbType.Text, query.PatientPseudonym);
        var limit = Math.Clamp(query.Limit, 1, MaxQueryLimit);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = limit });
        sql.Append(" ORDER BY seq DESC LIMIT ").Append(Placeholder(command.Parameters.Count));
        command.CommandText = sql.ToString();

        var records = new List<AuditRecord>(Math.Min(limit, 64));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(PostgresAuditSchema.ReadRecord(reader));
        }

        return records;

        static string Placeholder(int position) => "$" + position.ToString(CultureInfo.InvariantCulture);
    }

    public async ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = new NpgsqlCommand(PostgresAuditSchema.SelectById, connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = id });

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? PostgresAuditSchema.ReadRecord(reader) : null;
    }

    /// <remarks>
    /// Walks the chain in one snapshot, streaming rows in seq order, then checks that it ends where the head
    /// row says: the chain alone cannot notice records removed from its end, or its last record rewritten
    /// with a recomputed hash. <see cref="AuditChainVerification.Records"/> counts the records found intact
    /// before the first broken one.
    /// </remarks>
    public async ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);

        // One snapshot for the head and every row, so appends committed meanwhile cannot tear the walk.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        long headSequence;
        string headHash;
        await using (var head = new NpgsqlCommand(PostgresAuditSchema.SelectHead, connection, transaction))
        await using (var headReader = await head.ExecuteReaderAsync(cancellationToken))
        {
            if (!await headReader.ReadAsync(cancellationToken))
            {
                return new AuditChainVerification(false, 0, Problem: "The audit_chain_head row is missing: it was deleted, so the chain's end cannot be checked.");
            }

            headSequence = headReader.GetInt64(0);
            headHash = headReader.GetString(1);
        }

        await using var command = new NpgsqlCommand(PostgresAuditSchema.SelectAscending, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        using var hasher = new AuditChainHasher();
        var expectedSequence = 1L;
        var expectedPrevious = AuditChainHasher.GenesisHash;
        var intact = 0L;
        string? lastId = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = PostgresAuditSchema.ReadId(reader);
            var sequence = PostgresAuditSchema.ReadSequence(reader);
            long version;
            AuditRecord record;
            try
            {
                // Checked before the rest is read: a form this gateway does not know may store fields differently.
                version = PostgresAuditSchema.ReadHashVersion(reader);
                if (!AuditChainHasher.IsKnownVersion(version))
                {
                    return Broken(intact, id, $"Record {id} (seq {sequence}) has hash version {version}, which this gateway does not know: it cannot be verified.");
                }

                record = PostgresAuditSchema.ReadRecord(reader);
            }
            catch (Exception ex) when (ex is FormatException or InvalidCastException or InvalidOperationException or OverflowException)
            {
                return Broken(intact, id, $"Record {id} (seq {sequence}) cannot be read: {ex.Message}");
            }

            if (sequence != expectedSequence)
            {
                return Broken(intact, id, $"Record {id} has seq {sequence} where {expectedSequence} was expected: a record before it is missing.");
            }

            if (!string.Equals(record.PreviousHash, expectedPrevious, StringComparison.Ordinal))
            {
                return Broken(intact, id, $"Record {id} (seq {sequence}) does not link to the hash of the record before it: that record was removed or rewritten.");
            }

            // A value its form does not cover was put there after the record was written.
            if (AuditChainHasher.UncoveredField(version, record.Entry) is { } uncovered)
            {
                return Broken(intact, id, $"Record {id} (seq {sequence}) holds {uncovered}, which its hash version {version} does not cover: its contents were altered.");
            }

            // Each record is hashed with the form it was written with, so a new form never breaks old records.
            if (!string.Equals(hasher.ComputeHash((int)version, id, sequence, record.Entry, record.PreviousHash), record.Hash, StringComparison.Ordinal))
            {
                return Broken(intact, id, $"Record {id} (seq {sequence}) does not match its hash: its contents were altered.");
            }

            if (sequence > headSequence)
            {
                return Broken(intact, id, $"Record {id} (seq {sequence}) lies beyond the chain head (seq {headSequence}): it was not appended through the store.");
            }

            intact++;
            expectedSequence = sequence + 1;
            expectedPrevious = record.Hash;
            lastId = id;
        }

        var lastSequence = expectedSequence - 1;
        if (lastSequence < headSequence)
        {
            return new AuditChainVerification(
                false,
                intact,
                Problem: $"The chain ends at seq {lastSequence} but its head records seq {headSequence}: records at its end were removed.");
        }

        if (!string.Equals(expectedPrevious, headHash, StringComparison.Ordinal))
        {
            return lastId is null
                ? new AuditChainVerification(false, 0, Problem: "The chain is empty but its head names a record's hash: the head was rewritten.")
                : Broken(intact - 1, lastId, $"Record {lastId} (seq {lastSequence}) is not the record the chain head names: it, or the head, was rewritten.");
        }

        return new AuditChainVerification(true, intact);

        static AuditChainVerification Broken(long intact, string? id, string problem) => new(false, intact, id, problem);
    }

    public async ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenReaderAsync(cancellationToken);
            await using var command = new NpgsqlCommand(PostgresAuditSchema.SelectHead, connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return true;
            }

            LogNotReady(_logger, _server, new InvalidDataException("The audit_chain_head row is missing; appends cannot find the chain's end."));
            return false;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or InvalidDataException or ArgumentException or TimeoutException)
        {
            LogNotReady(_logger, _server, ex);
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Entries already queued are still committed; the loop ends once the queue is empty.
        _queue.Writer.TryComplete();
        if (_writer.IsValueCreated)
        {
            await _writer.Value;
        }

        if (_dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync();
        }

        _initializeLock.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    // Host, port and database only: the connection string itself may hold a password.
    private static string DescribeServer(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "(no connection string)";
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database}";
        }
        catch (ArgumentException)
        {
            return "(invalid connection string)";
        }
    }

    private NpgsqlDataSource CreateDataSource()
    {
        if (string.IsNullOrWhiteSpace(_connectionString))
        {
            throw new InvalidOperationException("Audit:Postgres:ConnectionString is not set, so the postgres audit store cannot connect.");
        }

        var builder = new NpgsqlDataSourceBuilder(_connectionString);
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
        {
            // Lets a DBA tell the gateway's sessions apart in pg_stat_activity.
            builder.ConnectionStringBuilder.ApplicationName = "XefAI Gateway audit";
        }

        return builder.Build();
    }

    private async ValueTask<NpgsqlConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await EnsureInitializedAsync(cancellationToken);
        return await _dataSource.Value.OpenConnectionAsync(cancellationToken);
    }

    private async ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initializeLock.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
            {
                return;
            }

            await using var connection = await _dataSource.Value.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(PostgresAuditSchema.LockSchema, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);

            // A schema a DBA created ahead needs no DDL, so the gateway's role does not need the right to run it.
            command.CommandText = PostgresAuditSchema.IsComplete;
            if (await command.ExecuteScalarAsync(cancellationToken) is not true)
            {
                command.CommandText = PostgresAuditSchema.Create;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            command.CommandText = PostgresAuditSchema.SeedHead;
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            _initialized = true;
        }
        finally
        {
            _initializeLock.Release();
        }
    }

    private async Task RunWriterAsync()
    {
        var batch = new List<PendingAppend>(_maxBatchSize);
        var records = new List<AuditRecord>(_maxBatchSize);
        using var hasher = new AuditChainHasher();
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatchSize && _queue.Reader.TryRead(out var pending))
            {
                if (pending.TryClaim())
                {
                    batch.Add(pending);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await EnsureInitializedAsync(CancellationToken.None);
                await CommitAsync(batch, records, hasher);
                Interlocked.Increment(ref _committedBatches);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].TrySetResult(records[i]);
                }
            }
            catch (Exception ex)
            {
                // The writer must outlive any failure. Nothing of the chain is cached here: the next batch
                // reads the head again, which is the truth even after a commit whose outcome is unknown.
                LogBatchFailed(_logger, batch.Count, _server, ex);
                foreach (var pending in batch)
                {
                    pending.TrySetException(new AuditUnavailableException(
                        "The audit store could not commit the audit record; the call must not be answered.", ex));
                }
            }
            finally
            {
                batch.Clear();
                records.Clear();
            }
        }
    }

    /// <summary>
    /// One transaction: lock the head, chain the batch onto it, insert the records and move the head, all
    /// sent in one round trip after the lock; the lock is held until the commit.
    /// </summary>
    private async Task CommitAsync(List<PendingAppend> batch, List<AuditRecord> records, AuditChainHasher hasher)
    {
        await using var connection = await _dataSource.Value.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted);

        long sequence;
        string previousHash;
        await using (var head = new NpgsqlCommand(PostgresAuditSchema.LockHead, connection, transaction))
        await using (var reader = await head.ExecuteReaderAsync())
        {
            if (!await reader.ReadAsync())
            {
                throw new InvalidDataException(
                    "The audit_chain_head row is missing, so the chain's end is unknown. Verify the chain; restarting the gateway seeds the head from its last record.");
            }

            sequence = reader.GetInt64(0);
            previousHash = reader.GetString(1);
        }

        await using var insert = new NpgsqlBatch(connection, transaction);
        foreach (var pending in batch)
        {
            sequence++;
            var id = _ids.Next();
            var hash = hasher.ComputeHash(AuditChainHasher.CurrentVersion, id, sequence, pending.Entry, previousHash);
            insert.BatchCommands.Add(PostgresAuditSchema.CreateInsert(sequence, id, pending.Entry, AuditChainHasher.CurrentVersion, previousHash, hash));
            records.Add(new AuditRecord(id, sequence, pending.Entry, previousHash, hash));
            previousHash = hash;
        }

        insert.BatchCommands.Add(PostgresAuditSchema.CreateUpdateHead(sequence, previousHash));
        await insert.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit store could not commit {Count} records to PostgreSQL at {Server}; those calls are refused.")]
    private static partial void LogBatchFailed(ILogger logger, int count, string server, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The PostgreSQL audit store at {Server} is not ready.")]
    private static partial void LogNotReady(ILogger logger, string server, Exception exception);

    /// <summary>One queued append; the writer completes it with the committed record or a failure.</summary>
    private sealed class PendingAppend(AuditEntry entry)
        : TaskCompletionSource<AuditRecord>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private const int Queued = 0;
        private const int Claimed = 1;
        private const int Withdrawn = 2;

        private int _state;

        public AuditEntry Entry { get; } = entry;

        public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued;

        public void TryCancel(CancellationToken cancellationToken)
        {
            if (Interlocked.CompareExchange(ref _state, Withdrawn, Queued) == Queued)
            {
                TrySetCanceled(cancellationToken);
            }
        }
    }
}
