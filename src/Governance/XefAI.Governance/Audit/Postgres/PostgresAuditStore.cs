using System.Data;
using System.Globalization;
using System.Text;
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

    /// <summary>The largest <see cref="PostgresAuditOptions.CommitTimeoutSeconds"/>: a longer wait is no bound.</summary>
    public const int MaxCommitTimeoutSeconds = 300;

    // The readiness probe's wait for the chain's lock: a load balancer's probe gives up after a second or so.
    private static readonly TimeSpan MaxProbeWait = TimeSpan.FromSeconds(1);

    // One more than the admin API's largest page, which asks for one extra record to tell whether another page follows.
    private const int MaxQueryLimit = 1001;

    private readonly string? _connectionString;
    private readonly string _server;
    private readonly ILogger<PostgresAuditStore> _logger;
    private readonly AuditRecordIdGenerator _ids;
    private readonly AuditChainHasher _writerHasher = new();
    private readonly TimeSpan _commitTimeout;
    private readonly Lazy<NpgsqlDataSource> _dataSource;
    private readonly Lazy<NpgsqlDataSource> _writerDataSource;
    private readonly OnceInitializer _schema = new();
    private readonly AuditBatchWriter _writer;

    private int _disposed;

    // The last commit's outcome: readiness stays false after a failed commit until a commit or a probe succeeds.
    private volatile bool _lastCommitFailed;

    // No I/O here, and no failure when unconfigured: every scanned store is constructed, selected or not.
    public PostgresAuditStore(IOptions<AuditOptions> options, TimeProvider timeProvider, ILogger<PostgresAuditStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var audit = options.Value;
        _connectionString = audit.Postgres?.ConnectionString;
        _server = DescribeServer(_connectionString);
        _logger = logger;
        _ids = new AuditRecordIdGenerator(timeProvider);
        _commitTimeout = TimeSpan.FromSeconds(Math.Clamp(audit.Postgres?.CommitTimeoutSeconds ?? 3, 1, MaxCommitTimeoutSeconds));
        _dataSource = new Lazy<NpgsqlDataSource>(() => CreateDataSource(writer: false));
        _writerDataSource = new Lazy<NpgsqlDataSource>(() => CreateDataSource(writer: true));
        _writer = new AuditBatchWriter(nameof(PostgresAuditStore), audit.MaxBatchSize, CommitBatchAsync, OnBatchFailed, _commitTimeout);
    }

    public string Kind => StoreKind;

    /// <summary>Transactions this process committed; fewer than appends when group commit works.</summary>
    internal long CommittedBatches => _writer.CommittedBatches;

    public async ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        entry = AuditEntryGuard.Prepare(entry);
        PostgresAuditSchema.RejectNulCharacters(entry);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return await _writer.AppendAsync(entry, cancellationToken);
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
        Filter("seq < ", NpgsqlDbType.Bigint, query.BeforeSequence);
        Filter("streamed = ", NpgsqlDbType.Boolean, query.Streamed);
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
        return await AuditChainVerifier.VerifyAsync(reader, PostgresAuditSchema.Rows, new AuditChainHead(headSequence, headHash), cancellationToken);
    }

    /// <remarks>
    /// Ready when this process can commit: a probe takes the chain's lock the way a commit does, waiting at most
    /// a second (or the commit timeout, if shorter), and releases it without writing. A stalled process holding
    /// the lock, an unreachable server or a missing head row fails it. A failed commit is remembered
    /// (<see cref="LastCommitFailed"/>) until a commit or a probe succeeds; the probe runs on every call, so
    /// readiness never reports a failure's state from before the probe.
    /// </remarks>
    public async ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        var wait = _commitTimeout < MaxProbeWait ? _commitTimeout : MaxProbeWait;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait + wait);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            await EnsureInitializedAsync(deadline.Token);
            await using var connection = await _writerDataSource.Value.OpenConnectionAsync(deadline.Token);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, deadline.Token);
            await using (var limit = new NpgsqlCommand(SetLocalLockTimeout(wait), connection, transaction))
            {
                await limit.ExecuteNonQueryAsync(deadline.Token);
            }

            await using (var command = new NpgsqlCommand(PostgresAuditSchema.LockHead, connection, transaction))
            await using (var reader = await command.ExecuteReaderAsync(deadline.Token))
            {
                if (!await reader.ReadAsync(deadline.Token))
                {
                    LogNotReady(_logger, _server, new InvalidDataException("The audit_chain_head row is missing; appends cannot find the chain's end."));
                    return false;
                }
            }

            await transaction.RollbackAsync(deadline.Token);
            _lastCommitFailed = false;
            return true;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogNotReady(_logger, _server, new TimeoutException("The readiness probe could not take the audit chain's lock in time.", ex));
            return false;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or InvalidDataException or ArgumentException or TimeoutException)
        {
            LogNotReady(_logger, _server, ex);
            return false;
        }
    }

    /// <summary>Whether the last commit failed and no commit or readiness probe has succeeded since.</summary>
    internal bool LastCommitFailed => _lastCommitFailed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Entries already queued are still committed; the loop ends once the queue is empty.
        await _writer.DisposeAsync();
        _writerHasher.Dispose();

        if (_dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync();
        }

        if (_writerDataSource.IsValueCreated)
        {
            await _writerDataSource.Value.DisposeAsync();
        }

        _schema.Dispose();
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

    /// <summary>
    /// Every session bounds its waits for locks and its idle time inside a transaction, so a stalled process
    /// holding the chain's lock loses it after the commit timeout. The writer's sessions also bound each
    /// statement; readers do not, as verifying a long chain is one long statement. These settings come after
    /// any in the connection string's <c>Options</c>, so they win.
    /// </summary>
    private NpgsqlDataSource CreateDataSource(bool writer)
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

        var milliseconds = ((long)_commitTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var options = new StringBuilder(builder.ConnectionStringBuilder.Options);
        options.Append(" -c lock_timeout=").Append(milliseconds)
            .Append(" -c idle_in_transaction_session_timeout=").Append(milliseconds);
        if (writer)
        {
            options.Append(" -c statement_timeout=").Append(milliseconds);
            builder.ConnectionStringBuilder.CommandTimeout = (int)Math.Ceiling(_commitTimeout.TotalSeconds);
        }

        builder.ConnectionStringBuilder.Options = options.ToString().Trim();

        return builder.Build();
    }

    private async ValueTask<NpgsqlConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await EnsureInitializedAsync(cancellationToken);
        return await _dataSource.Value.OpenConnectionAsync(cancellationToken);
    }

    private ValueTask EnsureInitializedAsync(CancellationToken cancellationToken) =>
        _schema.EnsureAsync(static (store, token) => store.CreateSchemaAsync(token), this, cancellationToken);

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
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
    }

    // The writer must outlive any failure. Nothing of the chain is cached here: the next batch reads the
    // head again, which is the truth even after a commit whose outcome is unknown.
    private void OnBatchFailed(int count, Exception exception)
    {
        _lastCommitFailed = true;
        LogBatchFailed(_logger, count, _server, exception);
    }

    private static string SetLocalLockTimeout(TimeSpan wait) =>
        "SET LOCAL lock_timeout = " + ((long)wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// One transaction: lock the head, chain the batch onto it, insert the records and move the head, all
    /// sent in one round trip after the lock; the lock is held until the commit.
    /// </summary>
    private async Task<IReadOnlyList<AuditRecord>> CommitBatchAsync(IReadOnlyList<PendingAppend> batch, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        await using var connection = await _writerDataSource.Value.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

        long sequence;
        string previousHash;
        await using (var head = new NpgsqlCommand(PostgresAuditSchema.LockHead, connection, transaction))
        await using (var reader = await head.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new InvalidDataException(
                    "The audit_chain_head row is missing, so the chain's end is unknown. Verify the chain; restarting the gateway seeds the head from its last record.");
            }

            sequence = reader.GetInt64(0);
            previousHash = reader.GetString(1);
        }

        var records = new List<AuditRecord>(batch.Count);
        await using var insert = new NpgsqlBatch(connection, transaction);
        foreach (var pending in batch)
        {
            sequence++;
            var id = _ids.Next();
            var hash = _writerHasher.ComputeHash(AuditChainHasher.CurrentVersion, id, sequence, pending.Entry, previousHash);
            insert.BatchCommands.Add(PostgresAuditSchema.CreateInsert(sequence, id, pending.Entry, AuditChainHasher.CurrentVersion, previousHash, hash));
            records.Add(new AuditRecord(id, sequence, pending.Entry, previousHash, hash));
            previousHash = hash;
        }

        insert.BatchCommands.Add(PostgresAuditSchema.CreateUpdateHead(sequence, previousHash));
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        _lastCommitFailed = false;
        return records;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit store could not commit {Count} records to PostgreSQL at {Server}; those calls are refused.")]
    private static partial void LogBatchFailed(ILogger logger, int count, string server, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The PostgreSQL audit store at {Server} is not ready.")]
    private static partial void LogNotReady(ILogger logger, string server, Exception exception);
}
