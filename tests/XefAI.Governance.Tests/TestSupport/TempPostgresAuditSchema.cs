using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>An empty schema in a test class's database, and the stores opened on it, disposed together.</summary>
internal sealed class TempPostgresAuditSchema : IAsyncDisposable
{
    private readonly List<PostgresAuditStore> _stores = [];
    private readonly NpgsqlDataSource _foreign;

    private TempPostgresAuditSchema(string connectionString)
    {
        ConnectionString = connectionString;

        // Pooled, and without loading the server's types (~30 ms a data source): a test reads only built-in ones.
        var foreign = new NpgsqlDataSourceBuilder(connectionString);
        foreign.ConfigureTypeLoading(typeLoading => typeLoading.EnableTypeLoading(false));
        _foreign = foreign.Build();
    }

    /// <summary>
    /// The commit bound of a test's store unless it tests the bound itself: the bound counts from a record's queueing,
    /// so a test that queues thousands at once on a loaded 2-core runner waits through all the batches before it, and
    /// the production default of 3 s failed such a test in CI.
    /// </summary>
    public const int TestCommitTimeoutSeconds = 60;

    /// <summary>Connects to the schema alone: its <c>Search Path</c> is set.</summary>
    public string ConnectionString { get; }

    public static async Task<TempPostgresAuditSchema> CreateAsync(PostgresDatabase database) =>
        new(await database.CreateSchemaAsync());

    /// <summary>A store with its own data source: to PostgreSQL, as separate as another gateway process.</summary>
    /// <param name="anchorPath">Its anchor file; none by default, so tests that share a working directory share none.</param>
    public PostgresAuditStore CreateStore(
        int maxBatchSize = 256,
        Action<NpgsqlConnectionStringBuilder>? configure = null,
        int commitTimeoutSeconds = TestCommitTimeoutSeconds,
        string? instanceName = null,
        string anchorPath = "",
        ILogger<PostgresAuditStore>? logger = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        configure?.Invoke(builder);
        var store = CreateStore(builder.ConnectionString, maxBatchSize, commitTimeoutSeconds, instanceName, anchorPath, logger);
        _stores.Add(store);
        return store;
    }

    /// <remarks>Checkpoints are left to the test (<see cref="PostgresAuditStore.TakeCheckpointAsync"/>): the interval is an hour.</remarks>
    public static PostgresAuditStore CreateStore(
        string? connectionString,
        int maxBatchSize = 256,
        int commitTimeoutSeconds = TestCommitTimeoutSeconds,
        string? instanceName = null,
        string anchorPath = "",
        ILogger<PostgresAuditStore>? logger = null) =>
        new(
            Options.Create(new AuditOptions
            {
                Store = PostgresAuditStore.StoreKind,
                MaxBatchSize = maxBatchSize,
                Postgres = new PostgresAuditOptions
                {
                    ConnectionString = connectionString,
                    CommitTimeoutSeconds = commitTimeoutSeconds,
                    InstanceName = instanceName,
                    CheckpointIntervalSeconds = PostgresAuditStore.MaxCheckpointIntervalSeconds,
                    AnchorPath = anchorPath,
                },
            }),
            TimeProvider.System,
            logger ?? NullLogger<PostgresAuditStore>.Instance);

    /// <summary>A connection of someone else's, such as an attacker's with direct access to the database.</summary>
    public ValueTask<NpgsqlConnection> OpenForeignConnectionAsync() => _foreign.OpenConnectionAsync();

    /// <summary>The schema's name (the connection's search path).</summary>
    public string Name => new NpgsqlConnectionStringBuilder(ConnectionString).SearchPath!;

    /// <summary>The schema dropped with everything in it and created again empty, as a DBA's mistake would leave it.</summary>
    public Task DropAndRecreateAsync() => ExecuteAsync($"DROP SCHEMA {Name} CASCADE; CREATE SCHEMA {Name}");

    public async Task ExecuteAsync(string sql)
    {
        await using var command = _foreign.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var command = _foreign.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await _foreign.DisposeAsync();
    }
}
