using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace XefAI.Governance;

/// <summary>
/// Accepted token ids in the SQLite governance state file (<c>Governance:Sqlite:Path</c>), shared by every gateway
/// process on the host that uses that file. The table is created on first use, so a file an earlier version made
/// gains it in place.
/// </summary>
internal sealed class SqliteTokenReplayStore : ITokenReplayStore, IDisposable
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS token_replays (
            issuer TEXT NOT NULL,
            jti TEXT NOT NULL,
            forget_after TEXT NOT NULL,
            PRIMARY KEY (issuer, jti)
        ) STRICT;
        CREATE INDEX IF NOT EXISTS ix_token_replays_forget_after ON token_replays (forget_after);
        """;

    private readonly string _databasePath;
    private readonly string _connectionString;
    private readonly string _createConnectionString;
    private readonly TimeProvider _time;
    private readonly OnceInitializer _schema = new();

    // No I/O here: it is constructed whichever store configuration selects.
    public SqliteTokenReplayStore(IOptions<GovernanceOptions> options, TimeProvider time, IHostEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sqlite = options.Value.Sqlite;
        _databasePath = Path.GetFullPath(sqlite.Path, environment?.ContentRootPath ?? Directory.GetCurrentDirectory());
        (_connectionString, _createConnectionString) = SqliteFiles.ConnectionStrings(_databasePath, sqlite.BusyTimeoutSeconds);
        _time = time;
    }

    public async ValueTask<bool> TryRecordAsync(string issuer, string tokenId, DateTimeOffset forgetAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(tokenId);
        await _schema.EnsureAsync(static (store, token) => store.CreateSchemaAsync(token), this, cancellationToken);
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        SqliteDatabaseFile.ThrowIfMoved(connection, _databasePath, "token replay");

        // One write transaction: the prune and the insert see the same table, whichever process comes next.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM token_replays WHERE forget_after <= $now";
        command.Parameters.AddWithValue("$now", TokenReplayPruning.PruneBefore(_time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken);

        command.Parameters.Clear();
        command.CommandText = "INSERT INTO token_replays (issuer, jti, forget_after) VALUES ($issuer, $jti, $forget) ON CONFLICT DO NOTHING";
        command.Parameters.AddWithValue("$issuer", issuer);
        command.Parameters.AddWithValue("$jti", tokenId);
        command.Parameters.AddWithValue("$forget", GovernanceStateRows.FormatTime(forgetAfter));
        var recorded = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        await transaction.CommitAsync(cancellationToken);
        return recorded;
    }

    public void Dispose() => _schema.Dispose();

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        SqliteFiles.CreateOwnerOnly(_databasePath);
        await using var connection = new SqliteConnection(_createConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = Schema;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
