using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace XefAI.Governance;

/// <summary>
/// The embedded governance state store: one SQLite file in WAL mode, which several gateway processes on one
/// host may share; a writer waits up to <c>Governance:Sqlite:BusyTimeoutSeconds</c> for another's lock.
/// </summary>
internal sealed partial class SqliteGovernanceStateStore : IGovernanceStateStore, IDisposable
{
    public const string StoreKind = "sqlite";

    private const int MaxIncidentLimit = 1000;

    private readonly string _databasePath;
    private readonly string _connectionString;
    private readonly string _createConnectionString;
    private readonly OnceInitializer _schema = new();
    private readonly ILogger _logger;
    private int _disposed;

    // No I/O here: every registered store is constructed, even the ones configuration does not select.
    public SqliteGovernanceStateStore(
        IOptions<GovernanceOptions> options, IHostEnvironment? environment = null, ILogger<SqliteGovernanceStateStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var sqlite = options.Value.Sqlite;

        // A relative path belongs to the deployment (the content root), not to whatever directory the process started in.
        _databasePath = Path.GetFullPath(sqlite.Path, environment?.ContentRootPath ?? Directory.GetCurrentDirectory());

        // Microsoft.Data.Sqlite retries busy locks until the command timeout, BEGIN IMMEDIATE included.
        (_connectionString, _createConnectionString) = SqliteFiles.ConnectionStrings(_databasePath, sqlite.BusyTimeoutSeconds);
    }

    public string Kind => StoreKind;

    internal string DatabasePath => _databasePath;

    public async ValueTask<long> GetVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteGovernanceStateSchema.SelectVersion;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async ValueTask<GovernanceStateSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // One deferred (read) transaction sees one WAL snapshot, so the version matches the rows read with it,
        // and takes no write lock from other replicas.
        await using var transaction = connection.BeginTransaction(deferred: true);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;

