using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace XefAI.Governance;

/// <summary>
/// The audit store several gateway replicas share in PostgreSQL, append-only, with no lock that all of them take.
/// Every process start writes a hash chain of its own, group-committing the appends waiting in it; periodic
/// checkpoints bind every chain's end into one Merkle root, in a hash chain of their own (<see cref="AuditCheckpoints"/>).
/// </summary>
/// <remarks>
/// A batch inserts its records and moves its own chain's row in <c>audit_chains</c> from where this process left it,
/// in one statement and one round trip; a row moved by anyone else fails the batch instead of forking the chain.
/// A replica that stalls holding its transaction therefore stops only itself. Checkpoints are taken off the commit
/// path by whichever replica gets there first (the others skip, rather than wait).
/// </remarks>
internal sealed partial class PostgresAuditStore : IAuditStore, IQueuedAuditStore, IAsyncDisposable, IDisposable
{
    public const string StoreKind = "postgres";

    /// <summary>The largest <see cref="PostgresAuditOptions.CommitTimeoutSeconds"/>: a longer wait is no bound.</summary>
    public const int MaxCommitTimeoutSeconds = 300;

    /// <summary>The largest <see cref="PostgresAuditOptions.CheckpointIntervalSeconds"/>: an hour of records bound by nothing but their rows.</summary>
    public const int MaxCheckpointIntervalSeconds = 3600;

    public const int MaxInstanceNameLength = 63;

    // The readiness probe's wait for the chain's lock: a load balancer's probe gives up after a second or so.
    private static readonly TimeSpan MaxProbeWait = TimeSpan.FromSeconds(1);

    // One more than the admin API's largest page, which asks for one extra record to tell whether another page follows.
    private const int MaxQueryLimit = 1001;

    private readonly string? _connectionString;
    private readonly string? _migrationConnectionString;
    private readonly string _server;
    private readonly ILogger<PostgresAuditStore> _logger;
    private readonly TimeProvider _time;
    private readonly RepeatedFailures _failures;
    private readonly AuditRecordIdGenerator _ids;
    private readonly AuditChainHasher _writerHasher = new();
    private readonly TimeSpan _commitTimeout;
    private readonly TimeSpan _checkpointInterval;
    private readonly string _instance;
    private readonly Lazy<NpgsqlDataSource> _dataSource;
    private readonly Lazy<NpgsqlDataSource> _writerDataSource;
    private readonly OnceInitializer _schema = new();
    private readonly OnceInitializer _chainStart = new();
    private readonly AuditBatchWriter _writer;
    private readonly CancellationTokenSource _stopping = new();

    private int _disposed;
    private Task? _checkpoints;

    // This process's chain and where it ends; only the writer loop touches the end. After a failed commit the end
    // is read again, since a commit whose outcome is unknown may have moved it.
    private string _chain;
    private long _chainSequence;
    private string _chainHash = AuditChainHasher.GenesisHash;
    private bool _chainEndKnown;

    // The last commit's outcome: readiness stays false after a failed commit until a commit or a probe succeeds.
    private volatile bool _lastCommitFailed;

    // Where this replica's last committed record is noted; null when Audit:Postgres:AnchorPath is "" (no anchor).
    private readonly AuditTrailAnchor? _anchor;
    private int _anchorRefusalLogged;

    // Set once the database was found at start not to hold the record the anchor names: from then on nothing is
    // appended (and no schema created) until an operator has seen to it and restarted the gateway.
    private volatile string? _trailLost;

    // The readiness probe in flight, if any. The driver does not always honour the probe's deadline: a connection opened
    // to a server that accepted the TCP connection and then answers nothing (SIGSTOP, a frozen host, a partition that
    // drops packets) waits for its connect Timeout (15 s by default), and a cancel request to it goes unanswered. So
    // /readyz answered only after 15-30 s while the database was frozen; a probe still out now answers "not ready" within
    // the bound, and the next request waits on the same probe rather than open another connection beside it.
    private Task<bool>? _probe;

