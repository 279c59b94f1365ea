using Microsoft.Extensions.Options;
using Npgsql;
using XefAI.Governance.Reviews;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// An empty schema in a test class's database, and the governance state stores and review queues opened on it,
/// disposed together. Each store or queue has its own data source: to PostgreSQL, as separate as another replica.
/// </summary>
internal sealed class TempPostgresGovernanceSchema : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly NpgsqlDataSource _foreign;

    private TempPostgresGovernanceSchema(string connectionString)
    {
        ConnectionString = connectionString;

        // Without loading the server's types (~30 ms a data source): a test reads only built-in ones.
        var foreign = new NpgsqlDataSourceBuilder(connectionString);
        foreign.ConfigureTypeLoading(typeLoading => typeLoading.EnableTypeLoading(false));
        _foreign = foreign.Build();
    }

    /// <summary>Connects to the schema alone: its <c>Search Path</c> is set.</summary>
    public string ConnectionString { get; }

    public static async Task<TempPostgresGovernanceSchema> CreateAsync(PostgresDatabase database) =>
        new(await database.CreateSchemaAsync());

    /// <summary>The configuration keys that put a governance layer's state and reviews in this schema.</summary>
    public Dictionary<string, string?> Configuration(Dictionary<string, string?>? configuration = null) =>
        new(configuration ?? [])
        {
            ["Governance:StateStore"] = "postgres",
            ["Governance:Postgres:ConnectionString"] = ConnectionString,
        };

    public PostgresGovernanceStateStore CreateStore(Action<NpgsqlConnectionStringBuilder>? configure = null, int commandTimeoutSeconds = 5) =>
        Own(new PostgresGovernanceStateStore(Options(configure, commandTimeoutSeconds)));

    public PostgresReviewQueue CreateReviewQueue(TimeProvider? time = null, int commandTimeoutSeconds = 5) =>
        Own(new PostgresReviewQueue(Options(null, commandTimeoutSeconds), time ?? TimeProvider.System));

    public PostgresTokenReplayStore CreateTokenReplayStore(TimeProvider time) =>
        Own(new PostgresTokenReplayStore(Options(null, 5), time));

    /// <summary>A connection of its own, for a test that holds a transaction open (and its locks) while a store works.</summary>
    public async Task<NpgsqlConnection> OpenForeignConnectionAsync()
    {
        var connection = await _foreign.OpenConnectionAsync();
        _owned.Add(connection);
        return connection;
    }

    /// <summary>A connection of someone else's, such as an administrator's with direct access to the database.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var command = _foreign.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var command = _foreign.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await _foreign.DisposeAsync();
    }

    private IOptions<GovernanceOptions> Options(Action<NpgsqlConnectionStringBuilder>? configure, int commandTimeoutSeconds)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        configure?.Invoke(builder);
        return Microsoft.Extensions.Options.Options.Create(new GovernanceOptions
        {
            StateStore = PostgresGovernanceStateStore.StoreKind,
            Postgres = new GovernancePostgresOptions { ConnectionString = builder.ConnectionString, CommandTimeoutSeconds = commandTimeoutSeconds },
        });
    }

    private T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }
}
