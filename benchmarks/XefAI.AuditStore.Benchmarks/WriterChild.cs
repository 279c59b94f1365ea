using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XefAI.Governance;

namespace XefAI.AuditStore.Benchmarks;

/// <summary>
/// One writer process: N appenders calling AppendAsync back to back on one store (the new design: this process's
/// own chain; or the single-chain baseline), from a start time all processes share, through a warm-up, then a
/// measured window. Writes the latency (ms) of every append that completed inside the window to a file.
/// </summary>
internal static class WriterChild
{
    public static async Task RunAsync(Arguments options)
    {
        var design = options.Require("design");
        var connection = options.Require("conn");
        var appenders = options.Int("appenders", 64);
        var start = DateTimeOffset.FromUnixTimeMilliseconds(options.Long("start", 0));
        var warmup = TimeSpan.FromSeconds(options.Double("warmup", 3));
        var duration = TimeSpan.FromSeconds(options.Double("seconds", 10));
        var output = options.Require("out");

        Func<AuditEntry, CancellationToken, ValueTask<AuditRecord>> append;
        IAsyncDisposable store;
        if (design == "new")
        {
            var chainStore = new PostgresAuditStore(
                Options.Create(new AuditOptions
                {
                    Store = PostgresAuditStore.StoreKind,
                    MaxBatchSize = 256,
                    Postgres = new PostgresAuditOptions { ConnectionString = connection, InstanceName = options.Get("instance", "bench") },
                }),
                TimeProvider.System,
                NullLogger<PostgresAuditStore>.Instance);
            append = chainStore.AppendAsync;
            store = chainStore;
        }
        else
        {
            var baseline = new SingleChainBaseline(connection, maxBatchSize: 256, commitTimeoutSeconds: 3);
            append = baseline.AppendAsync;
            store = baseline;
        }

        var wait = start - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var clock = Stopwatch.StartNew();
        var measureFrom = warmup;
        var stopAt = warmup + duration;
        var failures = 0L;
        var lists = new List<double>[appenders];
        var tasks = new Task[appenders];
        for (var a = 0; a < appenders; a++)
        {
            var samples = lists[a] = new List<double>(65536);
            var appender = a;
            tasks[a] = Task.Run(async () =>
            {
                var n = (long)appender << 32;
                while (clock.Elapsed < stopAt)
                {
                    var began = clock.Elapsed;
                    try
                    {
                        await append(SyntheticEntries.Create(n++, DateTimeOffset.UtcNow), CancellationToken.None);
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        Interlocked.Increment(ref failures);
                        continue;
                    }

                    var ended = clock.Elapsed;
                    if (began >= measureFrom && ended < stopAt)
                    {
                        samples.Add((ended - began).TotalMilliseconds);
                    }
                }
            });
        }

        await Task.WhenAll(tasks);
        await store.DisposeAsync();
        await using var file = new BinaryWriter(File.Create(output));
        foreach (var sample in lists.SelectMany(list => list))
        {
            file.Write(sample);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"failures={failures}"));
    }
}
