using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/XefAI.Gateway.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(XefAI.Gateway.Benchmarks.GatewayOverheadBenchmarks).Assembly).Run(args);