    // No I/O here, and no failure when unconfigured: every scanned store is constructed, selected or not.
    public PostgresAuditStore(
        IOptions<AuditOptions> options, TimeProvider timeProvider, ILogger<PostgresAuditStore> logger, IHostEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var audit = options.Value;
        _connectionString = audit.Postgres?.ConnectionString;
        _migrationConnectionString = audit.Postgres?.MigrationConnectionString;
        _server = DescribeServer(_connectionString);
        _logger = logger;
        _time = timeProvider;
        _failures = new RepeatedFailures(timeProvider);
        var root = environment?.ContentRootPath ?? Directory.GetCurrentDirectory();
        var anchorPath = audit.Postgres?.AnchorPath is not { } configured ? AuditTrailAnchor.ForPostgres(Path.GetFullPath(audit.Sqlite.Path, root))
            : configured.Length == 0 ? null
            : Path.GetFullPath(configured, root);
        _anchor = anchorPath is null ? null : new AuditTrailAnchor(anchorPath, timeProvider, logger);
        _ids = new AuditRecordIdGenerator(timeProvider);
        _commitTimeout = TimeSpan.FromSeconds(Math.Clamp(audit.Postgres?.CommitTimeoutSeconds ?? 3, 1, MaxCommitTimeoutSeconds));
        _checkpointInterval = TimeSpan.FromSeconds(Math.Clamp(audit.Postgres?.CheckpointIntervalSeconds ?? 10, 1, MaxCheckpointIntervalSeconds));
        _instance = audit.Postgres?.InstanceName is { } instance && IsValidInstanceName(instance) ? instance : DefaultInstanceName();
        _chain = NewChainId();
        _dataSource = new Lazy<NpgsqlDataSource>(() => CreateDataSource(_connectionString, writer: false));
        _writerDataSource = new Lazy<NpgsqlDataSource>(() => CreateDataSource(_connectionString, writer: true));
        _writer = new AuditBatchWriter(nameof(PostgresAuditStore), audit.MaxBatchSize, CommitBatchAsync, OnBatchFailed, _commitTimeout, audit.MaxQueuedRecords);
    }

    public string Kind => StoreKind;

    /// <summary>Transactions this process committed; fewer than appends when group commit works.</summary>
    internal long CommittedBatches => _writer.CommittedBatches;

    public int Backlog => _writer.Backlog;

    /// <summary>The chain this process writes: its instance name, when it started, and a random part.</summary>
    internal string Chain => _chain;

    internal string? AnchorPath => _anchor?.Path;

    /// <summary>Letters, digits, '.', '_' and '-', at most <see cref="MaxInstanceNameLength"/>: safe in a chain id and a log line.</summary>
    public static bool IsValidInstanceName(string name) =>
        name.Length is > 0 and <= MaxInstanceNameLength && name.All(IsInstanceNameCharacter);

