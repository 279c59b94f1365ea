using System.Diagnostics;
using System.Globalization;
using Npgsql;
using XefAI.Testing;

namespace XefAI.AuditStore.Benchmarks;

/// <summary>
/// A throwaway PostgreSQL from <see cref="PostgresServer"/>, restarted with the durability settings at their
/// defaults (<c>fsync</c>, <c>synchronous_commit</c>, <c>full_page_writes</c> on): the test server turns them off,
/// and the point here is PostgreSQL's own fsync limit.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly PostgresServer _server;

    private BenchServer(PostgresServer server) => _server = server;

    public string Folder => _server.Folder;

    public static async Task<BenchServer> StartAsync()
    {
        var server = await PostgresServer.StartAsync();
        var port = server.Port.ToString(CultureInfo.InvariantCulture);

        // Only sizes are set: enough connections for 3 writer processes, and WAL room for a 10M-record fill.
        var options = $"-p {port} -h {PostgresServer.Host} -k '{server.Folder}' -c max_connections=300 -c shared_buffers=512MB -c max_wal_size=8GB";
        await RunPgCtlAsync(server.Folder, ["-D", Path.Combine(server.Folder, "data"), "-l", server.LogPath, "-m", "fast", "-w", "-t", "60", "-o", options, "restart"]);
        var bench = new BenchServer(server);
        await using var source = PostgresServer.CreateAdminDataSource(server.GetConnectionString());
        foreach (var setting in new[] { "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "server_version" })
        {
            await using var show = source.CreateCommand("SHOW " + setting);
            Console.WriteLine($"# PostgreSQL {setting} = {await show.ExecuteScalarAsync()}");
        }

        return bench;
    }

    public Task<string> CreateDatabaseAsync(string name) => _server.CreateDatabaseAsync(name);

    public async Task DropDatabaseAsync(string name)
    {
        await using var source = PostgresServer.CreateAdminDataSource(_server.GetConnectionString());
        await using var command = source.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await command.ExecuteNonQueryAsync();
    }

    public static NpgsqlDataSource Admin(string connectionString) => PostgresServer.CreateAdminDataSource(connectionString);

    /// <summary>pg_test_fsync's fdatasync figure on the server's disk: the ceiling of single-row commits per second.</summary>
    public async Task<string> TestFsyncAsync()
    {
        var tool = Path.Combine(BinDirectory(), "pg_test_fsync");
        if (!File.Exists(tool))
        {
            return "pg_test_fsync not installed";
        }

        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-s", "2", "-f", Path.Combine(Folder, "fsync-test.out") })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith("fdatasync", StringComparison.Ordinal));
        return line is null ? "pg_test_fsync: no fdatasync line" : string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static string BinDirectory() =>
        Directory.EnumerateDirectories("/usr/lib/postgresql")
            .Select(directory => Path.Combine(directory, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "pg_ctl")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var version) ? version : 0)
            .First();

    private static async Task RunPgCtlAsync(string folder, string[] arguments)
    {
        var pgCtl = Path.Combine(BinDirectory(), "pg_ctl");
        var root = Environment.IsPrivilegedProcess;
        var start = new ProcessStartInfo(root ? "runuser" : pgCtl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        if (root)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", pgCtl })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl restart failed: {await error} {await output}");
        }
    }
}
