using Npgsql;
using NpgsqlTypes;

namespace XefAI.Governance;

/// <summary>
/// Gives the gateway's own role exactly its rights on the tables a migration just created or upgraded, by running
/// <c>deploy/postgres/grants.sql</c> (embedded) as the owner, in the migration's transaction. So a gateway started
/// with an owner's migration connection string serves at once, instead of failing closed until a DBA runs the file.
/// </summary>
internal static class PostgresGrants
{
    private const string Resource = "XefAI.Governance.grants.sql";

    // psql's variables and meta-commands come before the DO block; the block itself is plain SQL reading the role
    // name from a session setting, so it runs the same from psql and from here.
    private static readonly Lazy<string> Block = new(ReadBlock);

    /// <summary>
    /// Grants to the role the store's own connections log in as, unless that is the migrating role itself (one role
    /// for both: nothing to grant).
    /// </summary>
    public static async Task GrantAsync(NpgsqlDataSource gateway, NpgsqlConnection owner, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        string gatewayRole;
        await using (var connection = await gateway.OpenConnectionAsync(cancellationToken))
        await using (var who = new NpgsqlCommand("SELECT current_user", connection))
        {
            gatewayRole = (string)(await who.ExecuteScalarAsync(cancellationToken))!;
        }

        await using var command = new NpgsqlCommand("SELECT current_user", owner, transaction);
        if (string.Equals((string?)await command.ExecuteScalarAsync(cancellationToken), gatewayRole, StringComparison.Ordinal))
        {
            return;
        }

        command.CommandText = "SELECT set_config('xefai.gateway_role', $1, true)";
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = gatewayRole });
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.Parameters.Clear();
        command.CommandText = Block.Value;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string ReadBlock()
    {
        using var stream = typeof(PostgresGrants).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The embedded {Resource} is missing from the Governance assembly.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var start = text.IndexOf("DO $$", StringComparison.Ordinal);
        return start < 0
            ? throw new InvalidOperationException($"The embedded {Resource} holds no DO block.")
            : text[start..];
    }
}
