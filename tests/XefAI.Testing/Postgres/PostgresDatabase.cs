using Npgsql;

namespace XefAI.Testing;

/// <summary>
/// One fresh database on the shared <see cref="PostgresServer"/>, created on first use. Made to be a test
/// class's fixture: the class pays for one database (about 0.1 s), and each test takes an empty schema of
/// its own (<see cref="CreateSchemaAsync"/>, some tens of milliseconds). Nothing is started when no test asks, so a
/// class whose tests are all skipped costs nothing.
/// </summary>
public sealed class PostgresDatabase
{
    private readonly Lazy<Task<string>> _connectionString =
        new(async () => await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync());

    /// <summary>The database's connection string; objects land in its <c>public</c> schema.</summary>
    public Task<string> GetConnectionStringAsync() => _connectionString.Value;

    /// <summary>Creates an empty schema and returns a connection string whose <c>Search Path</c> is that schema.</summary>
    public async Task<string> CreateSchemaAsync(CancellationToken cancellationToken = default)
    {
        var schema = "test_" + Guid.NewGuid().ToString("N");
        await using (var source = PostgresServer.CreateAdminDataSource(await GetConnectionStringAsync()))
        await using (var command = source.CreateCommand("CREATE SCHEMA " + schema))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(await GetConnectionStringAsync()) { SearchPath = schema }.ConnectionString;
    }
}