    private static bool IsInstanceNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';

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
        AppendFilters(sql, command, query, paging: true);
        var limit = Math.Clamp(query.Limit, 1, MaxQueryLimit);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = limit });
        sql.Append(query.Ascending ? " ORDER BY seq ASC LIMIT " : " ORDER BY seq DESC LIMIT ").Append(Placeholder(command.Parameters.Count));
        command.CommandText = sql.ToString();

        var records = new List<AuditRecord>(Math.Min(limit, 64));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(PostgresAuditSchema.ReadRecord(reader));
        }

        return records;
    }

    /// <summary>One COUNT over the query's filters; its limit, cursors and order do not apply.</summary>
    public async ValueTask<long> CountAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();

        var sql = new StringBuilder("SELECT COUNT(*) FROM audit_records");
        AppendFilters(sql, command, query, paging: false);
        command.CommandText = sql.ToString();
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static void AppendFilters(StringBuilder sql, NpgsqlCommand command, AuditQuery query, bool paging)
    {
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
        Filter("streamed = ", NpgsqlDbType.Boolean, query.Streamed);
        Filter("decision = ", NpgsqlDbType.Text, query.Decision);
        if (paging)
        {
            Filter("seq < ", NpgsqlDbType.Bigint, query.BeforeSequence);
            Filter("seq > ", NpgsqlDbType.Bigint, query.AfterSequence);
        }
    }

    private static string Placeholder(int position) => "$" + position.ToString(CultureInfo.InvariantCulture);

    public async ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = new NpgsqlCommand(PostgresAuditSchema.SelectById, connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = id });

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? PostgresAuditSchema.ReadRecord(reader) : null;
    }

    /// <summary>An incremental, unpaced verification (<see cref="VerifyAsync(AuditVerificationRequest, CancellationToken)"/>).</summary>
    public ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken) =>
        VerifyAsync(new AuditVerificationRequest(), cancellationToken);

    /// <remarks>
    /// Checks the checkpoints' chain and every writer's chain up to where each checkpoint binds it, then each chain
    /// on to the end its row names (<see cref="PostgresAuditVerifier"/>). <see cref="AuditChainVerification.Records"/>
    /// counts the records proved intact, in every chain, up to where the walk stopped.
    /// </remarks>
    public async ValueTask<AuditChainVerification> VerifyAsync(AuditVerificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        try
        {
            await EnsureSchemaAsync(cancellationToken);
        }
        catch (InvalidDataException) when (_trailLost is { } missing)
        {
            // No tables to walk: the verdict is the refusal itself.
            return new AuditChainVerification(Valid: false, Records: 0, Problem: missing);
        }

        using var verifier = new PostgresAuditVerifier(_dataSource.Value, request, _time);
        var verification = await verifier.RunAsync(cancellationToken);

        // A trail sound in itself is still not the one this replica wrote when it no longer holds the anchored record.
        return verification.Valid && _trailLost is { } lost ? verification with { Valid = false, Problem = lost } : verification;
    }

    /// <summary>
    /// Binds the end of every chain that moved since the last checkpoint into a new one, with the count of every
    /// chain's records, unless another replica is taking one or no chain moved. A chain whose row moved back since a
    /// checkpoint bound it is not bound over: the checkpoint is refused and the evidence left for the verifier.
    /// </summary>
    /// <returns>Whether a checkpoint was written.</returns>
    internal async Task<bool> TakeCheckpointAsync(CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        await using var connection = await _writerDataSource.Value.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await using (var command = new NpgsqlCommand(PostgresAuditSchema.TryLockCheckpoint, connection, transaction))
        {
            if (await command.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return false;
            }
        }

        var sequence = 0L;
        var previousHash = AuditCheckpoints.EmptyHash;
        await using (var command = new NpgsqlCommand(PostgresAuditSchema.SelectLastCheckpoint, connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                sequence = reader.GetInt64(0);
                previousHash = reader.GetString(1);
            }
        }

        var moved = new List<AuditChainEnd>();
        var records = 0L;
        await using (var command = new NpgsqlCommand(PostgresAuditSchema.SelectChainEndsAndBound, connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var end = new AuditChainEnd(reader.GetString(0), reader.GetInt64(1), reader.GetString(2));
                records += end.Sequence;
                long? bound = reader.IsDBNull(3) ? null : reader.GetInt64(3);
                if (bound > end.Sequence)
                {
                    LogCheckpointRefused(_logger, sequence + 1, $"chain {end.Chain}'s row moved back from seq {bound} to {end.Sequence}");
                    return false;
                }

                if (bound != end.Sequence)
                {
                    moved.Add(end);
                }
            }
        }

        if (moved.Count == 0)
        {
            return false;
        }

        sequence++;
        var ends = AuditCheckpoints.Sorted(moved);
        var timestamp = AuditChainHasher.FormatTimestamp(_time.GetUtcNow());
        var root = AuditCheckpoints.MerkleRoot(ends);
        var hash = AuditCheckpoints.ComputeHash(sequence, timestamp, ends, records, root, previousHash);
        await using (var insert = new NpgsqlBatch(connection, transaction))
        {
            foreach (var command in PostgresAuditSchema.CreateCheckpoint(sequence, timestamp, ends, records, root, previousHash, hash))
            {
                insert.BatchCommands.Add(command);
            }

            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);

        // The log is a copy outside the database: an insider who rewrites every checkpoint cannot rewrite it too.
        LogCheckpoint(_logger, sequence, hash, ends.Length, records);
        return true;
    }

    /// <remarks>
    /// Ready when this process can commit: a probe takes its own chain's row lock the way a commit does, waiting at
    /// most a second (or the commit timeout, if shorter), and releases it without writing; no other replica's lock is
    /// touched. An unreachable server, a missing chain row or a lock it cannot get fails it. A failed commit is
    /// remembered (<see cref="LastCommitFailed"/>) until a commit or a probe succeeds; the probe runs on every call,
    /// so readiness never reports a failure's state from before the probe. The answer comes within three times the
    /// probe's wait even when the driver does not honour the probe's deadline (see <see cref="_probe"/>).
    /// </remarks>
    public async ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        if (_trailLost is not null)
        {
            return false;
        }

        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var wait = _commitTimeout < MaxProbeWait ? _commitTimeout : MaxProbeWait;
        var probe = Volatile.Read(ref _probe);
        if (probe is null || probe.IsCompleted)
        {
            // Started only by the request that installs it: two requests at once share one probe.
            var started = new Task<Task<bool>>(() => ProbeAsync(wait));
            var unwrapped = started.Unwrap();
            var seen = Interlocked.CompareExchange(ref _probe, unwrapped, probe);
            if (ReferenceEquals(seen, probe))
            {
                started.Start(TaskScheduler.Default);
                probe = unwrapped;
            }
            else
            {
                probe = seen!;
            }
        }

        try
        {
            return await probe.WaitAsync(wait * 3, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            LogNotReady(_logger, _server, new TimeoutException("The readiness probe got no answer from the database in time; the server or the network may be hung.", ex));
            return false;
        }
    }

    private async Task<bool> ProbeAsync(TimeSpan wait)
    {
        using var deadline = new CancellationTokenSource(wait + wait);
        try
        {
            await EnsureChainAsync(deadline.Token);
            await using var connection = await _writerDataSource.Value.OpenConnectionAsync(deadline.Token);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, deadline.Token);
            await using (var limit = new NpgsqlCommand(SetLocalLockTimeout(wait), connection, transaction))
            {
                await limit.ExecuteNonQueryAsync(deadline.Token);
            }

            await using (var command = new NpgsqlCommand(PostgresAuditSchema.LockChain, connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = _chain });
                await using var reader = await command.ExecuteReaderAsync(deadline.Token);
                if (!await reader.ReadAsync(deadline.Token))
                {
                    LogNotReady(_logger, _server, new InvalidDataException($"The row of this process's chain {_chain} in audit_chains is missing; appends cannot find the chain's end."));
                    return false;
                }
            }

            await transaction.RollbackAsync(deadline.Token);
            _lastCommitFailed = false;
            return true;
        }
        catch (InvalidDataException) when (_trailLost is not null)
        {
            // Logged once, as critical, when it was found.
            return false;
        }
        catch (OperationCanceledException ex)
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

        // Entries already queued are still committed; the loop ends once the queue is empty. A last checkpoint then
        // binds this chain's end, so nothing it wrote waits for another replica's checkpoint.
        await _writer.DisposeAsync();
        if (_anchor is not null && _trailLost is null)
        {
            _anchor.Flush();
        }

        await _stopping.CancelAsync();
        if (_checkpoints is not null)
        {
            await _checkpoints.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            using var last = new CancellationTokenSource(_commitTimeout);
            try
            {
                await TakeCheckpointAsync(last.Token);
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException or InvalidDataException or TimeoutException or FormatException)
            {
                LogCheckpointFailed(_logger, _server, ex);
            }
        }

        _writerHasher.Dispose();
        _stopping.Dispose();

        if (_dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync();
        }

        if (_writerDataSource.IsValueCreated)
        {
            await _writerDataSource.Value.DisposeAsync();
        }

        _schema.Dispose();
        _chainStart.Dispose();
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
    private NpgsqlDataSource CreateDataSource(string? connectionString, bool writer)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("Audit:Postgres:ConnectionString is not set, so the postgres audit store cannot connect.");
        }

        var builder = new NpgsqlDataSourceBuilder(connectionString);
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

            // The batch's INSERT takes its rows from array parameters. Under the default plan cache mode PostgreSQL
            // compares each custom plan (which knows the arrays' lengths) with the generic one, finds the custom
            // cheaper, and so plans the statement again on every execution. The writer's statements are all simple
            // enough that one generic plan serves every batch.
            options.Append(" -c plan_cache_mode=force_generic_plan");

            // Npgsql resets a pooled session each time it is opened again: with prepared statements that is seven
            // statements (RESET ALL, CLOSE ALL, UNLISTEN *, pg_advisory_unlock_all() and more) ahead of every batch,
            // more server work than a small batch's own. The writer leaves no session state to reset: its settings
            // are the startup options above, its locks and SET LOCALs end with their transactions, and Npgsql still
            // rolls back a transaction left open whatever this setting says.
            builder.ConnectionStringBuilder.NoResetOnClose = true;
            builder.ConnectionStringBuilder.CommandTimeout = (int)Math.Ceiling(_commitTimeout.TotalSeconds);

            // The writer runs the same statement (the batch's INSERT with its chain row UPDATE) on every batch: prepared
            // on the server once per connection, PostgreSQL stops parsing it per batch. An operator's own Max Auto
            // Prepare wins.
            if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                builder.ConnectionStringBuilder.MaxAutoPrepare = 16;
                builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            }
        }

        builder.ConnectionStringBuilder.Options = options.ToString().Trim();

        return builder.Build();
    }

    private async ValueTask<NpgsqlConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        try
        {
            await EnsureSchemaAsync(cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            // A trail that cannot be used as it is (its tables gone while the anchor says they held records, or an
            // anchor that is not one): a store outage to the reader, with the reason in the message and the log.
            throw new AuditUnavailableException(ex.Message, ex);
        }

        return await _dataSource.Value.OpenConnectionAsync(cancellationToken);
    }

    private ValueTask EnsureSchemaAsync(CancellationToken cancellationToken) =>
        _schema.EnsureAsync(static (store, token) => store.CreateSchemaAsync(token), this, cancellationToken);

    // Only a process that writes, or is asked whether it can, opens a chain: reading the trail adds none.
    private async ValueTask EnsureChainAsync(CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        if (_trailLost is { } lost)
        {
            // No chain is opened, and nothing appended, in a database that is not the trail this replica wrote.
            throw new InvalidDataException(lost);
        }

        await _chainStart.EnsureAsync(static (store, token) => store.StartChainAsync(token), this, cancellationToken);
    }

    private async Task StartChainAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _writerDataSource.Value.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(PostgresAuditSchema.InsertChain, connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = _chain });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = _instance });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = AuditChainHasher.FormatTimestamp(_time.GetUtcNow()) });
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // An insert whose outcome was unknown may have landed; the id is this process's own, so a clash with
            // anyone else's is out of reach of chance. Take a fresh one rather than share a chain.
            _chain = NewChainId();
            throw;
        }

        _chainSequence = 0;
        _chainHash = AuditChainHasher.GenesisHash;
        _chainEndKnown = true;
        LogChainStarted(_logger, _chain, _server);
        _checkpoints = Task.Run(() => RunCheckpointsAsync(_stopping.Token), CancellationToken.None);
    }

    private async Task RunCheckpointsAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_checkpointInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    await TakeCheckpointAsync(stopping);
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or InvalidDataException or TimeoutException or FormatException
                                           || (ex is OperationCanceledException && !stopping.IsCancellationRequested))
                {
                    LogCheckpointFailed(_logger, _server, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposal: the last checkpoint is taken there.
        }
    }

    private static string DefaultInstanceName()
    {
        var name = new string(Environment.MachineName.Where(IsInstanceNameCharacter).Take(MaxInstanceNameLength).ToArray());
        return name.Length == 0 ? "gateway" : name;
    }

    // The instance, when this process started, and 64 random bits: unique to this process start.
    private string NewChainId() =>
        string.Create(CultureInfo.InvariantCulture, $"{_instance}-{_time.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        if (_trailLost is { } lost)
        {
            throw new InvalidDataException(lost);
        }

        // A trail the anchor knows of, gone from the database while the gateway was stopped: not recreated empty as a new one.
        var mark = _anchor?.Read();
        var migration = _migrationConnectionString is null ? null : CreateDataSource(_migrationConnectionString, writer: false);
        bool present;
        try
        {
            present = await CreateSchemaAsync(
                migration ?? _dataSource.Value, migration is null ? null : _dataSource.Value, createMissingTrail: mark is null, cancellationToken);
        }
        finally
        {
            if (migration is not null)
            {
                await migration.DisposeAsync();
            }
        }

        if (!present)
        {
            Refuse($"The audit tables are missing from PostgreSQL at {_server}, but this gateway had committed record {mark!.Sequence} ({mark.Id}) " +
                $"to them (its anchor {_anchor!.Path} says so): the schema was dropped, or the connection names another database or schema. " +
                "They are not recreated empty, and no call is answered until the trail is restored and the gateway restarted; to start a new trail on purpose, move the anchor aside.");
            throw new InvalidDataException(_trailLost);
        }

        await CheckAnchorAsync(mark, cancellationToken);
    }

    /// <summary>
    /// The database must still hold the record this replica's anchor names, with the same id and hash (the records other
    /// replicas committed since are no concern of it). If not, its tables were emptied, it was restored from a dump older
    /// than that record, or it is another trail: it is still readable (and verification says why it is not the trail),
    /// but nothing is appended to it. A replica with no anchor yet anchors the trail's head, if it has one.
    /// </summary>
    private async Task CheckAnchorAsync(AuditTrailAnchor.Mark? mark, CancellationToken cancellationToken)
    {
        if (_anchor is null)
        {
            return;
        }

        await using var connection = await _dataSource.Value.OpenConnectionAsync(cancellationToken);
        if (mark is null)
        {
            await using var head = new NpgsqlCommand(PostgresAuditSchema.SelectHead, connection);
            await using var reader = await head.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                var (sequence, id, hash) = (reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
                _anchor.Set(sequence, id, hash);
            }

            return;
        }

        (string Id, string Hash)? row = null;
        await using (var command = new NpgsqlCommand(PostgresAuditSchema.SelectIdAndHash, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = mark.Sequence });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                row = (reader.GetString(0), reader.GetString(1));
            }
        }

        string problem;
        if (row is null)
        {
            await using var command = new NpgsqlCommand(PostgresAuditSchema.SelectLastSequence, connection);
            var last = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            problem = $"The audit trail in PostgreSQL at {_server} ends at record {last}, but this gateway had committed record {mark.Sequence} " +
                $"to it (its anchor {_anchor.Path} says so): its tables were emptied, or it was restored from a dump older than that record.";
        }
        else if (!string.Equals(row.Value.Hash, mark.Hash, StringComparison.Ordinal) || !string.Equals(row.Value.Id, mark.Id, StringComparison.Ordinal))
        {
            problem = $"Record {mark.Sequence} of the audit trail in PostgreSQL at {_server} is not the one this gateway committed " +
                $"(its anchor {_anchor.Path} names {mark.Id}): the database was replaced by another trail.";
        }
        else
        {
            return;
        }

        Refuse(problem + " No call is answered until the right database is restored and the gateway restarted; to start a new trail on purpose, move the anchor aside.");
    }

    private void Refuse(string problem)
    {
        _trailLost = problem;
        if (Interlocked.Exchange(ref _anchorRefusalLogged, 1) == 0)
        {
            LogTrailRefused(_logger, problem);
        }
    }

    /// <param name="grantTo">Under an owner's migration, the gateway's own data source, whose role gets its grants.</param>
    /// <param name="createMissingTrail">Whether a schema without its records table is created (no anchor says it held records).</param>
    /// <returns>False when the records table is missing and was not created.</returns>
    private static async Task<bool> CreateSchemaAsync(
        NpgsqlDataSource dataSource, NpgsqlDataSource? grantTo, bool createMissingTrail, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(PostgresAuditSchema.LockSchema, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);

        // A schema a DBA created ahead needs no DDL, so the gateway's role does not need the right to run it.
        command.CommandText = PostgresAuditSchema.IsComplete;
        if (await command.ExecuteScalarAsync(cancellationToken) is not true)
        {
            command.CommandText = PostgresAuditSchema.HasRecordsTable;
            if (!createMissingTrail && await command.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return false;
            }

            command.CommandText = PostgresAuditSchema.Create;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        command.CommandText = PostgresAuditSchema.RegisterLegacyChain;
        await command.ExecuteNonQueryAsync(cancellationToken);
        if (grantTo is not null)
        {
            await PostgresGrants.GrantAsync(grantTo, connection, transaction, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    // The writer must outlive any failure. The next batch reads its chain's end again, which is the truth even
    // after a commit whose outcome is unknown.
    private void OnBatchFailed(int count, Exception exception)
    {
        _lastCommitFailed = true;
        _chainEndKnown = false;
        if (_failures.TakeInFull())
        {
            LogBatchFailed(_logger, count, _server, exception);
        }
        else
        {
            LogBatchFailedAgain(_logger, count, _server, exception.GetType().Name, exception.Message);
        }
    }

    private static string SetLocalLockTimeout(TimeSpan wait) =>
        "SET LOCAL lock_timeout = " + ((long)wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// One statement, in a transaction of its own and one round trip: it inserts the batch's records, chained onto
    /// this process's chain, and moves the chain's row from where this process left it, or does neither. No other
    /// replica's lock is taken or waited for.
    /// </summary>
    internal async Task<IReadOnlyList<AuditRecord>> CommitBatchAsync(IReadOnlyList<PendingAppend> batch, CancellationToken cancellationToken)
    {
        await EnsureChainAsync(cancellationToken);
        await using var connection = await _writerDataSource.Value.OpenConnectionAsync(cancellationToken);
        if (!_chainEndKnown)
        {
            await ReadChainEndAsync(connection, cancellationToken);
        }

        var from = _chainSequence;
        var position = _chainSequence;
        var previousHash = _chainHash;
        var ids = new string[batch.Count];
        var hashes = new string[batch.Count];
        var previous = new string[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            position++;
            ids[i] = _ids.Next();
            previous[i] = previousHash;
            hashes[i] = _writerHasher.ComputeHash(AuditChainHasher.ChainedVersion, ids[i], position, batch[i].Entry, previousHash, _chain);
            previousHash = hashes[i];
        }

        var sequences = new long[batch.Count];
        var returned = 0;
        await using (var command = PostgresAuditSchema.CreateAppendBatch(connection, _chain, from, batch, ids, previous, hashes))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                // Placed by the record's place in the chain, not by the order RETURNING happens to give.
                var index = reader.GetInt64(0) - from - 1;
                if (index < 0 || index >= batch.Count || sequences[index] != 0)
                {
                    throw new InvalidDataException($"The insert of a batch into chain {_chain} returned a place in the chain it did not write.");
                }

                sequences[index] = reader.GetInt64(1);
                returned++;
            }

            // The rows arrive before the statement's transaction commits. Closing reads on to the server's report that
            // it is ready for the next statement, which comes only after the commit: a commit that fails throws here,
            // before any record is acknowledged.
            await reader.CloseAsync();
        }

        if (returned != batch.Count)
        {
            throw new InvalidDataException(
                $"The row of chain {_chain} in audit_chains was not at seq {from}, where this process left it: someone else moved it. The batch was not written rather than fork the chain.");
        }

        _chainSequence = position;
        _chainHash = previousHash;
        _lastCommitFailed = false;

        var records = new AuditRecord[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            records[i] = new AuditRecord(ids[i], sequences[i], batch[i].Entry, previous[i], hashes[i]);
        }

        // After the commit (the reader's close above): the anchor never names a record the database may not hold.
        if (_anchor is not null)
        {
            _anchor.Committed(records[^1]);
        }

        return records;
    }

    private async Task ReadChainEndAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgresAuditSchema.SelectChain, connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = _chain });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidDataException($"The row of this process's chain {_chain} in audit_chains is missing, so the chain's end is unknown. Verify the trail; restarting the gateway starts a new chain.");
        }

        _chainSequence = reader.GetInt64(0);
        _chainHash = reader.GetString(1);
        _chainEndKnown = true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit store could not commit {Count} records to PostgreSQL at {Server}; those calls are refused.")]
    private static partial void LogBatchFailed(ILogger logger, int count, string server, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit store could not commit {Count} records to PostgreSQL at {Server}; those calls are refused ({ExceptionType}: {Reason}; the stack trace is logged once every 30 s while it repeats).")]
    private static partial void LogBatchFailedAgain(ILogger logger, int count, string server, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The PostgreSQL audit store at {Server} is not ready.")]
    private static partial void LogNotReady(ILogger logger, string server, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "This process writes audit chain {Chain} in PostgreSQL at {Server}.")]
    private static partial void LogChainStarted(ILogger logger, string chain, string server);

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit checkpoint {Checkpoint} has hash {Hash}: it binds the ends of {Chains} chains that moved, and counts {Records} records in all.")]
    private static partial void LogCheckpoint(ILogger logger, long checkpoint, string hash, int chains, long records);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An audit checkpoint could not be taken in PostgreSQL at {Server}; the next interval tries again.")]
    private static partial void LogCheckpointFailed(ILogger logger, string server, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Problem}")]
    private static partial void LogTrailRefused(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Audit checkpoint {Checkpoint} was not taken: {Regression} since the last checkpoint. The audit trail was tampered with; verify it.")]
    private static partial void LogCheckpointRefused(ILogger logger, long checkpoint, string regression);
}
