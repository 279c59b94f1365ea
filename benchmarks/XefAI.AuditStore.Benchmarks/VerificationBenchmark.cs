using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XefAI.Governance;

namespace XefAI.AuditStore.Benchmarks;

/// <summary>
/// Issue 11 item 4: verification at 1M and 10M records (full unpaced and paced, then incremental after 10k more
/// records and a checkpoint), each walk in a process of its own; and, on the first size, the writers' throughput
/// (2 processes) with and without a paced full verification running on the same PostgreSQL.
/// </summary>
internal static class VerificationBenchmark
{
    public static async Task RunAsync(Arguments options)
    {
        var sizes = options.Get("sizes", "1000000,10000000").Split(',').Select(size => long.Parse(size, CultureInfo.InvariantCulture)).ToArray();
        var pacedUpTo = options.Long("paced-up-to", 1_000_000);
        var pacedSeconds = options.Double("paced-seconds", 90);
        var seconds = options.Double("seconds", 10);
        var shares = options.Get("shares", "0.1,0.05").Split(',').Select(share => double.Parse(share, CultureInfo.InvariantCulture)).ToArray();
        WritersBenchmark.PrintMachine();
        await using var server = await BenchServer.StartAsync();
        var rows = new List<string>();
        var load = new List<string>();
        foreach (var size in sizes)
        {
            var name = "trail_" + size.ToString(CultureInfo.InvariantCulture);
            var connection = await server.CreateDatabaseAsync(name);
            try
            {
                await TrailFiller.FillAsync(connection, size, chains: 3, checkpointEvery: 100_000);
                rows.Add(await VerifyAsync(connection, size, "full", 1));
                if (size <= pacedUpTo)
                {
                    rows.Add(await VerifyAsync(connection, size, "full", 0.1, pacedSeconds));
                }

                await AppendAsync(connection, 10_000);
                rows.Add(await VerifyAsync(connection, size, "incremental", 1));

                if (size == sizes[0] && options.Get("load", "1") == "1")
                {
                    load.AddRange(await LoadWhileVerifyingAsync(server, connection, seconds, shares, options.Int("load-rounds", 2)));
                }
            }
            finally
            {
                await server.DropDatabaseAsync(name);
            }
        }

        Console.WriteLine();
        Console.WriteLine("| records | walk | busy share | valid | time | records/s | records checked | peak managed heap | peak RSS | RSS at 25/50/75/100 % |");
        Console.WriteLine("|---:|---|---:|---|---:|---:|---:|---:|---:|---|");
        rows.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine("| round | paced full verification running | busy share | commits/s (2 processes) | p99 append | vs without |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|");
        load.ForEach(Console.WriteLine);
    }

    private static async Task<string> VerifyAsync(string connection, long size, string mode, double share, double maxSeconds = 0)
    {
        using var child = new ChildProcess(
            ["verify-child", "--conn", connection, "--mode", mode, "--share", share.ToString(CultureInfo.InvariantCulture), "--max-seconds", maxSeconds.ToString(CultureInfo.InvariantCulture)],
            shareError: true);
        var output = (await child.WaitAsync()).Trim();
        Console.WriteLine($"# {size:N0} {mode} share {share}: {output}");
        var fields = output.Split('\n')[^1].Split(';').Select(field => field.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        var checkedRecords = long.Parse(fields["checked"], CultureInfo.InvariantCulture);
        var time = double.Parse(fields["seconds"], CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {long.Parse(fields["records"], CultureInfo.InvariantCulture):N0} | {mode} (checkpoint {fields["checkpoint"]}{(fields["resumed"].Length > 0 ? ", resumed from " + fields["resumed"] : "")}) | {share} | {fields["valid"]} | {time:N1} s{(fields["valid"] == "stopped" ? " (stopped)" : "")} | {checkedRecords / time:N0} | {checkedRecords:N0} | {fields["managed_mb"]} MB | {fields["rss_peak_mb"]} MB | {fields["rss_mb"]} MB |");
    }

    // 10k more records through the store (its own new chain), then a checkpoint that binds them.
    private static async Task AppendAsync(string connection, int count)
    {
        await using var store = new PostgresAuditStore(
            Options.Create(new AuditOptions { Store = PostgresAuditStore.StoreKind, Postgres = new PostgresAuditOptions { ConnectionString = connection, InstanceName = "append" } }),
            TimeProvider.System,
            NullLogger<PostgresAuditStore>.Instance);
        var clock = Stopwatch.StartNew();
        var next = -1L;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            long n;
            while ((n = Interlocked.Increment(ref next)) < count)
            {
                await store.AppendAsync(SyntheticEntries.Create(n, DateTimeOffset.UtcNow), CancellationToken.None);
            }
        })));
        var checkpoint = await store.TakeCheckpointAsync(CancellationToken.None);
        Console.WriteLine($"# appended {count:N0} records in {clock.Elapsed.TotalSeconds:N1} s; checkpoint taken: {checkpoint}");
    }

    // Writers (2 processes, own database, same server) without and with a paced full verification of the filled
    // trail running in a third process; interleaved, in pairs (--load-rounds, default 2). Shares are tried in order until one stays within 10 %.
    private static async Task<List<string>> LoadWhileVerifyingAsync(BenchServer server, string trail, double seconds, double[] shares, int rounds)
    {
        var rows = new List<string>();
        foreach (var share in shares)
        {
            var ratios = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                var without = await WriterLoad.RunAsync(server, "new", 2, seconds, verify: false);
                using var verifier = new ChildProcess(["verify-child", "--conn", trail, "--mode", "full", "--share", share.ToString(CultureInfo.InvariantCulture), "--loop", "1"]);
                LoadResult with;
                try
                {
                    with = await WriterLoad.RunAsync(server, "new", 2, seconds, verify: false);
                }
                finally
                {
                    await verifier.StopAsync();
                }

                var ratio = with.Total / without.Total;
                ratios.Add(ratio);
                rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {round} | no | - | {without.Total:N0} | {without.P99:N1} ms | |"));
                rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {round} | yes | {share} | {with.Total:N0} | {with.P99:N1} ms | {(ratio - 1) * 100:+0.0;-0.0} % |"));
                Console.WriteLine(rows[^2]);
                Console.WriteLine(rows[^1]);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# share {share}: mean of {rounds} paired ratios {(ratios.Average() - 1) * 100:+0.0;-0.0} %, median {(Median(ratios) - 1) * 100:+0.0;-0.0} %"));
            if (ratios.Average() >= 0.9)
            {
                break;
            }
        }

        return rows;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
