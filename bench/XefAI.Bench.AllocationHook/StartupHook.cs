using System.Globalization;

/// <summary>
/// Loaded by the runtime before <c>Main</c> when named in <c>DOTNET_STARTUP_HOOKS</c>. Every 100 ms it writes the
/// process's total allocated bytes (all threads, precise) to the file named by <c>BENCH_ALLOC_FILE</c>, so the
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
        while (true)
        {
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            File.WriteAllText(temporary, bytes.ToString(CultureInfo.InvariantCulture));
            File.Move(temporary, path, overwrite: true);
            Thread.Sleep(100);
        }
    }
}
