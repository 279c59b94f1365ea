using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace XefAI.AuditStore.Benchmarks;

/// <summary>
/// Issue 11 item 6: audit commits/s from 1, 2 and 3 writer processes at once, one chain per process (today's store)
/// against the single chain every writer locked (the baseline), interleaved and repeated so the ratios come from the
/// same minutes; plus PostgreSQL's fsync-bound ceiling on this disk.
/// </summary>
internal static class WritersBenchmark
{
    public static async Task RunAsync(Arguments options)
    {
        var seconds = options.Double("seconds", 10);
        var rounds = options.Int("rounds", 2);
        PrintMachine();
        await using var server = await BenchServer.StartAsync();
        Console.WriteLine($"# pg_test_fsync on the server's disk: {await server.TestFsyncAsync()}");
        Console.WriteLine($"# one row per commit, one session, 5 s: {await SingleRowCommitsAsync(server):N0} commits/s");

        var results = new List<(int Round, LoadResult Result)>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var processes in new[] { 1, 2, 3 })
            {
                foreach (var design in new[] { "new", "old" })
                {
                    var result = await WriterLoad.RunAsync(server, design, processes, seconds);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"# round {round}: {design} x{processes}: {result.Total:N0}/s ({result.PerProcessText}), p50 {result.P50:N1} ms, p99 {result.P99:N1} ms, failures {result.Failures}, {result.Verified}"));
                    results.Add((round, result));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{WriterLoad.Appenders} appenders per process, batches of up to 256, {seconds:N0} s measured after 3 s warm-up; commits/s = audit records durably committed per second.");
        Console.WriteLine();
        Console.WriteLine("| round | processes | design | commits/s total | per process | p50 append | p99 append | failed | vs single chain |");
        Console.WriteLine("|---:|---:|---|---:|---|---:|---:|---:|---:|");
        foreach (var (round, result) in results)
        {
            var baseline = results.Single(other => other.Round == round && other.Result.Processes == result.Processes && other.Result.Design == "old").Result;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {round} | {result.Processes} | {(result.Design == "new" ? "chain per process" : "single chain (old)")} | {result.Total:N0} | {result.PerProcessText} | {result.P50:N1} ms | {result.P99:N1} ms | {result.Failures} | {result.Total / baseline.Total:N2}× |"));
        }
    }

    public static void PrintMachine()
    {
        Console.WriteLine($"# machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        if (File.Exists("/proc/loadavg"))
        {
            Console.WriteLine($"# load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        }
    }

    // The ceiling no design passes: how many single-row transactions one session gets durably committed per second.
    private static async Task<double> SingleRowCommitsAsync(BenchServer server)
    {
        var name = "fsync_" + Guid.NewGuid().ToString("N")[..12];
        var connection = await server.CreateDatabaseAsync(name);
        try
        {
            await using var admin = BenchServer.Admin(connection);
            await using (var create = admin.CreateCommand("CREATE TABLE t (n bigint)"))
            {
                await create.ExecuteNonQueryAsync();
            }

            await using var session = await admin.OpenConnectionAsync();
            await using var insert = new Npgsql.NpgsqlCommand("INSERT INTO t VALUES (1)", session);
            var clock = Stopwatch.StartNew();
            var commits = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(5))
            {
                await insert.ExecuteNonQueryAsync();
                commits++;
            }

            return commits / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            await server.DropDatabaseAsync(name);
        }
    }
}
