using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SQLitePCL;

namespace XefAI.Governance;

/// <summary>
/// The embedded audit store: one SQLite file, append-only and hash-chained. A single writer loop
/// group-commits whatever appends are waiting, so one fsync acknowledges many calls.
/// </summary>
internal sealed partial class SqliteAuditStore : IAuditStore, IQueuedAuditStore, IAsyncDisposable, IDisposable
{
    public const string StoreKind = "sqlite";

    // One more than the admin API's largest page, which asks for one extra record to tell whether another page follows.
    private const int MaxQueryLimit = 1001;

    private readonly string _databasePath;
    private readonly string _createConnectionString;
    private readonly string _connectionString;
    private readonly string _writerConnectionString;
    private readonly ILogger<SqliteAuditStore> _logger;
    private readonly TimeProvider _time;
    private readonly RepeatedFailures _failures;
    private readonly AuditRecordIdGenerator _ids;
    private readonly AuditChainHasher _writerHasher = new();
    private readonly OnceInitializer _schema = new();
    private readonly AuditBatchWriter _writer;

    private int _disposed;

    // The writer loop's alone: opened on its first batch, dropped after a failure.
    private WriterSession? _session;

    // Set once the database file was deleted or replaced under the writer, or found at start not to be the trail the
    // anchor names: from then on nothing is acknowledged.
    private volatile string? _fileLost;

    // Where the trail ended when last looked at; null when Audit:Sqlite:AnchorPath is "" (no anchor).
    private readonly AuditTrailAnchor? _anchor;
    private int _anchorRefusalLogged;

    // 0 while commits succeed; counts the failed commits since the last one that succeeded. While not 0, readiness
    // proves with a commit of its own that the file takes writes again: a read alone passes on a full disk or while
    // another process holds the write lock, and /readyz answered 200 while every call got 503.
    private int _failedCommits;

    // Set once the full disk has been logged at critical level; cleared by the next commit that succeeds.
    private int _diskFullLogged;

    // No I/O here: every registered store is constructed, even the ones configuration does not select.
    public SqliteAuditStore(
        IOptions<AuditOptions> options, TimeProvider timeProvider, ILogger<SqliteAuditStore> logger, IHostEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var audit = options.Value;

        // A relative path belongs to the deployment (the content root), not to whatever directory the process started in.
        _databasePath = Path.GetFullPath(audit.Sqlite.Path, environment?.ContentRootPath ?? Directory.GetCurrentDirectory());
        _logger = logger;
        _time = timeProvider;
        _failures = new RepeatedFailures(timeProvider);
        var anchorPath = audit.Sqlite.AnchorPath is null ? AuditTrailAnchor.For(_databasePath)
            : audit.Sqlite.AnchorPath.Length == 0 ? null
            : Path.GetFullPath(audit.Sqlite.AnchorPath, environment?.ContentRootPath ?? Directory.GetCurrentDirectory());
        _anchor = anchorPath is null ? null : new AuditTrailAnchor(anchorPath, timeProvider, logger);
        _ids = new AuditRecordIdGenerator(timeProvider);

        // Microsoft.Data.Sqlite retries busy locks until the command timeout, BEGIN included.
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = _databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = audit.Sqlite.BusyTimeoutSeconds,
            Pooling = true,
        };
        _createConnectionString = builder.ToString();

        // Once the schema is there, no connection creates the file: one deleted under the gateway must not come back
        // empty at its path, as a new trail, for a reader or the writer to use.
        builder.Mode = SqliteOpenMode.ReadWrite;
        _connectionString = builder.ToString();

        // The writer's connection is never pooled: after a failure it is thrown away, not handed to a reader.
        builder.Pooling = false;
        _writerConnectionString = builder.ToString();

