using Microsoft.Data.Sqlite;
using Npgsql;

namespace XefAI.Governance.Tests;

public sealed class StoreFailuresTests : IDisposable
{
    private readonly string _folder = GovernanceServices.NewFolder();

    public StoreFailuresTests() => Directory.CreateDirectory(_folder);

    [Fact]
    public void IsTimeout_AWaitThatRanOut_IsATimeout()
    {
        Exception[] timeouts =
        [
            new SqliteException("SQLite Error 5: 'database is locked'.", 5, 5),
            new SqliteException("SQLite Error 6: 'database table is locked'.", 6, 6),
            new TimeoutException(),
            new NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt")),
            new PostgresException("canceling statement due to statement timeout", "ERROR", "ERROR", PostgresErrorCodes.QueryCanceled),
            new PostgresException("canceling statement due to lock timeout", "ERROR", "ERROR", PostgresErrorCodes.LockNotAvailable),
            new GovernanceStateUnavailableException("wrapped", new SqliteException("locked", 5, 5)),
        ];

        Assert.All(timeouts, failure => Assert.True(StoreFailures.IsTimeout(failure), failure.Message));
    }

    [Fact]
    public void IsTimeout_ARefusalWaitingDoesNotCure_IsNotATimeout()
    {
        Exception[] refusals =
        [
            new SqliteException("moved", 8, 1032), // SQLITE_READONLY_DBMOVED
            new SqliteException("SQLite Error 8: 'attempt to write a readonly database'.", 8, 8),
            new SqliteException("SQLite Error 13: 'database or disk is full'.", 13, 13),
            new SqliteException("SQLite Error 14: 'unable to open database file'.", 14, 14),
            new SqliteException("SQLite Error 1: 'no such table: reviews'.", 1, 1),
            new PostgresException("permission denied for table reviews", "ERROR", "ERROR", PostgresErrorCodes.InsufficientPrivilege),
            new NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException(111)),
            new InvalidOperationException("driver fault"),
        ];

        Assert.All(refusals, failure => Assert.False(StoreFailures.IsTimeout(failure), failure.Message));
    }

    [Fact]
    public async Task IsTimeout_WriteAgainstAHeldLock_IsATimeout()
    {
        var path = Path.Combine(_folder, "locked.db");
        await using var holder = new SqliteConnection($"Data Source={path};Pooling=False");
        await holder.OpenAsync();
        await Execute(holder, "CREATE TABLE t (x INTEGER); BEGIN EXCLUSIVE;");
        await using var writer = new SqliteConnection($"Data Source={path};Pooling=False;Default Timeout=1");
        await writer.OpenAsync();

        var failure = await Assert.ThrowsAsync<SqliteException>(() => Execute(writer, "INSERT INTO t VALUES (1)"));

        Assert.True(StoreFailures.IsTimeout(failure));
    }

    [Fact]
    public async Task IsTimeout_WriteToAReadOnlyDatabase_IsNotATimeout()
    {
        var path = Path.Combine(_folder, "read-only.db");
        await using (var create = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await create.OpenAsync();
            await Execute(create, "CREATE TABLE t (x INTEGER)");
        }

        await using var reader = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        await reader.OpenAsync();

        var failure = await Assert.ThrowsAsync<SqliteException>(() => Execute(reader, "INSERT INTO t VALUES (1)"));

        Assert.False(StoreFailures.IsTimeout(failure));
    }

    public void Dispose() => GovernanceServices.DeleteFolder(_folder);

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
