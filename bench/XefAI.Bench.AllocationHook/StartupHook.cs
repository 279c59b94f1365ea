using System.Globalization;

/// <summary>
/// Loaded by the runtime before <c>Main</c> when named in <c>DOTNET_STARTUP_HOOKS</c>. Every 100 ms it writes the
/// process's total allocated bytes (all threads, precise, summed as it rises) to the file named by <c>BENCH_ALLOC_FILE</c>, so the
/// harness can take the difference over a measurement and divide by the requests served. The target is not changed.
/// </summary>
internal static class StartupHook
{
    /// <summary>The runtime's entry point for a startup hook.</summary>
    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable("BENCH_ALLOC_FILE");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        var thread = new Thread(() => Report(path)) { IsBackground = true, Name = "bench-allocation-report" };
        thread.Start();
    }

    private static void Report(string path)
    {
        var temporary = path + ".tmp";
        var last = GC.GetTotalAllocatedBytes(precise: true);
        var total = last;
        while (true)
        {
            // The runtime's figure sums the GC heaps there are now. Server GC adapts its heap count to the load
            // (DATAS), and a heap it retires takes its count with it, so the sum can fall by gigabytes between two
            // readings. Only increases are added up: a retirement loses at most the one interval it falls in.
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            total += Math.Max(0, bytes - last);
            last = bytes;
            File.WriteAllText(temporary, total.ToString(CultureInfo.InvariantCulture));
            File.Move(temporary, path, overwrite: true);
            Thread.Sleep(100);
        }
    }
}
