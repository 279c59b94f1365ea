using Npgsql;

namespace XefAI.Governance;

/// <summary>Start-up checks of the PostgreSQL connection strings every store's options hold.</summary>
internal static class PostgresConnectionStrings
{
    /// <summary>Messages name the key and Npgsql's reason, never the value: it may hold a password.</summary>
    public static void Validate(string key, string connectionString, List<string> errors)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            errors.Add($"{key} is not a valid Npgsql connection string: {ex.Message}");
            return;
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            errors.Add($"{key} must name a Host.");
        }
    }
}
