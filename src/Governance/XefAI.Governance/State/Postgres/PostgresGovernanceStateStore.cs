using System.Data;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace XefAI.Governance;

/// <summary>
/// The governance state store gateway replicas on several hosts share: append-only histories in PostgreSQL.
/// Changes take turns at one version row (<see cref="PostgresGovernanceStateSchema"/>), so each replica's 1 s
/// poll is a primary-key lookup and a snapshot read in one transaction matches the version read with it.
/// </summary>
internal sealed class PostgresGovernanceStateStore : IGovernanceStateStore, IAsyncDisposable, IDisposable
{
    public const string StoreKind = "postgres";

    private const int MaxIncidentLimit = 1000;

    private readonly Lazy<NpgsqlDataSource> _dataSource;
    private readonly GovernancePostgresOptions? _postgres;
    private readonly OnceInitializer _schema = new();
    private int _disposed;

    // No I/O here, and no failure when unconfigured: every registered store is constructed, selected or not.
    public PostgresGovernanceStateStore(IOptions<GovernanceOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var postgres = options.Value.Postgres;
        _postgres = postgres;
        _dataSource = new Lazy<NpgsqlDataSource>(() => PostgresGovernanceStateSchema.CreateDataSource(postgres, "governance state store"));
    }

    public string Kind => StoreKind;

