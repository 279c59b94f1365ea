using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XefAI.Governance;

namespace XefAI.AuditStore.Benchmarks;

/// <summary>
/// One verification in a process of its own, so its memory is the walk's alone: time, records, peak managed heap
/// (sampled every 20 ms), peak RSS (the kernel's high-water mark) and RSS as the walk passes 25, 50, 75 and 100 %.
/// With <c>--loop 1</c> it walks again and again until stopped (the paced verification of the load test).
/// </summary>
internal static class VerifierChild
{
    public static async Task RunAsync(Arguments options)
    {
        var request = new AuditVerificationRequest
        {
            Mode = options.Get("mode", "full") == "full" ? AuditVerificationMode.Full : AuditVerificationMode.Incremental,
            MaxBusyShare = options.Double("share", 1),
        };
        await using var store = new PostgresAuditStore(
            Options.Create(new AuditOptions { Store = PostgresAuditStore.StoreKind, Postgres = new PostgresAuditOptions { ConnectionString = options.Require("conn") } }),
            TimeProvider.System,
            NullLogger<PostgresAuditStore>.Instance);
        if (options.Get("loop", "0") == "1")
        {
            while (true)
            {
                await store.VerifyAsync(request, CancellationToken.None);
            }
        }

        var peakManaged = 0L;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                await Task.Delay(20, CancellationToken.None);
            }
        });
        var clock = Stopwatch.StartNew();
        var milestones = new MilestoneProgress(clock, () => peakManaged);

        // A paced walk of a large trail takes many minutes: --max-seconds stops it and reports its rate so far.
        var maxSeconds = options.Double("max-seconds", 0);
        using var limit = maxSeconds > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(maxSeconds)) : new CancellationTokenSource();
        AuditChainVerification? result = null;
        try
        {
            result = await store.VerifyAsync(request with { Progress = milestones }, limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await sampler;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"valid={(result is null ? "stopped" : result.Valid.ToString())};records={result?.Records ?? milestones.Last?.ToCheck};checked={result?.Checked ?? milestones.Last?.Checked};" +
            $"chains={result?.Chains};checkpoint={result?.Checkpoint};resumed={result?.ResumedFrom};" +
            $"seconds={elapsed:F1};managed_mb={peakManaged / 1048576.0:F0};rss_peak_mb={Status("VmHWM") / 1024.0:F0};rss_mb={string.Join('/', milestones.Rss)};problem={result?.Problem}"));
    }

    private static long Status(string field) =>
        File.ReadLines("/proc/self/status").Where(line => line.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))
            .FirstOrDefault();

    // Called on the walk's own thread after each page.
    // Also tells standard error at every 10 %, so a long walk shows its progress and memory as it goes.
    private sealed class MilestoneProgress(Stopwatch clock, Func<long> peakManaged) : IProgress<AuditVerificationProgress>
    {
        private int _next = 1;
        private int _nextTenth = 1;

        public List<long> Rss { get; } = [];

        public AuditVerificationProgress? Last { get; private set; }

        public void Report(AuditVerificationProgress value)
        {
            Last = value;
            while (_next <= 4 && value.ToCheck > 0 && value.Checked * 4 >= value.ToCheck * _next)
            {
                Rss.Add(Status("VmRSS") / 1024);
                _next++;
            }

            while (_nextTenth <= 10 && value.ToCheck > 0 && value.Checked * 10 >= value.ToCheck * _nextTenth)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"#   {_nextTenth * 10} %: {value.Checked:N0} of {value.ToCheck:N0} in {clock.Elapsed.TotalSeconds:N0} s, RSS {Status("VmRSS") / 1024} MB, peak managed {peakManaged() / 1048576} MB"));
                _nextTenth++;
            }
        }
    }
}
