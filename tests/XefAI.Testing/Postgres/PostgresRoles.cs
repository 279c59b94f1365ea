using Npgsql;

namespace XefAI.Testing;

/// <summary>
/// A fresh database on the shared <see cref="PostgresServer"/> set up the way the README tells an operator to: the
/// repository's <c>deploy/postgres/roles.sql</c> run by the superuser creates an owner role and a restricted gateway
/// role, and <c>deploy/postgres/grants.sql</c> (<see cref="GrantAsync"/>) gives the gateway role its table rights
/// after a migration. Roles are cluster-wide, so each instance names its own pair.
/// </summary>
public sealed class PostgresRoles
{
    /// <summary>What the tests pass for the psql password variables: trust authentication on loopback ignores it.</summary>
    public const string PlaceholderPassword = "placeholder-not-a-secret";

    /// <summary>The schema roles.sql creates and sets as both roles' search_path.</summary>
    public const string Schema = "xefai";

    private readonly PostgresServer _server;

    private PostgresRoles(PostgresServer server, string database, string suffix)
    {
        _server = server;
        Database = database;
        OwnerRole = "xefai_owner_" + suffix;
        GatewayRole = "xefai_gateway_" + suffix;
    }

    /// <summary>
    /// The folder of the SQL files the README documents, found upwards from the test binaries (this file is also
    /// compiled into projects that do not reference the host, so it does not use <c>GatewayHost.RepositoryRoot</c>).
    /// </summary>
    public static string ScriptFolder { get; } = FindScriptFolder();

    public string Database { get; }

    public string OwnerRole { get; }

    public string GatewayRole { get; }

    /// <summary>For <c>Audit:Postgres:MigrationConnectionString</c>: no Search Path, the role's own setting applies.</summary>
    public string OwnerConnectionString => ConnectionString(OwnerRole);

    /// <summary>For <c>Audit:Postgres:ConnectionString</c>: the role the gateway serves calls with.</summary>
    public string GatewayConnectionString => ConnectionString(GatewayRole);

    public string SuperuserConnectionString => _server.GetConnectionString(Database);

    /// <summary>Creates a database and runs roles.sql in it as the superuser.</summary>
    public static async Task<PostgresRoles> CreateAsync(CancellationToken cancellationToken = default)
    {
        var server = await PostgresServer.GetSharedAsync();
        var database = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync(cancellationToken: cancellationToken)).Database!;
        var roles = new PostgresRoles(server, database, Guid.NewGuid().ToString("N")[..12]);
        await server.RunScriptAsync(
            database,
            Path.Combine(ScriptFolder, "roles.sql"),
            new Dictionary<string, string>
            {
                ["owner_role"] = roles.OwnerRole,
                ["gateway_role"] = roles.GatewayRole,
                ["owner_password"] = PlaceholderPassword,
                ["gateway_password"] = PlaceholderPassword,
            },
            cancellationToken: cancellationToken);
        return roles;
    }

    /// <summary>Runs grants.sql as the owner role, as after a migration.</summary>
    public Task GrantAsync(CancellationToken cancellationToken = default) =>
        _server.RunScriptAsync(
            Database,
            Path.Combine(ScriptFolder, "grants.sql"),
            new Dictionary<string, string> { ["gateway_role"] = GatewayRole },
            OwnerRole,
            cancellationToken);

    /// <summary>Runs one statement as <paramref name="connectionString"/>'s role; the first column of the first row.</summary>
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var source = PostgresServer.CreateAdminDataSource(connectionString);
        await using var command = source.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    private static string FindScriptFolder()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "XefAI.Gateway.sln")))
        {
            directory = directory.Parent;
        }

        return directory is null
            ? throw new InvalidOperationException("The repository root (XefAI.Gateway.sln) was not found.")
            : Path.Combine(directory.FullName, "deploy", "postgres");
    }

    private string ConnectionString(string role) =>
        new NpgsqlConnectionStringBuilder(_server.GetConnectionString(Database)) { Username = role, Password = PlaceholderPassword }.ConnectionString;
}