    public async ValueTask<long> GetVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(PostgresGovernanceStateSchema.SelectVersion, connection);
        return await command.ExecuteScalarAsync(cancellationToken) as long? ?? throw MissingVersionRow();
    }

    public async ValueTask<GovernanceStateSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // One snapshot for the four statements, so the version matches the rows read with it; a reader takes
        // no lock a writer waits for. Sent as one batch: one round trip, then the commit.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(PostgresGovernanceStateSchema.SelectVersion),
                new NpgsqlBatchCommand(PostgresGovernanceStateSchema.SelectLatestUseCaseChanges),
                new NpgsqlBatchCommand(PostgresGovernanceStateSchema.SelectLatestDeploymentChanges),
                new NpgsqlBatchCommand(PostgresGovernanceStateSchema.SelectSponsorApprovals),
            },
        };

        long version;
        var useCases = new List<UseCaseStatusChange>();
        var deployments = new List<DeploymentSuspensionChange>();
        var approvals = new List<UseCaseStatusChange>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            version = await reader.ReadAsync(cancellationToken) ? reader.GetInt64(0) : throw MissingVersionRow();
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                useCases.Add(GovernanceStateRows.ReadUseCaseChange(reader));
            }

            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                deployments.Add(PostgresGovernanceStateSchema.ReadDeploymentChange(reader));
            }

            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                approvals.Add(GovernanceStateRows.ReadUseCaseChange(reader));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new GovernanceStateSnapshot(version, useCases, deployments) { SponsorApprovals = approvals };
    }

    public async ValueTask<IReadOnlyList<UseCaseStatusChange>> GetUseCaseHistoryAsync(string useCaseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(useCaseId);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(PostgresGovernanceStateSchema.SelectUseCaseHistory, connection);
        PostgresGovernanceStateSchema.AddText(command.Parameters, useCaseId, nameof(useCaseId));
        return await ReadAllAsync(command, GovernanceStateRows.ReadUseCaseChange, cancellationToken);
    }

    public async ValueTask<UseCaseStatusChange?> TryAppendUseCaseChangeAsync(
        UseCaseStatusChange change, string? expectedLatestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var insert = new NpgsqlCommand(PostgresGovernanceStateSchema.InsertUseCaseChange);
        var parameters = insert.Parameters;
        PostgresGovernanceStateSchema.Add(parameters, NpgsqlDbType.Bigint, 0L);
        PostgresGovernanceStateSchema.AddText(parameters, change.Id, nameof(change.Id));
        PostgresGovernanceStateSchema.AddText(parameters, change.UseCaseId, nameof(change.UseCaseId));
        PostgresGovernanceStateSchema.AddText(parameters, GovernanceStateRows.FormatAction(change.Action), nameof(change.Action));
        PostgresGovernanceStateSchema.AddText(parameters, GovernanceStateRows.FormatStatus(change.From), nameof(change.From));
        PostgresGovernanceStateSchema.AddText(parameters, GovernanceStateRows.FormatStatus(change.To), nameof(change.To));
        PostgresGovernanceStateSchema.AddText(parameters, change.Actor, nameof(change.Actor));
        PostgresGovernanceStateSchema.AddText(parameters, change.Reason, nameof(change.Reason));
        PostgresGovernanceStateSchema.AddText(parameters, change.ClinicalSponsor, nameof(change.ClinicalSponsor));
        PostgresGovernanceStateSchema.AddText(parameters, GovernanceStateRows.FormatTime(change.Time), nameof(change.Time));
        PostgresGovernanceStateSchema.Add(parameters, NpgsqlDbType.Integer, change.RiskTier is { } tier ? (int)tier : null);

        var sequence = await TryAppendAsync(
            PostgresGovernanceStateSchema.SelectLatestUseCaseChangeId, change.UseCaseId, expectedLatestId, insert, cancellationToken);
        return sequence is { } stored ? change with { Sequence = stored } : null;
    }

    public async ValueTask<IReadOnlyList<DeploymentSuspensionChange>> GetDeploymentHistoryAsync(string deploymentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deploymentId);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(PostgresGovernanceStateSchema.SelectDeploymentHistory, connection);
        PostgresGovernanceStateSchema.AddText(command.Parameters, deploymentId, nameof(deploymentId));
        return await ReadAllAsync(command, PostgresGovernanceStateSchema.ReadDeploymentChange, cancellationToken);
    }

    public async ValueTask<DeploymentSuspensionChange?> TryAppendDeploymentChangeAsync(
        DeploymentSuspensionChange change, string? expectedLatestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var insert = new NpgsqlCommand(PostgresGovernanceStateSchema.InsertDeploymentChange);
        var parameters = insert.Parameters;
        PostgresGovernanceStateSchema.Add(parameters, NpgsqlDbType.Bigint, 0L);
        PostgresGovernanceStateSchema.AddText(parameters, change.Id, nameof(change.Id));
        PostgresGovernanceStateSchema.AddText(parameters, change.DeploymentId, nameof(change.DeploymentId));
        PostgresGovernanceStateSchema.Add(parameters, NpgsqlDbType.Boolean, change.Suspended);
        PostgresGovernanceStateSchema.AddText(parameters, change.Actor, nameof(change.Actor));
        PostgresGovernanceStateSchema.AddText(parameters, change.Reason, nameof(change.Reason));
        PostgresGovernanceStateSchema.AddText(parameters, GovernanceStateRows.FormatTime(change.Time), nameof(change.Time));

        var sequence = await TryAppendAsync(
            PostgresGovernanceStateSchema.SelectLatestDeploymentChangeId, change.DeploymentId, expectedLatestId, insert, cancellationToken);
        return sequence is { } stored ? change with { Sequence = stored } : null;
    }

    public async ValueTask<Incident> AppendIncidentAsync(Incident incident, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(PostgresGovernanceStateSchema.InsertIncident, connection);
        var parameters = command.Parameters;
        PostgresGovernanceStateSchema.AddText(parameters, incident.Id, nameof(incident.Id));
        PostgresGovernanceStateSchema.AddText(parameters, incident.AuditId, nameof(incident.AuditId));
        PostgresGovernanceStateSchema.AddText(parameters, incident.UseCaseId, nameof(incident.UseCaseId));
        PostgresGovernanceStateSchema.AddText(parameters, incident.Reporter, nameof(incident.Reporter));
        PostgresGovernanceStateSchema.AddText(parameters, incident.Description, nameof(incident.Description));
        PostgresGovernanceStateSchema.AddText(parameters, GovernanceStateRows.FormatSeverity(incident.Severity), nameof(incident.Severity));
        PostgresGovernanceStateSchema.AddText(parameters, GovernanceStateRows.FormatTime(incident.Time), nameof(incident.Time));

        // Incidents do not move the version: appending one takes no turn at the version row.
        var sequence = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return incident with { Sequence = sequence };
    }

    public async ValueTask<IReadOnlyList<Incident>> QueryIncidentsAsync(IncidentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder(PostgresGovernanceStateSchema.SelectIncidents);
        var conjunction = " WHERE ";
        if (query.UseCaseId is { } useCaseId)
        {
            PostgresGovernanceStateSchema.AddText(command.Parameters, useCaseId, nameof(query.UseCaseId));
            sql.Append(conjunction).Append("use_case_id = ").Append(Placeholder(command.Parameters.Count));
            conjunction = " AND ";
        }

        if (query.Since is { } since)
        {
            PostgresGovernanceStateSchema.Add(command.Parameters, NpgsqlDbType.Text, GovernanceStateRows.FormatTime(since));
            sql.Append(conjunction).Append("\"time\" >= ").Append(Placeholder(command.Parameters.Count));
        }

        PostgresGovernanceStateSchema.Add(command.Parameters, NpgsqlDbType.Integer, Math.Clamp(query.Limit, 1, MaxIncidentLimit));
        sql.Append(" ORDER BY seq DESC LIMIT ").Append(Placeholder(command.Parameters.Count));
        command.CommandText = sql.ToString();
        return await ReadAllAsync(command, GovernanceStateRows.ReadIncident, cancellationToken);

        static string Placeholder(int position) => "$" + position.ToString(CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync();
        }

        _schema.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static InvalidDataException MissingVersionRow() =>
        new("The governance_state_version row is missing, so changes cannot be ordered; restarting the gateway seeds it from the histories.");

    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>
    /// Takes the next version, which locks the version row until the commit, and only then reads the latest change
    /// of the entity: under READ COMMITTED that read sees every change committed before the lock was granted, so
    /// two replicas cannot both append after the same change. A lost race rolls the version back with the rest.
    /// </summary>
    /// <param name="insert">The INSERT, its first parameter the <c>seq</c> to be filled in.</param>
    /// <returns>The appended change's sequence, or null when the latest change is not <paramref name="expectedLatestId"/>.</returns>
    private async Task<long?> TryAppendAsync(
        string selectLatestId, string entityId, string? expectedLatestId, NpgsqlCommand insert, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await using var claim = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(PostgresGovernanceStateSchema.NextVersion),
                new NpgsqlBatchCommand(selectLatestId) { Parameters = { new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = entityId } } },
            },
        };

        long version;
        string? latestId;
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            version = await reader.ReadAsync(cancellationToken) ? reader.GetInt64(0) : throw MissingVersionRow();
            await reader.NextResultAsync(cancellationToken);
            latestId = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
        }

        if (!string.Equals(latestId, expectedLatestId, StringComparison.Ordinal))
        {
            // Disposing the transaction rolls it back, the version bump with it.
            return null;
        }

        insert.Connection = connection;
        insert.Transaction = transaction;
        insert.Parameters[0].Value = version;
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return version;
    }

    private async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await EnsureInitializedAsync(cancellationToken);
        return await _dataSource.Value.OpenConnectionAsync(cancellationToken);
    }

    private ValueTask EnsureInitializedAsync(CancellationToken cancellationToken) =>
        _schema.EnsureAsync(static (store, token) => store.CreateSchemaAsync(token), this, cancellationToken);

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        await using var migration = PostgresGovernanceStateSchema.CreateMigrationDataSource(_postgres, "governance state store");
        await using var connection = await (migration ?? _dataSource.Value).OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(PostgresGovernanceStateSchema.LockSchema, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);

        // A schema a DBA created ahead needs no DDL, so the gateway's role does not need the right to run it.
        command.CommandText = PostgresGovernanceStateSchema.IsComplete;
        if (await command.ExecuteScalarAsync(cancellationToken) is not true)
        {
            command.CommandText = PostgresGovernanceStateSchema.Create;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        command.CommandText = PostgresGovernanceStateSchema.SeedVersion;
        await command.ExecuteNonQueryAsync(cancellationToken);
        if (migration is not null)
        {
            await PostgresGrants.GrantAsync(_dataSource.Value, connection, transaction, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