        // A commit that waited Audit:Sqlite:BusyTimeoutSeconds for another process's lock: while the file stays locked,
        // one commit at a time waits for it and other calls are refused at once (503), not each after the whole timeout.
        _writer = new AuditBatchWriter(
            nameof(SqliteAuditStore), audit.MaxBatchSize, CommitBatchAsync, OnBatchFailed, maxQueuedRecords: audit.MaxQueuedRecords,
            isLocked: static ex => ex is SqliteException { SqliteErrorCode: raw.SQLITE_BUSY or raw.SQLITE_LOCKED });
    }

    public string Kind => StoreKind;

    /// <summary>Transactions committed so far; fewer than appends when group commit works.</summary>
    internal long CommittedBatches => _writer.CommittedBatches;

    public int Backlog => _writer.Backlog;

    internal string DatabasePath => _databasePath;

    internal string? AnchorPath => _anchor?.Path;

    // Not async: the writer's task is handed on as it is, so an append costs no state machine of its own here.
    // A refusal still comes as the returned task's failure (or cancellation), as when this method awaited.
    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            entry = AuditEntryGuard.Prepare(entry);
        }
        catch (ArgumentException ex)
        {
            return ValueTask.FromException<AuditRecord>(ex);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<AuditRecord>(cancellationToken);
        }

        if (_disposed != 0)
        {
            return ValueTask.FromException<AuditRecord>(new ObjectDisposedException(GetType().FullName));
        }

        return _writer.AppendAsync(entry, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();

        var sql = new StringBuilder(SqliteAuditSchema.SelectColumns);
        AppendFilters(sql, command, query, paging: true);
        sql.Append(query.Ascending ? " ORDER BY seq ASC LIMIT $limit" : " ORDER BY seq DESC LIMIT $limit");
        var limit = Math.Clamp(query.Limit, 1, MaxQueryLimit);
        command.Parameters.AddWithValue("$limit", limit);
        command.CommandText = sql.ToString();

        var records = new List<AuditRecord>(Math.Min(limit, 64));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(SqliteAuditSchema.ReadRecord(reader));
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

    private static void AppendFilters(StringBuilder sql, SqliteCommand command, AuditQuery query, bool paging)
    {
        var conjunction = " WHERE ";
        void Filter(string condition, string parameter, object? value)
        {
            if (value is null)
            {
                return;
            }

            sql.Append(conjunction).Append(condition);
            conjunction = " AND ";
            command.Parameters.AddWithValue(parameter, value);
        }

        // Half-open time range [From, To); "O" strings in UTC sort as the instants they name.
        Filter("timestamp >= $from", "$from", query.From is { } from ? AuditChainHasher.FormatTimestamp(from) : null);
        Filter("timestamp < $to", "$to", query.To is { } to ? AuditChainHasher.FormatTimestamp(to) : null);
        Filter("use_case_id = $useCase", "$useCase", query.UseCaseId);
        Filter("app_id = $app", "$app", query.AppId);
        Filter("patient_pseudonym = $patient", "$patient", query.PatientPseudonym);
        Filter("streamed = $streamed", "$streamed", query.Streamed is { } streamed ? (streamed ? 1 : 0) : null);
        Filter("decision = $decision", "$decision", query.Decision);
        if (paging)
        {
            Filter("seq < $before", "$before", query.BeforeSequence);
            Filter("seq > $after", "$after", query.AfterSequence);
        }
    }

    public async ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteAuditSchema.SelectById;
        command.Parameters.AddWithValue("$id", id);

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? SqliteAuditSchema.ReadRecord(reader) : null;
    }

    /// <summary>A full walk of the chain in one read snapshot; it neither reports progress nor records what it proved.</summary>
    /// <remarks><see cref="AuditChainVerification.Records"/> counts the records found intact before the first broken one.</remarks>
    public async ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteAuditSchema.SelectAscending;

        // One SELECT reads one WAL snapshot, so appends running meanwhile cannot tear the walk.
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return WithRefusal(await AuditChainVerifier.VerifyAsync(reader, SqliteAuditSchema.Rows, head: null, cancellationToken));
    }

    /// <remarks>
    /// Counts the walk first and reports progress, paced, page by page; an incremental walk resumes after the last
    /// record an earlier one proved, and trusts every record up to it (<see cref="SqliteAuditVerifier"/>).
    /// <see cref="AuditChainVerification.Checkpoint"/> is the seq of the last record the walk proved.
    /// </remarks>
    public async ValueTask<AuditChainVerification> VerifyAsync(AuditVerificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var connection = await OpenReaderAsync(cancellationToken);
        return WithRefusal(await new SqliteAuditVerifier(connection, request, _time).RunAsync(cancellationToken));
    }

    // A chain sound in itself is still not the trail the gateway wrote when the file was found replaced or cut.
    private AuditChainVerification WithRefusal(AuditChainVerification verification) =>
        verification.Valid && _fileLost is { } lost ? verification with { Valid = false, Problem = lost } : verification;

    public async ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        if (_fileLost is not null)
        {
            return false;
        }

        try
        {
            await using var connection = await OpenReaderAsync(cancellationToken);
            var failed = Volatile.Read(ref _failedCommits);
            if (failed != 0)
            {
                await ProbeCommitAsync(connection, cancellationToken);

                // Not cleared if another commit failed meanwhile: that failure is newer than this probe's success.
                Interlocked.CompareExchange(ref _failedCommits, 0, failed);
            }
            else
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT 1 FROM audit_records LIMIT 1";
                await command.ExecuteScalarAsync(cancellationToken);
            }

            // Opening checked the trail against its anchor.
            return _fileLost is null;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or InvalidDataException or AuditUnavailableException)
        {
            LogNotReady(_logger, _databasePath, ex);
            return false;
        }
    }

    /// <summary>
    /// A commit that adds nothing to the trail: it takes the write lock as the writer does, waiting at most a second
    /// (or the busy timeout, if shorter), and rewrites the header's <c>user_version</c> with its own value, which puts
    /// one page in the WAL and syncs it, so it fails as the writer's commit would on a full disk or a read-only file.
    /// </summary>
    private static async Task ProbeCommitAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        connection.DefaultTimeout = Math.Min(connection.DefaultTimeout, 1);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        command.CommandText = "PRAGMA user_version = " + version.ToString(CultureInfo.InvariantCulture);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Entries already queued are still committed; the loop ends once the queue is empty.
        await _writer.DisposeAsync();
        _session?.Dispose();
        _session = null;
        if (_anchor is not null && _fileLost is null)
        {
            _anchor.Flush();
        }
        _writerHasher.Dispose();

        if (_schema.IsInitialized)
        {
            foreach (var pooled in (ReadOnlySpan<string>)[_createConnectionString, _connectionString])
            {
                using var connection = new SqliteConnection(pooled);
                SqliteConnection.ClearPool(connection);
            }
        }

        _schema.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async ValueTask<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        try
        {
            await EnsureInitializedAsync(cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            // A trail that cannot be used as it is (missing while its anchor says it existed, or too old a version):
            // a store outage to the reader, with the reason in the message and the log.
            throw new AuditUnavailableException(ex.Message, ex);
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private ValueTask EnsureInitializedAsync(CancellationToken cancellationToken) =>
        _schema.EnsureAsync(static (store, token) => store.CreateSchemaAsync(token), this, cancellationToken);

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        // A trail the anchor knows of, gone from its path while the gateway was stopped: not recreated empty as a new one.
        var mark = _anchor?.Read();
        if (mark is not null && !File.Exists(_databasePath))
        {
            var missing = $"The audit database {_databasePath} is missing, but the gateway had committed {mark.Sequence} records to it " +
                $"(its anchor {_anchor!.Path} says so). No call is answered until the file is restored; to start a new trail on purpose, " +
                "move the anchor aside.";
            if (Interlocked.Exchange(ref _anchorRefusalLogged, 1) == 0)
            {
                LogTrailRefused(_logger, missing);
            }

            throw new InvalidDataException(missing);
        }

        SqliteFiles.CreateOwnerOnly(_databasePath);

        await using var connection = new SqliteConnection(_createConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteAuditSchema.Create;
        await command.ExecuteNonQueryAsync(cancellationToken);

        // CREATE TABLE IF NOT EXISTS leaves an older table as it is; appending to it would fail on every call.
        command.CommandText = SqliteAuditSchema.HasHashVersion;
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
        {
            throw new InvalidDataException(
                $"The audit database {_databasePath} was created by an earlier gateway version whose records carry no hash version. " +
                "Move it aside (keep it: its chain still proves what it recorded) and start again to create a new one.");
        }

        await AddMissingColumnsAsync(connection, cancellationToken);
        await CheckAnchorAsync(connection, mark, cancellationToken);

        // Once, on first use: a user who started the gateway learns from its first lines where the trail is written.
        LogOpened(_logger, _databasePath);
    }

    /// <summary>
    /// The trail at the path must still hold the record its anchor names, with the same hash. If not, it was cut back,
    /// replaced or restored from an older copy: it is still readable (and verification says why it is not the trail),
    /// but nothing is appended to it. A trail with no anchor yet gets one at its head.
    /// </summary>
    private async Task CheckAnchorAsync(SqliteConnection connection, AuditTrailAnchor.Mark? mark, CancellationToken cancellationToken)
    {
        if (_anchor is null)
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = SqliteAuditSchema.SelectLastSequence;
        var last = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        command.CommandText = SqliteAuditSchema.SelectIdAndHash;
        command.Parameters.AddWithValue("$seq", mark?.Sequence ?? last);
        (string Id, string Hash)? row = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                row = (reader.GetString(0), reader.GetString(1));
            }
        }

        if (mark is null)
        {
            if (row is { } head)
            {
                _anchor.Set(last, head.Id, head.Hash);
            }

            return;
        }

        string? problem = null;
        if (row is null)
        {
            problem = $"The audit database {_databasePath} ends at record {last}, but the gateway had committed {mark.Sequence} records to it " +
                $"(its anchor {_anchor.Path} says so): it was cut back, replaced or restored from an older copy.";
        }
        else if (!string.Equals(row.Value.Hash, mark.Hash, StringComparison.Ordinal) || !string.Equals(row.Value.Id, mark.Id, StringComparison.Ordinal))
        {
            problem = $"Record {mark.Sequence} of the audit database {_databasePath} is not the one the gateway committed " +
                $"(its anchor {_anchor.Path} names {mark.Id}): the file was replaced by another trail.";
        }

        if (problem is not null)
        {
            _fileLost = problem + " No call is answered until the right file is restored and the gateway restarted; to start a new trail on purpose, move the anchor aside.";
            if (Interlocked.Exchange(ref _anchorRefusalLogged, 1) == 0)
            {
                LogTrailRefused(_logger, _fileLost);
            }
        }
    }

    /// <summary>
    /// Upgrades a table an earlier gateway version created in place: its rows keep their hash version and read
    /// the new columns as NULL, so they verify as before.
    /// </summary>
    private async Task AddMissingColumnsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        // BEGIN IMMEDIATE: a second process starting on the same file waits, then finds the columns added.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteAuditSchema.SelectColumnNames;
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add(reader.GetString(0));
            }
        }

        var added = new List<string>();
        foreach (var (column, addColumn) in SqliteAuditSchema.AddedColumns)
        {
            if (!present.Contains(column))
            {
                command.CommandText = addColumn;
                await command.ExecuteNonQueryAsync(cancellationToken);
                added.Add(column);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        if (added.Count > 0)
        {
            LogUpgraded(_logger, _databasePath, string.Join(", ", added));
        }
    }

    // The writer loop's alone; internal so a benchmark can commit a batch it built once, without the loop.
    internal async Task<IReadOnlyList<AuditRecord>> CommitBatchAsync(IReadOnlyList<PendingAppend> batch, CancellationToken cancellationToken)
    {
        if (_fileLost is { } lost)
        {
            throw new IOException(lost);
        }

        if (_session is null)
        {
            await EnsureInitializedAsync(cancellationToken);
            if (_fileLost is { } refused)
            {
                throw new IOException(refused);
            }

            _session = WriterSession.Open(_writerConnectionString);
        }

        var records = _session.Commit(batch, _ids, _writerHasher);

        // Checked after the commit, before any record is acknowledged: a batch committed into a file that is no longer
        // at its path is refused, as is every batch after it. Reopening would start a new, empty trail at the path and
        // hide the loss; the process keeps refusing (and reports not ready) until an operator has seen to the file.
        if (SqliteDatabaseFile.HasMoved(_session.Connection, _databasePath))
        {
            _fileLost = $"The audit database {_databasePath} was deleted or replaced while the gateway was writing to it; " +
                "no call is answered until the file is restored and the gateway restarted.";
            var descriptors = SqliteDatabaseFile.OpenDescriptorsOf(_databasePath);
            LogFileLost(_logger, _databasePath, descriptors.Count == 0 ? "none found" : string.Join(", ", descriptors));
            throw new IOException(_fileLost);
        }

        if (_anchor is not null && records.Count > 0)
        {
            _anchor.Committed(records[^1]);
        }

        Volatile.Write(ref _failedCommits, 0);
        Volatile.Write(ref _diskFullLogged, 0);
        return records;
    }

    private void OnBatchFailed(int count, Exception exception)
    {
        // The session is dropped so the next batch reopens and re-reads the chain's tail from the file,
        // which is the truth even after a commit whose outcome is unknown.
        Interlocked.Increment(ref _failedCommits);
        if (IsDiskFull(exception) && Interlocked.Exchange(ref _diskFullLogged, 1) == 0)
        {
            LogDiskFull(_logger, _databasePath);
        }

        if (_failures.TakeInFull())
        {
            LogBatchFailed(_logger, count, _databasePath, exception);
        }
        else
        {
            LogBatchFailedAgain(_logger, count, _databasePath, exception.GetType().Name, exception.Message);
        }
        _session?.Dispose();
        _session = null;
    }

    // SQLITE_FULL: the disk (or the filesystem's quota) has no room for the commit.
    private static bool IsDiskFull(Exception exception)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is SqliteException { SqliteErrorCode: raw.SQLITE_FULL })
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The disk holding the audit database {Path} is full: every call is refused (503 audit_unavailable) and /readyz answers 503 until there is room for the next commit. Free space on that filesystem; the gateway recovers without a restart.")]
    private static partial void LogDiskFull(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit store could not commit {Count} records to {Path}; those calls are refused.")]
    private static partial void LogBatchFailed(ILogger logger, int count, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit store could not commit {Count} records to {Path}; those calls are refused ({ExceptionType}: {Reason}; the stack trace is logged once every 30 s while it repeats).")]
    private static partial void LogBatchFailedAgain(ILogger logger, int count, string path, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The audit database {Path} was deleted or replaced while the gateway was writing to it. Every call is refused and the gateway reports not ready until it is restarted. The records committed since it was opened are only in the file this process still holds open; copy it back before stopping the gateway (open descriptors: {Descriptors}).")]
    private static partial void LogFileLost(ILogger logger, string path, string descriptors);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Problem}")]
    private static partial void LogTrailRefused(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "This process writes the audit trail to SQLite database {Path}.")]
    private static partial void LogOpened(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "The audit database {Path} was upgraded in place: added columns {Columns}.")]
    private static partial void LogUpgraded(ILogger logger, string path, string columns);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit store at {Path} is not ready.")]
    private static partial void LogNotReady(ILogger logger, string path, Exception exception);

    /// <summary>
    /// The writer's connection, its statements (BEGIN IMMEDIATE, the INSERT, COMMIT and ROLLBACK) prepared once for the
    /// session, and the tail of the chain it appends to.
    /// </summary>
    private sealed class WriterSession : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteStatement _begin;
        private readonly SqliteStatement _insert;
        private readonly SqliteStatement _commit;
        private readonly SqliteStatement _rollback;
        private readonly AuditAttemptsJson.Writer _attempts = new();
        private long _lastSequence;
        private string _lastHash;

        public SqliteConnection Connection => _connection;

        private WriterSession(SqliteConnection connection, SqliteStatement[] statements, long lastSequence, string lastHash)
        {
            _connection = connection;
            (_begin, _insert, _commit, _rollback) = (statements[0], statements[1], statements[2], statements[3]);
            _lastSequence = lastSequence;
            _lastHash = lastHash;
        }

        public static WriterSession Open(string connectionString)
        {
            var connection = new SqliteConnection(connectionString);
            var statements = new List<SqliteStatement>(4);
            try
            {
                connection.Open();
                using (var pragma = connection.CreateCommand())
                {
                    // WAL's default (NORMAL) may lose the last commits on power loss; an acknowledged record must not.
                    pragma.CommandText = "PRAGMA synchronous = FULL";
                    pragma.ExecuteNonQuery();
                }

                // The statements below are stepped directly, past the provider's busy retries: SQLite itself waits for a
                // busy lock, as long as the provider would have (Audit:Sqlite:BusyTimeoutSeconds), BEGIN included.
                var rc = raw.sqlite3_busy_timeout(connection.Handle, checked(connection.DefaultTimeout * 1000));
                SqliteException.ThrowExceptionForRC(rc, connection.Handle);

                var lastSequence = 0L;
                var lastHash = AuditChainHasher.GenesisHash;
                using (var tail = connection.CreateCommand())
                {
                    tail.CommandText = SqliteAuditSchema.SelectTail;
                    using var reader = tail.ExecuteReader();
                    if (reader.Read())
                    {
                        lastSequence = reader.GetInt64(0);
                        lastHash = reader.GetString(1);
                    }
                }

                // Not deferred: BEGIN IMMEDIATE takes the write lock up front, so a busy file fails there, not mid-batch.
                foreach (var sql in (ReadOnlySpan<string>)["BEGIN IMMEDIATE", SqliteAuditSchema.Insert, "COMMIT", "ROLLBACK"])
                {
                    statements.Add(SqliteStatement.Prepare(connection, sql));
                }

                SqliteAuditSchema.CheckInsertParameters(statements[1]);
                return new WriterSession(connection, [.. statements], lastSequence, lastHash);
            }
            catch
            {
                statements.ForEach(statement => statement.Dispose());
                connection.Dispose();
                throw;
            }
        }

        /// <summary>Inserts the batch in one transaction; the tail moves only once the commit succeeded.</summary>
        public List<AuditRecord> Commit(IReadOnlyList<PendingAppend> batch, AuditRecordIdGenerator ids, AuditChainHasher hasher)
        {
            var records = new List<AuditRecord>(batch.Count);
            var sequence = _lastSequence;
            var previousHash = _lastHash;

            _begin.Execute();
            try
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var entry = batch[i].Entry;
                    sequence++;
                    var id = ids.Next();
                    var hash = hasher.ComputeHash(AuditChainHasher.CurrentVersion, id, sequence, entry, previousHash);
                    SqliteAuditSchema.Bind(_insert, sequence, id, entry, AuditChainHasher.CurrentVersion, previousHash, hash, _attempts);
                    _insert.Execute();
                    records.Add(new AuditRecord(id, sequence, entry, previousHash, hash));
                    previousHash = hash;
                }

                // The records are acknowledged only once this returned: synchronous FULL, so they are on disk.
                _commit.Execute();
            }
            catch
            {
                RollBack();
                throw;
            }

            _lastSequence = sequence;
            _lastHash = previousHash;
            return records;
        }

        public void Dispose()
        {
            _attempts.Dispose();

            // A statement left unfinalized would keep the connection from closing.
            _begin.Dispose();
            _insert.Dispose();
            _commit.Dispose();
            _rollback.Dispose();
            _connection.Dispose();
        }

        // As disposing an uncommitted transaction does: whatever failed, nothing of the batch may stay pending.
        private void RollBack()
        {
            if (raw.sqlite3_get_autocommit(_connection.Handle) != 0)
            {
                // No transaction is open: BEGIN itself failed, or SQLite already rolled back.
                return;
            }

            try
            {
                _rollback.Execute();
            }
            catch (SqliteException)
            {
                // The session is dropped after any failure; closing its connection rolls back what is still open.
            }
        }
    }
}