        command.CommandText = SqliteGovernanceStateSchema.SelectVersion;
        var version = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);

        command.CommandText = SqliteGovernanceStateSchema.SelectLatestUseCaseChanges;
        var useCases = await ReadAllAsync(command, GovernanceStateRows.ReadUseCaseChange, cancellationToken);

        command.CommandText = SqliteGovernanceStateSchema.SelectLatestDeploymentChanges;
        var deployments = await ReadAllAsync(command, SqliteGovernanceStateSchema.ReadDeploymentChange, cancellationToken);

        command.CommandText = SqliteGovernanceStateSchema.SelectSponsorApprovals;
        var approvals = await ReadAllAsync(command, GovernanceStateRows.ReadUseCaseChange, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return new GovernanceStateSnapshot(version, useCases, deployments) { SponsorApprovals = approvals };
    }

    public async ValueTask<IReadOnlyList<UseCaseStatusChange>> GetUseCaseHistoryAsync(string useCaseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(useCaseId);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteGovernanceStateSchema.SelectUseCaseHistory;
        command.Parameters.AddWithValue("$id", useCaseId);
        return await ReadAllAsync(command, GovernanceStateRows.ReadUseCaseChange, cancellationToken);
    }

    public async ValueTask<UseCaseStatusChange?> TryAppendUseCaseChangeAsync(
        UseCaseStatusChange change, string? expectedLatestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var connection = await OpenAsync(cancellationToken);

        // BEGIN IMMEDIATE takes the write lock before the check, so no other process can append in between.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteGovernanceStateSchema.SelectLatestUseCaseChangeId;
        command.Parameters.AddWithValue("$id", change.UseCaseId);
        if (!string.Equals(await command.ExecuteScalarAsync(cancellationToken) as string, expectedLatestId, StringComparison.Ordinal))
        {
            return null;
        }

        command.Parameters.Clear();
        command.CommandText = SqliteGovernanceStateSchema.InsertUseCaseChange;
        command.Parameters.AddWithValue("$id", change.Id);
        command.Parameters.AddWithValue("$useCase", change.UseCaseId);
        command.Parameters.AddWithValue("$action", GovernanceStateRows.FormatAction(change.Action));
        command.Parameters.AddWithValue("$from", GovernanceStateRows.FormatStatus(change.From));
        command.Parameters.AddWithValue("$to", GovernanceStateRows.FormatStatus(change.To));
        command.Parameters.AddWithValue("$actor", change.Actor);
        command.Parameters.AddWithValue("$reason", change.Reason);
        command.Parameters.AddWithValue("$sponsor", (object?)change.ClinicalSponsor ?? DBNull.Value);
        command.Parameters.AddWithValue("$time", GovernanceStateRows.FormatTime(change.Time));
        command.Parameters.AddWithValue("$tier", change.RiskTier is { } tier ? (int)tier : DBNull.Value);
        var sequence = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        await transaction.CommitAsync(cancellationToken);
        return change with { Sequence = sequence };
    }

    public async ValueTask<IReadOnlyList<DeploymentSuspensionChange>> GetDeploymentHistoryAsync(string deploymentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deploymentId);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteGovernanceStateSchema.SelectDeploymentHistory;
        command.Parameters.AddWithValue("$id", deploymentId);
        return await ReadAllAsync(command, SqliteGovernanceStateSchema.ReadDeploymentChange, cancellationToken);
    }

    public async ValueTask<DeploymentSuspensionChange?> TryAppendDeploymentChangeAsync(
        DeploymentSuspensionChange change, string? expectedLatestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteGovernanceStateSchema.SelectLatestDeploymentChangeId;
        command.Parameters.AddWithValue("$id", change.DeploymentId);
        if (!string.Equals(await command.ExecuteScalarAsync(cancellationToken) as string, expectedLatestId, StringComparison.Ordinal))
        {
            return null;
        }

        command.Parameters.Clear();
        command.CommandText = SqliteGovernanceStateSchema.InsertDeploymentChange;
        command.Parameters.AddWithValue("$id", change.Id);
        command.Parameters.AddWithValue("$deployment", change.DeploymentId);
        command.Parameters.AddWithValue("$suspended", change.Suspended ? 1 : 0);
        command.Parameters.AddWithValue("$actor", change.Actor);
        command.Parameters.AddWithValue("$reason", change.Reason);
        command.Parameters.AddWithValue("$time", GovernanceStateRows.FormatTime(change.Time));
        var sequence = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        await transaction.CommitAsync(cancellationToken);
        return change with { Sequence = sequence };
    }

    public async ValueTask<Incident> AppendIncidentAsync(Incident incident, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteGovernanceStateSchema.InsertIncident;
        command.Parameters.AddWithValue("$id", incident.Id);
        command.Parameters.AddWithValue("$audit", (object?)incident.AuditId ?? DBNull.Value);
        command.Parameters.AddWithValue("$useCase", incident.UseCaseId);
        command.Parameters.AddWithValue("$reporter", incident.Reporter);
        command.Parameters.AddWithValue("$description", incident.Description);
        command.Parameters.AddWithValue("$severity", GovernanceStateRows.FormatSeverity(incident.Severity));
        command.Parameters.AddWithValue("$time", GovernanceStateRows.FormatTime(incident.Time));
        var sequence = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return incident with { Sequence = sequence };
    }

    public async ValueTask<IReadOnlyList<Incident>> QueryIncidentsAsync(IncidentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder(SqliteGovernanceStateSchema.SelectIncidents);
        var conjunction = " WHERE ";
        if (query.UseCaseId is { } useCaseId)
        {
            sql.Append(conjunction).Append("use_case_id = $useCase");
            conjunction = " AND ";
            command.Parameters.AddWithValue("$useCase", useCaseId);
        }

        if (query.Since is { } since)
        {
            sql.Append(conjunction).Append("time >= $since");
            command.Parameters.AddWithValue("$since", GovernanceStateRows.FormatTime(since));
        }

        sql.Append(" ORDER BY seq DESC LIMIT $limit");
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, MaxIncidentLimit));
        command.CommandText = sql.ToString();
        return await ReadAllAsync(command, GovernanceStateRows.ReadIncident, cancellationToken);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_schema.IsInitialized)
        {
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
            using var creator = new SqliteConnection(_createConnectionString);
            SqliteConnection.ClearPool(creator);
        }

        _schema.Dispose();
    }

    private static async Task<List<T>> ReadAllAsync<T>(SqliteCommand command, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private async ValueTask<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await EnsureInitializedAsync(cancellationToken);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            SqliteDatabaseFile.ThrowIfMoved(connection, _databasePath, "governance state");
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
        SqliteFiles.CreateOwnerOnly(_databasePath);

        await using var connection = new SqliteConnection(_createConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = SqliteGovernanceStateSchema.Create;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await AddMissingColumnsAsync(connection, cancellationToken);

        // Once, on first use: where the kill switches, incidents and reviews of this gateway are kept.
        LogOpened(_logger, _databasePath);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Governance state (status changes, suspensions, incidents, reviews) is kept in SQLite database {Path}.")]
    private static partial void LogOpened(ILogger logger, string path);

    /// <summary>
    /// Upgrades a file an earlier gateway version created. Under the write lock, so two processes starting on one old
    /// file do not both add a column (the second would fail on the duplicate).
    /// </summary>
    private static async Task AddMissingColumnsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteGovernanceStateSchema.SelectUseCaseColumnNames;
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add(reader.GetString(0));
            }
        }

        foreach (var (column, addColumn) in SqliteGovernanceStateSchema.AddedColumns)
        {
            if (!present.Contains(column))
            {
                command.CommandText = addColumn;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
