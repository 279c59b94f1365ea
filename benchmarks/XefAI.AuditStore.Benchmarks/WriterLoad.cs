using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XefAI.Governance;

namespace XefAI.AuditStore.Benchmarks;

/// <summary>What a run of writer processes committed.</summary>
internal sealed record LoadResult(string Design, int Processes, double Seconds, long[] PerProcess, double P50, double P99, long Failures, string Verified)
{
    public double Total => PerProcess.Sum() / Seconds;

    public string PerProcessText => string.Join(" / ", PerProcess.Select(count => (count / Seconds).ToString("N0", CultureInfo.InvariantCulture)));
}

/// <summary>Runs writer processes at once against a fresh database of one design and gathers their figures.</summary>
internal static class WriterLoad
{
    public const int Appenders = 64;

    public static async Task<LoadResult> RunAsync(BenchServer server, string design, int processes, double seconds, bool verify = true)
    {
        var name = "writers_" + Guid.NewGuid().ToString("N")[..12];
        var connection = await server.CreateDatabaseAsync(name);
        try
        {
            await using (var admin = BenchServer.Admin(connection))
            await using (var command = admin.CreateCommand(design == "new" ? PostgresAuditSchema.Create : SingleChainBaseline.Schema))
            {
                await command.ExecuteNonQueryAsync();
            }

            // A second or two for the children to start on a loaded machine; all begin at the same instant.
            var start = DateTimeOffset.UtcNow.AddSeconds(4).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            var files = Enumerable.Range(0, processes).Select(_ => Path.Combine(Path.GetTempPath(), "xefai-bench-" + Guid.NewGuid().ToString("N"))).ToArray();
            var children = files.Select((file, i) => new ChildProcess(
                [
                "write-child", "--design", design, "--conn", connection, "--appenders", Appenders.ToString(CultureInfo.InvariantCulture),
                "--start", start, "--warmup", "3", "--seconds", seconds.ToString(CultureInfo.InvariantCulture), "--out", file,
                "--instance", "bench" + i.ToString(CultureInfo.InvariantCulture),
                ])).ToArray();
            var outputs = new List<string>();
            foreach (var child in children)
            {
                outputs.Add(await child.WaitAsync());
                child.Dispose();
            }

            var failures = outputs.Sum(output => long.Parse(output.Trim().Split('=')[1], CultureInfo.InvariantCulture));
            var perProcess = new long[processes];
            var all = new List<double>();
            for (var i = 0; i < processes; i++)
            {
                var bytes = await File.ReadAllBytesAsync(files[i]);
                File.Delete(files[i]);
                var samples = new double[bytes.Length / sizeof(double)];
                Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * sizeof(double));
                perProcess[i] = samples.Length;
                all.AddRange(samples);
            }

            all.Sort();
            var verified = "-";
            if (verify && design == "new")
            {
                // The trail the writers left must verify: every chain, bound by the checkpoints they took on the way out.
                await using var store = new PostgresAuditStore(
                    Options.Create(new AuditOptions { Store = PostgresAuditStore.StoreKind, Postgres = new PostgresAuditOptions { ConnectionString = connection } }),
                    TimeProvider.System,
                    NullLogger<PostgresAuditStore>.Instance);
                var result = await store.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None);
                verified = result.Valid ? string.Create(CultureInfo.InvariantCulture, $"valid, {result.Records:N0} records in {result.Chains} chains") : "INVALID: " + result.Problem;
            }

            return new LoadResult(design, processes, seconds, perProcess, Percentile(all, 0.50), Percentile(all, 0.99), failures, verified);
        }
        finally
        {
            await server.DropDatabaseAsync(name);
        }
    }

    private static double Percentile(List<double> sorted, double share) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(share * sorted.Count))];
}
