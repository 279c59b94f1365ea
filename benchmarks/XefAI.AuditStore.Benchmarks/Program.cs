using System.Globalization;
using XefAI.AuditStore.Benchmarks;

// The audit store's benchmarks (README, Performance → Audit store). Not a test: it prints figures.
//   writers  audit commits/s from 1, 2 and 3 writer processes, one chain per process vs the old single chain
//   verify   verification at 1M and 10M records, and serving throughput while a paced verification runs
// Child modes (the program re-launches itself): write-child, verify-child.
var command = args.Length > 0 ? args[0] : "help";
var options = Arguments.Parse(args.Skip(1));
switch (command)
{
    case "writers":
        await WritersBenchmark.RunAsync(options);
        return 0;
    case "verify":
        await VerificationBenchmark.RunAsync(options);
        return 0;
    case "write-child":
        await WriterChild.RunAsync(options);
        return 0;
    case "verify-child":
        await VerifierChild.RunAsync(options);
        return 0;
    default:
        Console.WriteLine("usage: dotnet run -c Release --project benchmarks/XefAI.AuditStore.Benchmarks -- writers [--seconds 10] [--rounds 2]  or  verify [--sizes 1000000,10000000] [--load 1] [--shares 0.1,0.05] [--paced-up-to 1000000] [--paced-seconds 90]");
        return command == "help" ? 0 : 2;
}

namespace XefAI.AuditStore.Benchmarks
{
    /// <summary>Options as <c>--name value</c> pairs.</summary>
    internal sealed class Arguments(Dictionary<string, string> values)
    {
        public static Arguments Parse(IEnumerable<string> args)
        {
            var list = args.ToList();
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < list.Count; i += 2)
            {
                values[list[i].TrimStart('-')] = list[i + 1];
            }

            return new Arguments(values);
        }

        public string Get(string name, string fallback) => values.TryGetValue(name, out var value) ? value : fallback;

        public string Require(string name) => values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.");

        public int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        public double Double(string name, double fallback) => double.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        public long Long(string name, long fallback) => long.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
    }
}
