using Microsoft.Extensions.Options;
using Npgsql;

namespace XefAI.Governance;

/// <summary>
/// Accepted token ids in the PostgreSQL governance state database (<c>Governance:Postgres</c>), so a token accepted
/// by one replica is refused by every other. The table is created on first use (under the schema lock, as the other
/// governance tables are), so a database an earlier version made gains it in place.
/// </summary>
internal sealed class PostgresTokenReplayStore : ITokenReplayStore, IAsyncDisposable, IDisposable
{
    // Times are fixed-width UTC text, as in the state tables, so they compare as text in the "C" collation.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS token_replays (
            issuer text NOT NULL,
            jti text NOT NULL,
            forget_after text COLLATE "C" NOT NULL,
            PRIMARY KEY (issuer, jti)
        );
        CREATE INDEX IF NOT EXISTS token_replays_forget_after ON token_replays (forget_after);
        """;

    private const string IsComplete =
        "SELECT to_regclass('token_replays') IS NOT NULL AND to_regclass('token_replays_forget_after') IS NOT NULL";

    private readonly TimeProvider _time;
    private readonly Lazy<NpgsqlDataSource> _dataSource;
    private readonly GovernancePostgresOptions? _postgres;
    private readonly OnceInitializer _schema = new();
    private int _disposed;

    // No I/O here, and no failure when unconfigured: a missing connection string is the validator's to report.
    public PostgresTokenReplayStore(IOptions<GovernanceOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var postgres = options.Value.Postgres;
        _postgres = postgres;
        _time = time;
        _dataSource = new Lazy<NpgsqlDataSource>(() => PostgresGovernanceStateSchema.CreateDataSource(postgres, "token replays"));
    }

    public async ValueTask<bool> TryRecordAsync(string issuer, string tokenId, DateTimeOffset forgetAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(tokenId);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _schema.EnsureAsync(static (store, token) => store.CreateSchemaAsync(token), this, cancellationToken);
        await using var connection = await _dataSource.Value.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("DELETE FROM token_replays WHERE forget_after <= $1", connection);
        PostgresGovernanceStateSchema.AddText(command.Parameters, TokenReplayPruning.PruneBefore(_time.GetUtcNow()), "now");
        await command.ExecuteNonQueryAsync(cancellationToken);

        // The primary key decides between replicas racing with one token: exactly one insert counts.
        command.Parameters.Clear();
        command.CommandText = "INSERT INTO token_replays (issuer, jti, forget_after) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        PostgresGovernanceStateSchema.AddText(command.Parameters, issuer, nameof(issuer));
        PostgresGovernanceStateSchema.AddText(command.Parameters, tokenId, nameof(tokenId));
        PostgresGovernanceStateSchema.AddText(command.Parameters, GovernanceStateRows.FormatTime(forgetAfter), nameof(forgetAfter));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
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

    private Task CreateSchemaAsync(CancellationToken cancellationToken) =>
        PostgresGovernanceStateSchema.CreateTableAsync(_postgres, _dataSource.Value, "token replays", IsComplete, Schema, cancellationToken);
}
